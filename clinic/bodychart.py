"""The body chart: where it hurts, marked on a front and a back outline of the body.

A mark is a small dict, stored as JSON (e.g. in a JSONField)::

    {"view": "front" | "back", "x": 0.4312, "y": 0.2875, "kind": "pain", "note": "..."}

x and y are fractions (0..1) of the outline's viewBox (static/img/body-*.svg, 200 x 440),
so a mark keeps its place at any drawing size. Three ways in and out:

* ``parse_marks(raw, kinds=...)`` validates what a browser sent (ValidationError if not OK);
* ``BodyChartField`` / ``BodyChartWidget`` put an editable chart in a form. Pages must render
  ``{{ form.media }}`` (it brings static/css/bodychart.css and a deferred
  static/js/bodychart.js); a widget swapped in later by htmx needs the page to have loaded
  that media already, since htmx here does not run scripts in swapped content;
* ``render_bodychart_svg(marks, view=...)`` and ``{% load bodychart %}{% bodychart marks %}``
  draw a read-only chart as inline SVG with no JavaScript, for pages and WeasyPrint PDFs.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.forms.widgets import Script
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

VIEWS: tuple[str, ...] = ("front", "back")
VIEW_LABELS = {"front": "Front", "back": "Back"}
# Which side of the drawing is the patient's right: the front view faces us.
VIEW_SIDES = {"front": ("R", "L"), "back": ("L", "R")}
VIEWBOX_WIDTH = 200
VIEWBOX_HEIGHT = 440
MAX_MARKS = 60
NOTE_MAX_LENGTH = 200
OUTLINE_FILES = {"front": "img/body-front.svg", "back": "img/body-back.svg"}

MARK_KINDS: list[tuple[str, str]] = [
    ("pain", "Pain"),
    ("paraesthesia", "Pins and needles / numbness"),
    ("taut_band", "Taut band"),
    ("skin_sign", "Skin sign"),
]
KIND_LABELS = dict(MARK_KINDS)


@dataclass(frozen=True)
class MarkStyle:
    """How a kind of mark is drawn: a colour and a shape, so colour is never the only cue."""

    colour: str
    shape: str  # a key of SHAPE_PATHS


# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies; purple and
# green darkened for contrast on the white outline), each paired with its own shape.
MARK_STYLES: dict[str, MarkStyle] = {
    "pain": MarkStyle("#d55e00", "circle"),
    "paraesthesia": MarkStyle("#0072b2", "diamond"),
    "taut_band": MarkStyle("#8e3b8a", "cross"),
    "skin_sign": MarkStyle("#007a5a", "triangle"),
}
UNKNOWN_STYLE = MarkStyle("#5d6b70", "square")  # a stored kind no longer configured


def _cross_path(reach: float = 5.6, half: float = 1.75) -> str:
    """An X as one filled polygon (a plus sign turned 45 degrees)."""
    plus = [
        (half, -reach), (half, -half), (reach, -half), (reach, half), (half, half),
        (half, reach), (-half, reach), (-half, half), (-reach, half), (-reach, -half),
        (-half, -half), (-half, -reach),
    ]  # fmt: skip
    turn = math.sqrt(0.5)
    points = [((x - y) * turn, (x + y) * turn) for x, y in plus]
    return "M" + "L".join(f"{_num(x)},{_num(y)}" for x, y in points) + "Z"


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# Shapes centred on (0, 0), in viewBox units, of about equal visual weight. The browser
# script draws marks from these same paths (passed to it in the widget's data-kinds).
SHAPE_PATHS: dict[str, str] = {
    "circle": "M0,-4.8A4.8,4.8 0 1 1 0,4.8A4.8,4.8 0 1 1 0,-4.8Z",
    "diamond": "M0,-6.2L6.2,0L0,6.2L-6.2,0Z",
    "cross": _cross_path(),
    "triangle": "M0,-6L6,4.6H-6Z",
    "square": "M-4.3,-4.3H4.3V4.3H-4.3Z",
}


def style_for(kind: str) -> MarkStyle:
    return MARK_STYLES.get(kind, UNKNOWN_STYLE)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize() or "Mark")


# --- Validation ---------------------------------------------------------------------------


def _invalid() -> ValidationError:
    return ValidationError(
        "The body chart could not be read. Please mark the areas again.", code="invalid"
    )


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def _coordinate(value: Any) -> float | None:
    """A finite number in 0..1, else None. JSON booleans are not numbers here."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        return None
    return value


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _encodable(text: str) -> bool:
    """Whether `text` is valid UTF-8 text. A JSON escape such as \\ud800 without its pair
    gives a lone surrogate: PostgreSQL refuses it, and a page showing it cannot be encoded
    (UnicodeEncodeError)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_marks(
    raw: str | bytes | list | None, *, kinds: Iterable[str], max_marks: int = MAX_MARKS
) -> list[dict]:
    """Validate body chart marks sent by a browser (a JSON string) or given as a list.

    Returns a new list of ``{"view", "x", "y", "kind", "note"}`` dicts with x and y rounded
    to 4 decimals and notes stripped; unknown keys are dropped. Every string is valid UTF-8
    (no lone surrogates). Raises ValidationError with a message a patient can act on.
    """
    allowed = set(kinds)
    if raw is None:
        return []
    if isinstance(raw, bytes | str):
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if not text.strip():
            return []
        # Generous: a full chart with long notes is about 25 kB.
        if len(text) > max_marks * 1000 + 1000:
            raise ValidationError(
                "Too many marks: the body chart can hold at most %(max)d.",
                code="too_many",
                params={"max": max_marks},
            )
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            raise _invalid() from None
    else:
        data = raw
    if not isinstance(data, list | tuple):
        raise _invalid()
    if len(data) > max_marks:
        raise ValidationError(
            "Too many marks: the body chart can hold at most %(max)d.",
            code="too_many",
            params={"max": max_marks},
        )
    marks = []
    for item in data:
        if not isinstance(item, dict):
            raise _invalid()
        view = item.get("view")
        if view not in VIEWS:
            raise ValidationError(
                "A mark is on an unknown view of the body chart (front or back).",
                code="unknown_view",
            )
        x, y = _coordinate(item.get("x")), _coordinate(item.get("y"))
        if x is None or y is None:
            raise ValidationError(
                "A mark is outside the body chart. Please remove it and mark the area again.",
                code="outside",
            )
        kind = item.get("kind")
        if not isinstance(kind, str) or kind not in allowed:
            raise ValidationError(
                "Unknown mark kind %(kind)s. Choose one of: %(choices)s.",
                code="unknown_kind",
                params={
                    # Shown on the page: a lone surrogate would make it unencodable.
                    "kind": f"“{str(kind)[:40].encode('utf-8', 'replace').decode()}”",
                    "choices": ", ".join(kind_label(k) for k in _ordered(allowed)),
                },
            )
        note = item.get("note", "")
        if note is None:
            note = ""
        if not isinstance(note, str):
            raise _invalid()
        if not _encodable(note):
            raise ValidationError(
                "A mark's note holds characters that cannot be saved. Please type it again.",
                code="invalid_text",
            )
        note = _CONTROL_CHARS.sub("", note).strip()
        if len(note) > NOTE_MAX_LENGTH:
            raise ValidationError(
                "A mark's note is too long: at most %(max)d characters, it has %(length)d.",
                code="note_too_long",
                params={"max": NOTE_MAX_LENGTH, "length": len(note)},
            )
        marks.append({"view": view, "x": round(x, 4), "y": round(y, 4), "kind": kind, "note": note})
    return marks


def _ordered(kinds: Iterable[str]) -> list[str]:
    """Kinds in MARK_KINDS order (then any others alphabetically)."""
    kinds = set(kinds)
    known = [key for key, _label in MARK_KINDS if key in kinds]
    return known + sorted(kinds - set(known))


def _check_kinds(kinds: Iterable[str] | None) -> list[str]:
    if kinds is None:
        return [key for key, _label in MARK_KINDS]
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = set(kinds) - set(KIND_LABELS)
    if unknown:
        raise ValueError(f"Unknown body chart mark kinds: {', '.join(sorted(unknown))}")
    if not kinds:
        raise ValueError("A body chart needs at least one kind of mark")
    return _ordered(kinds)


def _printable(text: str) -> str:
    """`text` with any lone surrogate replaced ("?"), so that a page can be encoded; a
    refused form re-renders what was sent, and that is where they come from."""
    return text if _encodable(text) else text.encode("utf-8", "replace").decode()


def display_marks(marks: Any) -> list[dict]:
    """Marks for drawing, from whatever was stored: never raises.

    Accepts a list or a JSON string; drops entries that cannot be placed, keeps unknown
    kinds (drawn with UNKNOWN_STYLE) and numbers each mark from 1 in the stored order.
    """
    if isinstance(marks, bytes | str):
        try:
            marks = json.loads(marks, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            return []
    if not isinstance(marks, list | tuple):
        return []
    shown = []
    for number, item in enumerate(marks, start=1):
        if not isinstance(item, dict) or item.get("view") not in VIEWS:
            continue
        x, y = _coordinate(item.get("x")), _coordinate(item.get("y"))
        if x is None or y is None:
            continue
        kind = _printable(item.get("kind")) if isinstance(item.get("kind"), str) else ""
        note = _printable(item.get("note")) if isinstance(item.get("note"), str) else ""
        shown.append(
            {"number": number, "view": item["view"], "x": x, "y": y, "kind": kind, "note": note}
        )
    return shown


# --- Read-only drawing ----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _outline_inner_cached(path: str, mtime: float) -> str:
    text = Path(path).read_text(encoding="utf-8")
    match = re.search(r"<svg\b[^>]*>(.*)</svg>", text, flags=re.DOTALL)
    if not match:
        raise ImproperlyConfigured(f"{path} is not an SVG file")
    inner = re.sub(r"<!--.*?-->", "", match.group(1), flags=re.DOTALL)
    return "\n".join(line.strip() for line in inner.splitlines() if line.strip())


def outline_markup(view: str) -> str:
    """The drawing inside body-<view>.svg's <svg> element (trusted, from the static dir)."""
    name = OUTLINE_FILES[view]
    path = finders.find(name)
    if not path:
        raise ImproperlyConfigured(f"Static file {name} not found (the body chart outline)")
    path = str(path)
    return _outline_inner_cached(path, Path(path).stat().st_mtime)


