"""Property-based robustness checks of the app's forms (Hypothesis), shared by every app's
`test_form_fuzz.py`.

`payloads(baseline, valid, nasty)` draws POST dictionaries around a known-good submission: the
submission itself, one field swapped for a hostile value, another valid value or left out,
or every field drawn independently. `check_request(...)` sends one, inside a savepoint that
is rolled back afterwards (so the examples do not pile up), and asserts what the acceptance
point asks for:

* no 500: the test client is told not to re-raise, and a 500 fails with the traceback;
* no partial write: when the request was refused (a form re-rendered with errors, a 4xx, or
  a redirect carrying an error message) no table of the project's apps (and auth) gained
  or lost a row and the watched rows are unchanged (the access log, written by pages that
  show clinical content, is exempt); an autosave endpoint (`partial=True`, issue 16) stores
  every valid field by design, so there only the fields reported invalid must keep their
  values and no row may appear or go except in history tables and many-to-many links;
* clear errors: every form error is on the page as text, error messages are sentences and
  never a stack trace, and a redirect's error message shows on the page it leads to;
* no redirect off the site, whatever `next` says;
* nothing PostgreSQL would refuse: what a successful request stored holds no NUL character
  and no lone surrogate (SQLite takes both; PostgreSQL raises, which is a 500 there).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import os
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import connection, models, transaction
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from clinic.bodychart import BodyChartField

# Bounded: 10-30 examples per endpoint keep the three fuzz files under a minute on SQLite.
# FUZZ_SCALE=10 in the environment runs ten times as many, for a deeper search (e.g. before
# a release). No example database (it would litter the checkout with .hypothesis/); a
# failure prints the falsifying example and a @reproduce_failure blob.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=max(1, round(30 * SCALE)),
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

MISSING = object()
HTMX = {"HX-Request": "true"}


def examples(count: int) -> settings:
    """FUZZ with `count` examples (times FUZZ_SCALE)."""
    return settings(FUZZ, max_examples=max(1, round(count * SCALE)))


# --- Hostile values ---------------------------------------------------------------------------

NASTY_STRINGS = [
    "",
    " ",
    "\t\r\n",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202eevil",
    "\ufeff",
    "e\u0301",
    "𝕏😀",
    "²",  # str.isdigit() says yes, int() says no
    "¹²³",
    "١٢٣",  # Arabic-Indic digits: int() takes them
    "½",
    "-1",
    "0",
    "+7",
    " 7 ",
    "1.5",
    "1e3",
    "1e309",
    "NaN",
    "-Infinity",
    "0x1F",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999999",
    "true",
    "on",
    "None",
    "null",
    "[]",
    "{}",
    '[{"view": "front"}]',
    "[{]",
    "<script>alert(1)</script>",
    "{{ request }}",
    "{% debug %}",
    "' OR '1'='1",
    "%(name)s %s %d",
    "../../etc/passwd",
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/",
]
NASTY_DATES = [
    "2025-02-30",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31/12/2025",
    "12/31/9999",
    "yesterday",
    "9999-12-31T23:59",
    "0001-01-01T00:00:00+14:00",
    "2026-03-08T02:30",  # does not exist in Vancouver (spring forward)
    "2026-11-01T01:30",  # happens twice in Vancouver (fall back)
]
NASTY_TIMES = ["24:00", "23:59", "23:59:59.999999", "00:00", "12:60", "7", "7pm", "-01:00"]
NASTY_NUMBERS = [
    "²",  # isdigit() but not int()
    "١٢٣",  # int() takes Arabic-Indic digits
    "-1",
    "0",
    "1.5",
    "abc",
    "99999999999999999999999999999999",  # beyond 64 bits
]
NASTY_TEXT = [
    "\x00",
    "Hello\x00world",
    "\x00" * 300,
    "\x01\x02\x7f\x1b",
    " \t\n ",
    "x" * 4001,
    "é" * 20_001,
    "<script>alert(1)</script>",
]
NASTY_NEXT = [
    "0",
    "desk",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\\evil.example/",
    "http://testserver/desk/",
    "/desk/?x=\n",
    "/desk/\x00",
]
nasty_dates = st.sampled_from(NASTY_DATES)
nasty_times = st.sampled_from(NASTY_TIMES)
nasty_numbers = st.sampled_from(NASTY_NUMBERS)
nasty_text = st.sampled_from(NASTY_TEXT)
nasty_next = st.sampled_from(NASTY_NEXT)


hostile_scalar = st.one_of(
    st.text(max_size=30),  # any Unicode but surrogates, control characters and NUL included
    st.sampled_from(NASTY_STRINGS + NASTY_DATES + NASTY_TIMES),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats().map(str),
    st.builds(
        operator.mul,
        st.sampled_from(["x", "é", "😀", "\x00", "1", " ", "<b>"]),
        st.integers(min_value=150, max_value=60_000),
    ),
)
hostile = st.one_of(
    hostile_scalar,
    st.lists(hostile_scalar, min_size=2, max_size=3),  # the same key sent more than once
)


# --- Body chart JSON --------------------------------------------------------------------------


def _mark(view="front", x=0.5, y=0.5, kind="pain", note="") -> dict:
    return {"view": view, "x": x, "y": y, "kind": kind, "note": note}


_mark_note = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "\u2028"]),  # surrogates only via JSON escapes
    st.builds(operator.mul, st.just("n"), st.integers(min_value=195, max_value=260)),
)


def _json_containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    _json_containers,
    max_leaves=8,
)


def body_chart_valid(kinds: Iterable[str]) -> st.SearchStrategy[str]:
    mark = st.builds(
        _mark,
        view=st.sampled_from(["front", "back"]),
        x=st.floats(min_value=0, max_value=1),
        y=st.floats(min_value=0, max_value=1),
        kind=st.sampled_from(sorted(kinds)),
        note=st.text(st.characters(codec="ascii", categories=["L", "N", "Zs"]), max_size=30),
    )
    return st.lists(mark, max_size=4).map(json.dumps)


body_chart_hostile = st.one_of(
    st.lists(
        st.builds(
            _mark,
            view=st.sampled_from(["front", "back", "side", "", None, 1]),
            x=st.one_of(st.floats(), st.integers(), st.text(max_size=3), st.booleans()),
            y=st.floats(min_value=-1, max_value=2),
            kind=st.sampled_from(["pain", "taut_band", "skin_sign", "paraesthesia", "x", None]),
            note=_mark_note,
        ),
        max_size=3,
    ).map(json.dumps),
    json_values.map(json.dumps),
    st.integers(min_value=59, max_value=70).map(lambda n: json.dumps([_mark()] * n)),
    st.sampled_from(["[1e400]", "[NaN]", '[{"x": Infinity}]', "[" * 5000 + "]" * 5000]),
)


# --- Valid values, from a form's own fields ----------------------------------------------------


def choice_values(field: forms.ChoiceField) -> list[str]:
    """The values a field offers (groups flattened, the empty choice left out)."""
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            values += [str(v) for v, _ in label if str(v) != ""]
        elif str(value) != "":
            values.append(str(value))
    return values


def valid_values(field: forms.Field) -> st.SearchStrategy:
    """Values a browser could send for `field` (not necessarily accepted together)."""
    today = timezone.localdate()
    if isinstance(field, BodyChartField):
        return body_chart_valid(field.kinds)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        values = choice_values(field)
        return st.lists(st.sampled_from(values), max_size=3, unique=True) if values else st.just([])
    if isinstance(field, forms.ChoiceField):  # and ModelChoiceField, TypedChoiceField
        values = choice_values(field)
        return st.sampled_from(values) if values else st.just("")
    if isinstance(field, forms.NullBooleanField):
        return st.sampled_from(["true", "false", "unknown", ""])
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", ""])
    if isinstance(field, forms.DateTimeField):
        start = timezone.localtime() - dt.timedelta(days=30)
        return st.integers(min_value=0, max_value=30 * 24 * 4).map(
            lambda q: (start + dt.timedelta(minutes=15 * q)).strftime("%Y-%m-%dT%H:%M")
        )
    if isinstance(field, forms.DateField):
        return st.integers(min_value=-60, max_value=30).map(
            lambda d: (today + dt.timedelta(days=d)).isoformat()
        )
    if isinstance(field, forms.TimeField):
        return st.integers(min_value=7 * 4, max_value=19 * 4).map(
            lambda q: f"{q // 4:02d}:{q % 4 * 15:02d}"
        )
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        low = field.min_value if field.min_value is not None else -5
        high = field.max_value if field.max_value is not None else 400
        return st.integers(min_value=int(low), max_value=int(high)).map(str)
    if isinstance(field, forms.EmailField):
        return st.sampled_from(["ada@example.com", "J.Doe+clinic@Example.org", ""])
    if isinstance(field, forms.CharField):
        size = min(field.max_length or 60, 60)
        return st.text(
            st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=size
        )
    return st.text(max_size=20)


def nasty_for(field: forms.Field) -> st.SearchStrategy:
    """Hostile values aimed at `field`'s parser."""
    if isinstance(field, BodyChartField):
        return body_chart_hostile
    if isinstance(field, forms.DateTimeField):
        return st.one_of(nasty_dates, nasty_times)
    if isinstance(field, forms.DateField):
        return nasty_dates
    if isinstance(field, forms.TimeField):
        return nasty_times
    if isinstance(field, forms.ChoiceField | forms.IntegerField | forms.DecimalField):
        return st.one_of(nasty_numbers, st.lists(nasty_numbers, min_size=2, max_size=3))
    return nasty_text


