"""Golden test of the session form (issue 18, acceptance 5): the page a physiotherapist
charts at the table must carry the same content after the speed work as before it.

Since the sites, the site entry form, the re-tests with their entry form, the patient's IMS
readiness (banner and re-screen checklist) and the sign panel load after the page
(treatments:session_sites, treatments:session_entries, treatments:session_retests,
treatments:readiness, treatments:sign_panel, hx-trigger="load"), the content compared is
the page with them swapped in as htmx does.

`golden/session_form.json` was written from the rendering of the code before that work
(commit 457431a) for the deterministic world built below, with

    GOLDEN_UPDATE=1 .venv/bin/pytest treatments/tests/test_session_form_golden.py

The comparison is of parsed content, not bytes: every form control inside <main> with its
attributes and value, each <select>'s options (group, value, label, selected), the rows of
sites and re-tests, every link and htmx URL, and the visible text. Database ids are written
as what they name (a muscle's pk as its name, the session's as <session>), and dates made
from today as tokens, so the fixture does not depend on the database or the day.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Muscle, Segment
from assessments.tests.factories import add_sign, make_assessment, practitioner_for
from clinic.permissions import Role
from treatments import services
from treatments.models import HomeCareSnippet, NeedleSize, RomRetest
from treatments.tests.factories import add_site, credential_for, ready_patient

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden" / "session_form.json"
URL_ATTRS = {"href", "action", "hx-post", "hx-get", "src"}
VOID = {"input", "br", "hr", "img", "meta", "link", "source", "col", "wbr", "area"}


# --- The world --------------------------------------------------------------------------


def _world(make_user):
    physio = make_user(Role.PHYSIO, username="golden-physio", first_name="Maya", last_name="Golden")
    credential_for(physio)
    # Anticoagulants "yes": a precaution, shown above the form and in the re-screen list.
    patient = ready_patient(physio, anticoagulants="yes")
    assessment = make_assessment(physio, patient, chief_complaint="Neck and arm pain")
    add_sign(assessment, physio, segment="C6", region="peripheral", muscle="Supinator")
    add_sign(assessment, physio, segment="C5", region="paraspinal")
    assessment_services.assessment_sign(assessment=assessment, by=physio)
    session = services.session_start(patient=patient, practitioner=practitioner_for(physio))
    sites = [
        add_site(session, physio, muscle="Supinator", segment="C6", side="R"),
        add_site(
            session,
            physio,
            muscle="Infraspinatus",
            segment="C5",
            side="L",
            technique="retained",
            retained_minutes=5,
        ),
    ]
    retest = services.part_save(
        session=session,
        by=physio,
        part=RomRetest(
            joint="cervical", movement="rotation", side="R", before_degrees=50, after_degrees=65
        ),
    )
    snippet = HomeCareSnippet.objects.filter(active=True).order_by("order", "pk").first()
    session = services.session_update(
        session=session,
        by=physio,
        rescreen_medication=False,
        rescreen_pregnancy=False,
        rescreen_conditions=True,
        nprs_before=6,
        needles_opened=4,
        needles_removed=4,
        home_care=[snippet.pk],
        home_care_text="Heat <b>& stretch</b> twice a day.",
        plan='Review in a week; "re-test" rotation.',
    )
    return physio, patient, session, sites, [retest]


# --- Normalising ------------------------------------------------------------------------


class _Content(HTMLParser):
    """What <main> carries: controls, options, rows, links and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <main> when > 0
        self.stack: list[tuple[str, dict]] = []
        self.controls: list[dict] = []
        self.selects: dict[str, list] = {}
        self.links: list[str] = []
        self.text: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self._select: str | None = None
        self._group = ""
        self._option: dict | None = None
        self._row: tuple[str, list[str]] | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = {name: ("" if value is None else value) for name, value in attrs}
        if tag == "main":
            self.depth += 1
            return
        if not self.depth:
            return
        if tag not in VOID:
            self.stack.append((tag, attrs))
        for name in URL_ATTRS & attrs.keys():
            self.links.append(f"{tag}[{name}]={attrs[name]}")
        if tag in ("input", "select", "textarea", "button"):
            control = {"tag": tag, **attrs}
            if tag == "input" and control.get("name") == "csrfmiddlewaretoken":
                control["value"] = "<csrf>"
            self.controls.append(control)
            if tag == "select":
                self._select = attrs.get("name", "")
                self.selects[self._select] = []
            if tag == "textarea":
                self._textarea = control
                control["text"] = ""
        elif tag == "optgroup":
            self._group = attrs.get("label", "")
        elif tag == "option" and self._select is not None:
            self._option = {
                "group": self._group,
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "label": "",
            }
        elif tag == "li" and re.match(r"(site|retest)-row-", attrs.get("id", "")):
            self._row = (attrs["id"].split("-row-")[0], [])

    def handle_endtag(self, tag) -> None:
        if tag == "main":
            self.depth -= 1
            return
        if not self.depth:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag == "select":
            self._select = None
        elif tag == "optgroup":
            self._group = ""
        elif tag == "option" and self._option is not None:
            self._option["label"] = " ".join(self._option["label"].split())
            self.selects[self._select].append(self._option)
            self._option = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "li" and self._row is not None:
            kind, words = self._row
            self.rows.setdefault(kind, []).append(" ".join(" ".join(words).split()))
            self._row = None

    def handle_data(self, data) -> None:
        if not self.depth or (self.stack and self.stack[-1][0] in ("script", "style")):
            return
        if self._option is not None:
            self._option["label"] += data
            return
        if self._textarea is not None:
            self._textarea["text"] += data
            return
        words = " ".join(data.split())
        if words:
            self.text.append(words)
            if self._row is not None:
                self._row[1].append(words)