def mark_title(mark: dict) -> str:
    """Plain text describing a mark, e.g. 'Pain, front view, mark 2: worse on sitting'."""
    text = f"{kind_label(mark['kind'])}, {mark['view']} view, mark {mark['number']}"
    return f"{text}: {mark['note']}" if mark.get("note") else text


def _mark_svg(mark: dict) -> SafeString:
    style = style_for(mark["kind"])
    x = _num(mark["x"] * VIEWBOX_WIDTH)
    y = _num(mark["y"] * VIEWBOX_HEIGHT)
    label = ""
    if mark.get("note"):
        # A number beside marks with a note ties them to the notes list under the chart.
        # Drawn twice (white halo, then ink): WeasyPrint has no paint-order.
        text = (
            '<text x="6.5" y="-4" font-size="9" font-family="Helvetica, Arial, sans-serif" '
            'font-weight="700" {paint}>{number}</text>'
        )
        label = format_html(
            '<g class="bodychart-mark-number" aria-hidden="true">{}{}</g>',
            format_html(
                text,
                paint=mark_safe('fill="#ffffff" stroke="#ffffff" stroke-width="2.6"'),  # noqa: S308
                number=mark["number"],
            ),
            format_html(text, paint=mark_safe('fill="#1f2a2e"'), number=mark["number"]),  # noqa: S308
        )
    return format_html(
        '<g class="bodychart-mark" data-kind="{kind}" data-number="{number}" '
        'transform="translate({x} {y})"><title>{title}</title>'
        '<path d="{d}" fill="{colour}" stroke="#ffffff" stroke-width="1.3" '
        'stroke-linejoin="round"/>{label}</g>',
        kind=mark["kind"],
        number=mark["number"],
        x=x,
        y=y,
        title=mark_title(mark),
        d=SHAPE_PATHS[style.shape],
        colour=style.colour,
        label=label,
    )