def form_nasty(form: forms.BaseForm) -> dict:
    """{prefixed field name: strategy of hostile values} for every field of `form`."""
    return {form.add_prefix(name): nasty_for(field) for name, field in form.fields.items()}


def form_payloads(
    form: forms.BaseForm,
    baseline: Mapping[str, Any],
    *,
    valid: Mapping[str, st.SearchStrategy] | None = None,
    nasty: Mapping[str, st.SearchStrategy] | None = None,
) -> st.SearchStrategy[dict]:
    """payloads() over `form`'s fields (prefixed) and the extra keys in valid/nasty."""
    return payloads(
        baseline, form_values(form) | dict(valid or {}), form_nasty(form) | dict(nasty or {})
    )


def form_values(form: forms.BaseForm, **overrides: st.SearchStrategy) -> dict:
    """{prefixed field name: strategy of valid values} for every field of `form`."""
    values = {form.add_prefix(name): valid_values(field) for name, field in form.fields.items()}
    return values | {form.add_prefix(name): strategy for name, strategy in overrides.items()}


def _drop_missing(data: Mapping[str, Any]) -> dict:
    return {key: value for key, value in data.items() if value is not MISSING}


def payloads(
    baseline: Mapping[str, Any],
    valid: Mapping[str, st.SearchStrategy] | None = None,
    nasty: Mapping[str, st.SearchStrategy] | None = None,
) -> st.SearchStrategy[dict]:
    """POST dictionaries around `baseline` (a submission the view accepts), over the keys of
    `baseline` and `valid` (strategies of acceptable values per key); `nasty` adds hostile
    values aimed at a key, drawn as often as the general ones."""
    valid = dict(valid or {})
    nasty = dict(nasty or {})
    baseline = dict(baseline.items())
    names = sorted(set(baseline) | set(valid))

    def any_valid(name: str) -> st.SearchStrategy:
        options = [valid[name]] if name in valid else []
        if name in baseline:
            options.append(st.just(baseline[name]))
        return st.one_of(options) if options else hostile

    def bad(name: str) -> st.SearchStrategy:
        # Aimed values twice as often as general ones.
        return st.one_of(nasty[name], nasty[name], hostile) if name in nasty else hostile

    def swap(name: str, value) -> dict:
        return baseline | {name: value}

    def some_bad(name: str) -> st.SearchStrategy:
        return st.one_of(st.just(baseline.get(name, MISSING)), bad(name))

    def anything(name: str) -> st.SearchStrategy:
        return st.one_of(any_valid(name), bad(name), st.just(MISSING))

    shapes = {
        # The valid submission, as is.
        "baseline": st.just(baseline),
        # One field hostile, the rest valid: reaches the service with one bad value.
        "one bad": st.sampled_from(names).flatmap(lambda n: bad(n).map(lambda v: swap(n, v))),
        # Each field hostile or not, independently.
        "some bad": st.fixed_dictionaries({name: some_bad(name) for name in names}),
        # Another valid value for one field (other branches of the service).
        "one other": st.sampled_from(names).flatmap(
            lambda n: any_valid(n).map(lambda v: swap(n, v))
        ),
        "one missing": st.sampled_from(names).map(lambda n: swap(n, MISSING)),
        "anything": st.fixed_dictionaries({name: anything(name) for name in names}),
    }
    weights = ["baseline", "one bad", "one bad", "some bad", "some bad", "one other"]
    weights += ["one missing", "anything"]
    return st.sampled_from(weights).flatmap(shapes.__getitem__).map(_drop_missing)