class _Names:
    """Database ids and dates as what they stand for."""

    def __init__(self, patient, session, sites, retests, physio) -> None:
        self.session, self.patient, self.physio = session, patient, physio
        self.pks = {  # a view's `pk` by the view's name
            "treatments:": (session.pk, "<session>"),
            "clinic:patient": (patient.pk, "<patient>"),
            # The intake page is addressed by the patient's pk (patients/<pk>/intake/).
            "clinic:intake": (patient.pk, "<intake>"),
        }
        self.parts = {
            "site": {s.pk: f"<site {s.muscle.name} {s.side}>" for s in sites},
            "retest": {r.pk: f"<retest {r.joint} {r.movement}>" for r in retests},
        }
        self.models = {
            "muscle": {m.pk: f"<muscle {m.name}>" for m in Muscle.objects.all()},
            "segment": {s.pk: f"<segment {s.code}>" for s in Segment.objects.all()},
            "needle": {n.pk: f"<needle {n}>" for n in NeedleSize.objects.all()},
            "home_care": {h.pk: f"<advice {h.title}>" for h in HomeCareSnippet.objects.all()},
        }
        today = timezone.localdate()
        credential = session.practitioner.needling_credentials.get()
        assessed = session.assessment.assessed_on
        self.dates = {
            today.isoformat(): "<today>",
            credential.expires_on.isoformat(): "<credential expiry>",
            f"{assessed.day} {assessed:%b %Y}": "<assessed on>",
            f"{today.day} {today:%b %Y}": "<today>",
        }

    def text(self, value: str) -> str:
        for raw, token in self.dates.items():
            value = value.replace(raw, token)
        return value

    def url(self, value: str) -> str:
        value, hash_, fragment = value.partition("#")
        path, _, query = value.partition("?")
        try:
            match = resolve(path)
        except Resolver404:
            return self.text(value + hash_ + fragment)
        kwargs = dict(match.kwargs)
        for name, raw in match.kwargs.items():
            if name == "pk":
                kwargs[name] = next(
                    (
                        token
                        for prefix, (pk, token) in self.pks.items()
                        if match.view_name.startswith(prefix) and raw == pk
                    ),
                    raw,
                )
            elif name == "patient_pk" and raw == self.patient.pk:
                kwargs[name] = "<patient>"
            elif name == "part_pk":
                kwargs[name] = self.parts.get(match.kwargs.get("kind"), {}).get(raw, raw)
        args = ", ".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
        if query.startswith("copy="):  # a site row's Copy button names the site by id
            site = int(query.removeprefix("copy="))
            query = f"copy={self.parts['site'].get(site, site)}"
        query = f"?{self.text(query)}" if query else ""
        return f"{match.view_name}({args}){query}{hash_}{fragment}"

    def attr(self, name: str, value: str, control_name: str = "") -> str:
        if name in URL_ATTRS:
            return self.url(value)
        if name == "data-autosave":
            return value.replace(f"session:{self.session.pk}:", "session:<session>:").replace(
                f":{self.physio.pk}", ":<user>"
            )
        if name in ("id", "for", "aria-labelledby", "aria-describedby"):
            for kind, parts in self.parts.items():
                value = re.sub(
                    rf"{kind}-row-(\d+)",
                    lambda m, kind=kind, parts=parts: f"{kind}-row-{parts.get(int(m[1]))}",
                    value,
                )
        if name == "value":
            field = control_name.rsplit("-", 1)[-1]
            if field in self.models and value.isdigit():
                return self.models[field].get(int(value), value)
        return self.text(value)


def _content(html: str, names: _Names) -> dict:
    parsed = _Content()
    parsed.feed(html)
    controls = [
        {
            key: names.attr(key, value, control.get("name", "")) if key != "tag" else value
            for key, value in sorted(control.items())
        }
        for control in parsed.controls
    ]
    pickers = {
        name: [
            [o["group"], names.attr("value", o["value"] or "", name), o["label"], o["selected"]]
            for o in options
        ]
        for name, options in parsed.selects.items()
    }
    return {
        "controls": controls,
        "pickers": pickers,
        "rows": {kind: [names.text(r) for r in rows] for kind, rows in parsed.rows.items()},
        "links": [
            f"{where}={names.url(url)}"
            for where, url in (link.split("=", 1) for link in parsed.links)
        ],
        "text": [names.text(words) for words in parsed.text],
    }