def _svg(view: str, shown: list[dict], width: int | None, css_class: str = "") -> SafeString:
    if view not in VIEWS:
        raise ValueError(f"Unknown body chart view {view!r}; use one of {VIEWS}")
    in_view = [mark for mark in shown if mark["view"] == view]
    size = ""
    if width:
        height = round(width * VIEWBOX_HEIGHT / VIEWBOX_WIDTH)
        size = format_html(' width="{}" height="{}"', int(width), height)
    right_side = "left" if view == "front" else "right"
    count = len(in_view)
    label = (
        f"{VIEW_LABELS[view]} view of the body, the patient's right on the {right_side}; "
        f"{count} mark{'' if count == 1 else 's'}"
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}"{size} '
        'class="bodychart-svg bodychart-svg-{view}{extra}" data-view="{view}" role="img" '
        'aria-label="{label}">{outline}<g class="bodychart-marks">{marks}</g></svg>',
        w=VIEWBOX_WIDTH,
        h=VIEWBOX_HEIGHT,
        size=size,
        view=view,
        extra=f" {css_class}" if css_class else "",
        label=label,
        outline=mark_safe(outline_markup(view)),  # noqa: S308 - our own static file
        marks=mark_safe("".join(_mark_svg(mark) for mark in in_view)),  # noqa: S308
    )