# --- What the database holds ----------------------------------------------------------------


@cache
def _tracked_models() -> list[type[models.Model]]:
    from clinic.models import AccessLog

    labels = {"clinic", "assessments", "treatments", "auth"}
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in labels and model is not AccessLog and model._meta.managed
    ]


def _table_stats() -> dict[str, tuple[int, Any]]:
    """(row count, highest primary key) of every tracked table, in one query."""
    quote = connection.ops.quote_name
    parts = []
    for model in _tracked_models():  # table and column names from the models, not input
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        parts += [
            f"(SELECT COUNT(*) FROM {table})",  # noqa: S608
            f"(SELECT MAX({pk}) FROM {table})",  # noqa: S608
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return {
        model._meta.label: (row[2 * i], row[2 * i + 1]) for i, model in enumerate(_tracked_models())
    }


def _rows(watch: Iterable) -> list:
    """The current values of watched rows (model instances) and querysets."""
    found = []
    for item in watch:
        if isinstance(item, models.QuerySet):
            found.append(sorted(map(repr, item.values())))
        else:
            found.append(type(item)._base_manager.filter(pk=item.pk).values().first())
    return found


@dataclass
class Snapshot:
    stats: dict[str, tuple[int, Any]]
    rows: list

    @classmethod
    def take(cls, watch: Iterable) -> Snapshot:
        return cls(_table_stats(), _rows(watch))

    def changes(self, other: Snapshot) -> list[str]:
        changed = [
            f"{label}: {self.stats[label][0]} -> {other.stats[label][0]} rows"
            for label in self.stats
            if self.stats[label] != other.stats[label]
        ]
        changed += [
            f"watched row changed:\n  before {old!r}\n  after  {new!r}"
            for old, new in zip(self.rows, other.rows, strict=True)
            if old != new
        ]
        return changed

    def new_rows(self, after: Snapshot) -> list[dict]:
        rows = []
        for model in _tracked_models():
            label = model._meta.label
            before_max, after_max = self.stats[label][1], after.stats[label][1]
            if after_max is not None and after_max != before_max:
                query = model._base_manager.all()
                if before_max is not None:
                    query = query.filter(pk__gt=before_max)
                rows += [{"model": label, **row} for row in query.values()]
        return rows


def _bad_text(value: Any) -> str | None:
    """Why PostgreSQL would refuse `value` (a NUL, a lone surrogate), looking inside JSON."""
    for text in _strings(value):
        if "\x00" in text:
            return "a NUL character"
        if any(_is_surrogate(char) for char in text):
            return "a lone surrogate"
    return None


def _partial_changes(before: Snapshot, after: Snapshot, refused_forms) -> list[str]:
    """What an autosave that stores every valid field must not have changed: a field it
    reported invalid, or a table other than a history table or a many-to-many link."""
    invalid = {name for form in refused_forms for name in form.errors} - {"__all__"}
    models_by_label = {model._meta.label: model for model in _tracked_models()}

    def may_change(model) -> bool:
        if model.__name__.startswith("Historical"):
            return True
        # A many-to-many link table, unless its field was the invalid one.
        return bool(model._meta.auto_created) and not any(
            model.__name__.endswith(f"_{name}") for name in invalid
        )

    changed = [
        f"{label}: {before.stats[label][0]} -> {after.stats[label][0]} rows"
        for label in before.stats
        if before.stats[label] != after.stats[label] and not may_change(models_by_label[label])
    ]
    for old, new in zip(before.rows, after.rows, strict=True):
        if isinstance(old, dict) and isinstance(new, dict):
            changed += [
                f"invalid field {name} changed: {old[name]!r} -> {new[name]!r}"
                for name in sorted(invalid & set(old))
                if old[name] != new[name]
            ]
    return changed


# --- One request, checked -----------------------------------------------------------------


@dataclass
class Outcome:
    response: Any
    ok: bool
    followed: Any = None


def _bound_forms_with_errors(response) -> list[forms.BaseForm]:
    found = []
    contexts = response.context
    if contexts is None:
        contexts = []
    elif hasattr(contexts, "flatten"):  # a single template's Context, not a ContextList
        contexts = [contexts]
    for context in contexts:
        for value in context.flatten().values():
            if (
                isinstance(value, forms.BaseForm)
                and value.is_bound
                and value._errors
                and all(value is not other for other in found)
            ):
                found.append(value)
    return found


def _messages(response) -> list:
    request = getattr(response, "wsgi_request", None)
    return list(get_messages(request)) if request is not None else []


def _describe(method: str, url: str, data) -> str:
    shown = repr(data)
    return f"{method.upper()} {url} with {shown[:600]}{'…' if len(shown) > 600 else ''}"


def _looks_like_code(text: str) -> bool:
    return any(
        marker in text
        for marker in ("Traceback (most recent call last)", "ValidationError(", "Exception Value")
    )


def _refused(response, forms_with_errors, messages_) -> bool:
    if response.status_code >= 400:
        return True
    if forms_with_errors:
        return True
    return any(message.level >= message_levels.ERROR for message in messages_)


def check_request(
    sign_in: Callable[[Any], Client],
    user,
    url: str,
    data: Mapping[str, Any] | None = None,
    *,
    method: str = "post",
    htmx: bool = False,
    watch: Iterable = (),
    prepare: Callable[[Client], None] | None = None,
    render_after: Iterable[tuple[Any, str]] = (),
    follow_success: bool = False,
    partial: bool = False,
) -> Outcome:
    """Send one request as `user` (None: anonymous; others signed in with `sign_in`, the
    `client_for` fixture) and check it, all inside a savepoint that is rolled back.

    `prepare(client)` runs first (in the savepoint). A refusal's redirect is followed (the
    page must render and show the error); a success's only with `follow_success`.
    `render_after` lists (user, url) pages that must still render after a success."""
    data = dict(data or {})
    what = _describe(method, url, data)
    with transaction.atomic():
        client = Client() if user is None else sign_in(user)
        client.raise_request_exception = False
        if prepare is not None:
            prepare(client)
        watch = list(watch)
        before = Snapshot.take(watch)
        send = getattr(client, method)
        response = send(url, data, headers=HTMX if htmx else {})
        _no_server_error(response, what)
        _stays_on_the_site(response, what)
        errors = _bound_forms_with_errors(response)
        messages_ = _messages(response)
        ok = not _refused(response, errors, messages_)
        with contextlib.suppress(InvalidArgument):  # outside a Hypothesis test
            event(f"{'accepted' if ok else 'refused'} ({response.status_code})")
        after = Snapshot.take(watch)
        if not ok:
            changes = _partial_changes(before, after, errors) if partial else before.changes(after)
            assert not changes, f"Partial write on a refused request: {what}\n" + "\n".join(changes)
        _errors_are_clear(response, errors, messages_, what)
        if ok or partial:
            for row in before.new_rows(after) + [r for r in after.rows if isinstance(r, dict)]:
                for name, value in row.items():
                    reason = _bad_text(value)
                    assert reason is None, (
                        f"{what}\nstored {reason} in {row.get('model', 'a watched row')}."
                        f"{name}; PostgreSQL refuses it (a 500 there)"
                    )
        followed = _follow(client, response, messages_, what) if follow_success or not ok else None
        if ok:
            for viewer, page in render_after:
                other = sign_in(viewer)
                other.raise_request_exception = False
                _no_server_error(other.get(page), f"GET {page} after {what}")
        transaction.set_rollback(True)
    return Outcome(response, ok, followed)


def _no_server_error(response, what: str) -> None:
    if response.status_code < 500:
        return
    exc_info = getattr(response, "exc_info", None)
    trace = "".join(traceback.format_exception(*exc_info)) if exc_info else "(no traceback)"
    raise AssertionError(f"{response.status_code} for {what}\n{trace}")


def _stays_on_the_site(response, what: str) -> None:
    """A redirect never leads off the site, whatever a form's `next` said."""
    location = response.get("Location") or response.get("HX-Redirect")
    if location:
        parts = urlsplit(location)
        off_site = f"Redirected off the site to {location!r} after {what}"
        assert parts.scheme in ("", "http", "https"), off_site
        assert parts.netloc in ("", "testserver"), off_site


def _errors_are_clear(response, forms_with_errors, messages_, what: str) -> None:
    content_type = response.get("Content-Type", "")
    text = response.content.decode(errors="replace") if content_type.startswith("text/") else ""
    assert not _looks_like_code(text), f"Technical error text on the page for {what}"
    for form in forms_with_errors:
        for field, errors in form.errors.items():
            for message in errors:
                assert message.strip(), f"empty error message on {field!r} for {what}"
                assert not _looks_like_code(message), f"{message!r} for {what}"
                if response.status_code < 300:
                    assert escape(message) in text, (
                        f"The error {message!r} on {field or 'the form'!r} is not shown on "
                        f"the page for {what}"
                    )
    for message in messages_:
        body = str(message)
        assert body.strip(), f"an empty message for {what}"
        assert not _looks_like_code(body), f"{body!r} for {what}"
        assert not body.startswith("["), f"a Python list as a message: {body!r} for {what}"


def _follow(client: Client, response, messages_, what: str):
    """GET the local page a redirect leads to: it must render, with the error message that
    was queued for it."""
    location = response.get("Location") or response.get("HX-Redirect")
    if not location or response.status_code >= 400:
        return None
    parts = urlsplit(location)
    if parts.netloc and parts.netloc != "testserver":
        return None
    page = client.get(location)
    _no_server_error(page, f"GET {location} after {what}")
    if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
        shown = page.content.decode()
        for message in messages_:
            if message.level >= message_levels.WARNING:
                assert escape(str(message)) in shown, (
                    f"The message {str(message)!r} is not shown after {what}"
                )
    return page


# --- Text PostgreSQL refuses ------------------------------------------------------------------


def _is_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


def _strings(value: Any):
    """Every string inside a JSON value (keys too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