# --- The test ---------------------------------------------------------------------------


ENTRIES_LOADER = re.compile(r'<div id="session-entries"[^>]*hx-trigger="load"[^>]*></div>')
SITES_LOADER = re.compile(r'<div id="session-sites"[^>]*hx-trigger="load"[^>]*></div>')
RETESTS_LOADER = re.compile(r'<div id="session-retests"[^>]*hx-trigger="load"[^>]*></div>')


def _with_entries(page: str, entries: str) -> str:
    """The page as the browser shows it once htmx has loaded the site entry form
    (treatments:session_entries, hx-trigger="load", hx-swap="outerHTML")."""
    assert len(ENTRIES_LOADER.findall(page)) == 1
    return ENTRIES_LOADER.sub(lambda _m: entries, page)


def _with_sites(page: str, sites: str) -> str:
    """The page once htmx has loaded the sites (treatments:session_sites)."""
    assert len(SITES_LOADER.findall(page)) == 1
    return SITES_LOADER.sub(lambda _m: sites, page)


def _with_retests(page: str, retests: str) -> str:
    """The page once htmx has loaded the re-tests with their entry form
    (treatments:session_retests, hx-trigger="load", hx-swap="outerHTML")."""
    assert len(RETESTS_LOADER.findall(page)) == 1
    return RETESTS_LOADER.sub(lambda _m: retests, page)


# The readiness loader (its placeholder link replaced, the wrapper only loads it), the
# re-screen checklist's placeholder and the partial's out-of-band checklist, the sign
# panel's placeholder inside its (kept) live wrapper.
READINESS_LOADER = re.compile(r'<div id="readiness"[^>]*hx-trigger="load"[^>]*>.*?</div>', re.S)
CHECKLIST = r'<div class="col-12 rescreen-checklist"\s+id="rescreen-checklist"\s+'
CHECKLIST_SLOT = re.compile(CHECKLIST + r'aria-busy="true">.*?</div>', re.S)
CHECKLIST_OOB = re.compile(CHECKLIST + r'hx-swap-oob="true">.*?</div>', re.S)
SIGN_SLOT = re.compile(
    r'<section class="[^"]*sign-panel-slot"[^>]*aria-busy="true">.*?</section>', re.S
)


def _with_readiness(page: str, readiness: str) -> str:
    """The page once htmx has loaded treatments:readiness?on=session: the banner where
    the loader was, the re-screen checklist (hx-swap-oob) in place of its placeholder."""
    checklist = CHECKLIST_OOB.findall(readiness)
    assert len(checklist) == 1
    banner = CHECKLIST_OOB.sub("", readiness)
    checklist = checklist[0].replace(' hx-swap-oob="true"', "")
    assert len(READINESS_LOADER.findall(page)) == 1
    assert len(CHECKLIST_SLOT.findall(page)) == 1
    page = READINESS_LOADER.sub(lambda _m: banner, page)
    return CHECKLIST_SLOT.sub(lambda _m: checklist, page)


def _with_sign_panel(page: str, panel: str) -> str:
    """The page once htmx has loaded treatments:sign_panel into #sign-panel-live."""
    assert len(SIGN_SLOT.findall(page)) == 1
    return SIGN_SLOT.sub(lambda _m: panel, page)


def _as_shown(client, session, patient) -> str:
    """The page and what it loads right after it shows, together."""
    response = client.get(reverse("treatments:session_edit", args=[session.pk]))
    assert response.status_code == 200
    parts = {}
    for name, url in (
        ("entries", reverse("treatments:session_entries", args=[session.pk])),
        ("retests", reverse("treatments:session_retests", args=[session.pk])),
        ("sites", reverse("treatments:session_sites", args=[session.pk])),
        ("readiness", reverse("treatments:readiness", args=[patient.pk]) + "?on=session"),
        ("sign", reverse("treatments:sign_panel", args=[session.pk])),
    ):
        part = client.get(url, HTTP_HX_REQUEST="true")
        assert part.status_code == 200, name
        parts[name] = part.content.decode()
    page = _with_entries(response.content.decode(), parts["entries"])
    page = _with_retests(page, parts["retests"])
    page = _with_sites(page, parts["sites"])
    page = _with_readiness(page, parts["readiness"])
    return _with_sign_panel(page, parts["sign"])


def test_session_form_carries_what_it_carried_before(make_user, client_for):
    physio, patient, session, sites, retests = _world(make_user)
    client = client_for(physio)
    names = _Names(patient, session, sites, retests, physio)
    content = _content(_as_shown(client, session, patient), names)
    if os.environ.get("GOLDEN_UPDATE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n")
    golden = json.loads(GOLDEN.read_text())
    # Section by section, so a failure names what went missing.
    assert content["pickers"].keys() == golden["pickers"].keys()
    for name, options in golden["pickers"].items():
        assert content["pickers"][name] == options, name
    assert content["rows"] == golden["rows"]
    assert content["links"] == golden["links"]
    assert content["controls"] == golden["controls"]
    assert content["text"] == golden["text"]