def render_bodychart_svg(marks: Any, *, view: str, width: int | None = None) -> SafeString:
    """An inline <svg> of one view (outline plus marks), read-only and script-free.

    `marks` is a list of mark dicts (or their JSON); marks of the other view are ignored and
    marks that cannot be placed are skipped. Notes appear as SVG <title>s (escaped). Without
    `width` the SVG has no size attributes, so the page's CSS sizes it.
    """
    return _svg(view, display_marks(marks), width)


def swatch_svg(kind: str, size: int = 16) -> SafeString:
    """A small inline SVG of a kind's shape, for legends and pickers (decorative)."""
    style = style_for(kind)
    return format_html(
        '<svg class="bodychart-swatch" viewBox="-7.5 -7.5 15 15" width="{s}" height="{s}" '
        'aria-hidden="true" focusable="false"><path d="{d}" fill="{c}" stroke="#ffffff" '
        'stroke-width="1"/></svg>',
        s=size,
        d=SHAPE_PATHS[style.shape],
        c=style.colour,
    )


def render_bodychart(
    marks: Any, *, width: int | None = 160, legend: bool = True, notes: bool = True
) -> SafeString:
    """Both views side by side, with a legend of the kinds used and a numbered notes list.

    The HTML uses Bootstrap utility classes and no style attributes; in a PDF give `width`
    (CSS pixels) so each view has a size without a stylesheet.
    """
    shown = display_marks(marks)
    figures = format_html_join(
        "",
        '<figure class="bodychart-figure m-0 text-center">{}'
        '<figcaption class="bodychart-caption d-flex justify-content-between small '
        'text-body-secondary"><span aria-hidden="true">{}</span><span>{}</span>'
        '<span aria-hidden="true">{}</span></figcaption></figure>',
        (
            (_svg(view, shown, width), VIEW_SIDES[view][0], VIEW_LABELS[view], VIEW_SIDES[view][1])
            for view in VIEWS
        ),
    )
    parts = [
        format_html(
            '<div class="bodychart-figures d-flex flex-wrap justify-content-center gap-4">{}</div>',
            figures,
        )
    ]
    used = _ordered({mark["kind"] for mark in shown})
    if not shown:
        parts.append(
            mark_safe(  # noqa: S308 - constant text
                '<p class="bodychart-empty text-body-secondary small text-center mt-2 mb-0">'
                "No areas marked.</p>"
            )
        )
    elif legend:
        parts.append(
            format_html(
                '<ul class="bodychart-legend list-inline small text-center mt-2 mb-0" '
                'aria-label="Legend">{}</ul>',
                format_html_join(
                    "",
                    '<li class="list-inline-item text-nowrap me-3">{} {}</li>',
                    ((swatch_svg(kind, 14), kind_label(kind)) for kind in used),
                ),
            )
        )
    noted = [mark for mark in shown if mark["note"]]
    if notes and noted:
        parts.append(
            format_html(
                # Numbers written out (not <ol>): they must match the numbers on the chart,
                # and WeasyPrint ignores <li value>.
                '<ul class="bodychart-notes list-unstyled small mt-3 mb-0">{}</ul>',
                format_html_join(
                    "",
                    '<li><span class="fw-semibold">{}. {}, {} view:</span> {}</li>',
                    (
                        (mark["number"], kind_label(mark["kind"]), mark["view"], mark["note"])
                        for mark in noted
                    ),
                ),
            )
        )
    return format_html('<div class="bodychart-readonly">{}</div>', mark_safe("".join(parts)))  # noqa: S308


# --- Form field and widget ------------------------------------------------------------------


def kind_options(kinds: Iterable[str]) -> list[dict]:
    """What the widget template and script need to know about each kind."""
    return [
        {
            "key": key,
            "label": kind_label(key),
            "colour": style_for(key).colour,
            "shape": style_for(key).shape,
            "path": SHAPE_PATHS[style_for(key).shape],
            "swatch": swatch_svg(key, 18),
        }
        for key in kinds
    ]


class BodyChartWidget(forms.Widget):
    """Front and back outlines to tap on, a kind picker, and an accessible list of marks.

    Without JavaScript it shows the chart read-only and keeps the value. Render
    ``{{ form.media }}`` on the page (once, before or after the form).
    """

    template_name = "includes/bodychart_widget.html"
    use_fieldset = True

    class Media:
        css = {"all": ("css/bodychart.css",)}
        js = (Script("js/bodychart.js", defer=True),)

    def __init__(
        self, attrs=None, *, kinds: Iterable[str] | None = None, max_marks: int = MAX_MARKS
    ):
        super().__init__(attrs)
        self.kinds = _check_kinds(kinds)
        self.max_marks = max_marks

    def format_value(self, value: Any) -> str:
        if value is None or value == "":
            return "[]"
        if isinstance(value, str):
            return value
        return json.dumps(list(value), ensure_ascii=False, separators=(",", ":"))

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def id_for_label(self, id_):
        # A group of controls: the field's label becomes the fieldset's legend.
        return ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        attrs = dict(widget["attrs"])
        classes = attrs.pop("class", "").split()
        widget["root_class"] = " ".join(c for c in classes if c == "is-invalid")
        uid = attrs.get("id") or f"bodychart-{uuid.uuid4().hex[:8]}"
        attrs["id"] = uid
        widget["attrs"] = attrs
        widget["uid"] = uid
        shown = display_marks(widget["value"])
        widget["marks"] = shown
        widget["views"] = [
            {
                "key": view,
                "label": VIEW_LABELS[view],
                "sides": VIEW_SIDES[view],
                "svg": _svg(view, shown, None, "bodychart-canvas-svg"),
            }
            for view in VIEWS
        ]
        options = kind_options(self.kinds)
        widget["kinds"] = options
        widget["kinds_json"] = json.dumps(
            [{k: option[k] for k in ("key", "label", "colour", "path")} for option in options],
            separators=(",", ":"),
        )
        widget["max_marks"] = self.max_marks
        widget["note_max_length"] = NOTE_MAX_LENGTH
        return context


class BodyChartField(forms.Field):
    """A list of body chart marks; the cleaned value is parse_marks()' list of dicts.

    ``kinds`` limits which kinds of mark can be placed (keys of MARK_KINDS; default all).
    """

    widget = BodyChartWidget
    default_error_messages = {
        "required": "Mark at least one area on the body chart.",
    }

    def __init__(
        self, *, kinds: Iterable[str] | None = None, max_marks: int = MAX_MARKS, **kwargs
    ) -> None:
        self.kinds = _check_kinds(kinds)
        self.max_marks = max_marks
        super().__init__(**kwargs)
        self.widget.kinds = self.kinds
        self.widget.max_marks = max_marks

    def to_python(self, value: Any) -> list[dict]:
        if value in self.empty_values:
            return []
        return parse_marks(value, kinds=self.kinds, max_marks=self.max_marks)

    def validate(self, value: list[dict]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value: Any) -> Any:
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        old = [
            {
                "view": m["view"],
                "x": round(m["x"], 4),
                "y": round(m["y"], 4),
                "kind": m["kind"],
                "note": m["note"].strip(),
            }
            for m in display_marks(initial or [])
        ]
        return old != new
