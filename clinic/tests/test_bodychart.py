"""The body chart: parsing marks, the form field, the read-only SVG and the widget in Chromium."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template import engines

from clinic.bodychart import (
    MARK_KINDS,
    MARK_STYLES,
    BodyChartField,
    parse_marks,
    render_bodychart_svg,
)

ALL_KINDS = {key for key, _label in MARK_KINDS}
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def mark(**fields) -> dict:
    return {"view": "front", "x": 0.5, "y": 0.3, "kind": "pain", "note": ""} | fields


# --- parse_marks ---------------------------------------------------------------------------


def test_parse_marks_accepts_good_json_and_normalises_it():
    raw = json.dumps(
        [
            mark(x=0.123456, y=0.98765, note="  sharp on lifting  ", extra="dropped"),
            {"view": "back", "x": 0, "y": 1, "kind": "taut_band"},
        ]
    )
    assert parse_marks(raw, kinds=ALL_KINDS) == [
        {"view": "front", "x": 0.1235, "y": 0.9877, "kind": "pain", "note": "sharp on lifting"},
        {"view": "back", "x": 0.0, "y": 1.0, "kind": "taut_band", "note": ""},
    ]


def test_parse_marks_accepts_a_list_and_empty_input():
    assert parse_marks([mark()], kinds={"pain"}) == [mark()]
    assert parse_marks("", kinds={"pain"}) == []
    assert parse_marks("[]", kinds={"pain"}) == []
    assert parse_marks(None, kinds={"pain"}) == []


def test_parse_marks_drops_control_characters_from_notes():
    assert parse_marks([mark(note="a\x00b\tc\n")], kinds={"pain"})[0]["note"] == "ab\tc"


@pytest.mark.parametrize("note", ["\\ud800", "a\\udfffb"])
def test_parse_marks_refuses_a_lone_surrogate(note):
    """A JSON escape of half a surrogate pair cannot be stored (PostgreSQL) or shown (the
    page cannot be encoded); a full pair is an ordinary character."""
    raw = '[{"view": "front", "x": 0.5, "y": 0.5, "kind": "pain", "note": "' + note + '"}]'
    assert errors_of(raw) == [
        "A mark's note holds characters that cannot be saved. Please type it again."
    ]
    pair = raw.replace(note, "\\ud83d\\ude00")
    assert parse_marks(pair, kinds=ALL_KINDS)[0]["note"] == "\U0001f600"


def test_an_unknown_kind_with_a_lone_surrogate_gives_a_printable_error():
    raw = '[{"view": "front", "x": 0.5, "y": 0.5, "kind": "\\ud800"}]'
    (message,) = errors_of(raw)
    message.encode("utf-8")  # shown on the page


def test_redisplaying_refused_marks_with_a_lone_surrogate_can_be_encoded():
    """A refused form shows back what was sent: the chart must still encode."""
    raw = '[{"view": "front", "x": 0.5, "y": 0.5, "kind": "pain", "note": "\\ud800"}]'
    str(render_bodychart_svg(raw, view="front")).encode("utf-8")


def errors_of(raw, **kwargs) -> list[str]:
    kwargs.setdefault("kinds", ALL_KINDS)
    with pytest.raises(ValidationError) as caught:
        parse_marks(raw, **kwargs)
    return caught.value.messages


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        '{"view": "front"}',
        "[1, 2]",
        json.dumps([mark(note=5)]),
        "[" * 5000 + "]" * 5000,
    ],
    ids=["garbage", "object", "numbers", "note-not-text", "deep"],
)
def test_parse_marks_rejects_unreadable_data(raw):
    assert errors_of(raw) == ["The body chart could not be read. Please mark the areas again."]


@pytest.mark.parametrize(
    "bad",
    [
        {"x": 1.01},
        {"y": -0.2},
        {"x": "0.5"},
        {"x": True},
        {"y": None},
        {"x": float("inf")},
    ],
    ids=["x>1", "y<0", "string", "bool", "missing", "infinite"],
)
def test_parse_marks_rejects_a_mark_outside_the_chart(bad):
    [message] = errors_of([mark(**bad)])
    assert message.startswith("A mark is outside the body chart")


def test_parse_marks_rejects_nan():
    [message] = errors_of('[{"view": "front", "x": NaN, "y": 0.5, "kind": "pain"}]')
    assert message.startswith("The body chart could not be read")


def test_parse_marks_rejects_an_unknown_kind():
    [message] = errors_of(json.dumps([mark(kind="taut_band")]), kinds={"pain", "paraesthesia"})
    assert message.startswith("Unknown mark kind “taut_band”")
    assert "Pain, Pins and needles / numbness" in message


def test_parse_marks_rejects_an_unknown_view():
    [message] = errors_of(json.dumps([mark(view="side")]))
    assert "unknown view" in message


def test_parse_marks_rejects_too_many_marks():
    assert parse_marks([mark()] * 3, kinds={"pain"}, max_marks=3)
    [message] = errors_of([mark()] * 4, kinds={"pain"}, max_marks=3)
    assert message == "Too many marks: the body chart can hold at most 3."
    [message] = errors_of(json.dumps([mark()] * 61))
    assert message.startswith("Too many marks")


def test_parse_marks_rejects_a_long_note():
    assert parse_marks([mark(note="n" * 200)], kinds={"pain"})
    [message] = errors_of([mark(note="n" * 201)])
    assert message == "A mark's note is too long: at most 200 characters, it has 201."


# --- The form field ------------------------------------------------------------------------


class IntakeForm(forms.Form):
    marks = BodyChartField(kinds={"paraesthesia", "pain"})


class OptionalForm(forms.Form):
    marks = BodyChartField(required=False)


def test_the_field_cleans_to_a_list_of_marks():
    form = IntakeForm({"marks": json.dumps([mark(x=0.33333)])})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["marks"] == [mark(x=0.3333)]


def test_the_field_reports_each_problem_on_the_field():
    form = IntakeForm({"marks": json.dumps([mark(kind="skin_sign")])})
    assert not form.is_valid()
    assert form.errors["marks"][0].startswith("Unknown mark kind")

    form = IntakeForm({"marks": "[]"})
    assert not form.is_valid()
    assert form.errors["marks"] == ["Mark at least one area on the body chart."]

    optional = OptionalForm({"marks": ""})
    assert optional.is_valid()
    assert optional.cleaned_data["marks"] == []


def test_the_field_knows_when_marks_changed():
    initial = [mark()]
    assert not OptionalForm(
        {"marks": json.dumps(initial)}, initial={"marks": initial}
    ).has_changed()
    assert OptionalForm({"marks": "[]"}, initial={"marks": initial}).has_changed()


def test_the_field_rejects_kinds_it_does_not_know():
    with pytest.raises(ValueError, match="Unknown body chart mark kinds: wobble"):
        BodyChartField(kinds={"pain", "wobble"})


def test_the_widget_renders_the_chart_the_picker_and_the_value():
    form = IntakeForm(initial={"marks": [mark(note="<b>hi</b>")]})
    html = str(form["marks"])
    assert re.search(r"data-bodychart(?![-\w])", html)
    hidden = re.search(r'<input type="hidden"\s+name="marks"\s+value="([^"]*)"', html)
    assert json.loads(unescape(hidden.group(1))) == [mark(note="<b>hi</b>")]
    # The picker offers the field's kinds only, in MARK_KINDS order, first one chosen.
    assert re.findall(r'name="marks__kind"[^>]*value="(\w+)"', html) == ["pain", "paraesthesia"]
    assert html.count('class="bodychart-outline"') == 2
    assert html.count('class="bodychart-mark"') == 1
    assert "<b>hi</b>" not in html
    assert "style=" not in html
    assert "onclick" not in html.lower()
    assert "<script" not in html
    assert form["marks"].use_fieldset


def test_a_disabled_chart_is_shown_read_only():
    form = OptionalForm(initial={"marks": [mark()]})
    form.fields["marks"].disabled = True
    html = str(form["marks"])
    assert not re.search(r"data-bodychart(?![-\w])", html)  # the script leaves it alone
    assert "is-disabled" in html
    assert html.count('class="bodychart-mark"') == 1


def test_the_widget_brings_its_css_and_deferred_script():
    media = str(IntakeForm().media)
    assert '<link href="/static/css/bodychart.css" media="all" rel="stylesheet">' in media
    assert '<script src="/static/js/bodychart.js" defer></script>' in media


# --- Read-only drawing ---------------------------------------------------------------------


def test_render_bodychart_svg_draws_the_outline_and_one_shape_per_mark():
    marks = [
        mark(),
        mark(kind="paraesthesia", x=0.4),
        mark(view="back", kind="taut_band"),
        {"view": "front", "x": 7, "y": 0.5, "kind": "pain"},  # cannot be placed: skipped
    ]
    svg = render_bodychart_svg(marks, view="front", width=180)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 440"')
    assert 'width="180" height="396"' in svg
    assert 'class="bodychart-outline"' in svg
    assert svg.count('class="bodychart-mark"') == 2
    assert MARK_STYLES["pain"].colour in svg
    assert MARK_STYLES["paraesthesia"].colour in svg
    assert 'transform="translate(100 132)"' in svg
    ET.fromstring(svg)  # noqa: S314 - our own markup; well-formed, as WeasyPrint needs

    back = render_bodychart_svg(marks, view="back")
    assert back.count('class="bodychart-mark"') == 1
    assert "width=" not in back.split(">", 1)[0]
    with pytest.raises(ValueError, match="Unknown body chart view"):
        render_bodychart_svg(marks, view="side")


def test_render_bodychart_svg_escapes_notes_into_titles():
    svg = render_bodychart_svg([mark(note='<script>alert("x")</script> & more')], view="front")
    assert "<script>" not in svg
    assert (
        "<title>Pain, front view, mark 1: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
        "&amp; more</title>" in svg
    )
    ET.fromstring(svg)  # noqa: S314 - our own markup


def test_render_bodychart_svg_reads_stored_json_and_survives_junk():
    assert render_bodychart_svg(json.dumps([mark()]), view="front").count('bodychart-mark"') == 1
    for junk in (None, "", "{", 42, [1, "a", {"view": "front"}]):
        assert 'class="bodychart-outline"' in render_bodychart_svg(junk, view="front")


def test_the_template_tag_shows_both_views_a_legend_and_the_notes():
    template = engines["django"].from_string("{% load bodychart %}{% bodychart marks width=150 %}")
    html = template.render(
        {
            "marks": [
                mark(),
                mark(view="back", kind="skin_sign", note="scar <healed>"),
            ]
        }
    )
    assert html.count("<svg xmlns") == 2
    assert html.count('width="150" height="330"') == 2
    legend = re.search(r'<ul class="bodychart-legend.*?</ul>', html).group(0)
    assert "Pain" in legend
    assert "Skin sign" in legend
    assert "Taut band" not in legend
    assert (
        '<li><span class="fw-semibold">2. Skin sign, back view:</span> scar &lt;healed&gt;</li>'
        in html
    )
    assert "style=" not in html

    empty = engines["django"].from_string("{% load bodychart %}{% bodychart marks %}")
    assert "No areas marked." in empty.render({"marks": []})


@pytest.mark.parametrize("view", ["front", "back"])
def test_the_outlines_are_clean_svg_files(view):
    path = finders.find(f"img/body-{view}.svg")
    root = ET.parse(path).getroot()  # noqa: S314 - our own static file
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 200 440"
    text = Path(path).read_text()
    # Inlined several times on one page: no ids; no scripts, styles or labels.
    for forbidden in (" id=", "<script", "style=", "<text"):
        assert forbidden not in text
    assert 'class="bodychart-outline"' in text


# --- In the browser ------------------------------------------------------------------------


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky navbar lands mid-page
    page.screenshot(path=str(SHOTS / f"bodychart-{name}.png"), full_page=True)


def marks_in(page, widget: str) -> list[dict]:
    return json.loads(page.input_value(f"#{widget}-chart [data-bodychart-input]"))


def open_chart(page):
    page.goto(page.base + "/bodychart-test/")
    page.wait_for_selector("#id_chart-chart.is-ready")
    page.wait_for_selector("#id_intake_chart-chart.is-ready")


def click_view(page, widget: str, view: str, x: float, y: float) -> None:
    svg = page.locator(f'#{widget}-chart [data-bodychart-view="{view}"] svg')
    box = svg.bounding_box()
    svg.click(position={"x": box["width"] * x, "y": box["height"] * y})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("clinic.tests.bodychart_urls")
def test_marking_the_body_chart_in_a_browser(page_for):
    page = page_for(1280, 800)
    open_chart(page)
    assert marks_in(page, "id_chart") == []

    # A pain mark on the front of the chest, a taut band on the back of the left thigh.
    click_view(page, "id_chart", "front", 0.5, 0.3)
    page.locator("#id_chart-chart label", has_text="Taut band").click()
    click_view(page, "id_chart", "back", 0.4, 0.6)
    marks = marks_in(page, "id_chart")
    assert [(m["view"], m["kind"]) for m in marks] == [("front", "pain"), ("back", "taut_band")]
    for m, (x, y) in zip(marks, [(0.5, 0.3), (0.4, 0.6)], strict=True):
        assert 0 <= m["x"] <= 1
        assert 0 <= m["y"] <= 1
        assert m["x"] == pytest.approx(x, abs=0.01)
        assert m["y"] == pytest.approx(y, abs=0.01)
    assert page.locator("#id_chart-chart .bodychart-mark").count() == 2
    items = page.locator("#id_chart-chart .bodychart-item-label").all_inner_texts()
    assert items == ["Pain - front view, mark 1", "Taut band - back view, mark 2"]
    # The other widget on the page is untouched.
    assert marks_in(page, "id_intake_chart") == []

    # Outside the body nothing is placed.
    click_view(page, "id_chart", "front", 0.05, 0.05)
    assert len(marks_in(page, "id_chart")) == 2

    # Tapping a mark selects it and offers to remove it.
    click_view(page, "id_chart", "front", 0.5, 0.3)
    popover = page.locator("#id_chart-chart .bodychart-popover")
    assert popover.is_visible()
    assert "Pain - front view, mark 1" in popover.inner_text()
    shot(page, "desktop")
    popover.get_by_role("button", name="Remove Pain - front view, mark 1").click()
    assert [m["view"] for m in marks_in(page, "id_chart")] == ["back"]
    assert not popover.is_visible()

    # Undo brings it back; the list's Remove button removes it again.
    page.locator("#id_chart-chart [data-bodychart-undo]").click()
    assert len(marks_in(page, "id_chart")) == 2
    page.get_by_role("button", name="Remove Pain - front view, mark 1").click()
    assert [m["kind"] for m in marks_in(page, "id_chart")] == ["taut_band"]

    # Keyboard: focus the back view, move the cross, Enter places a mark; Undo takes it away.
    back = page.locator('#id_chart-chart [data-bodychart-view="back"] svg')
    back.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert len(marks_in(page, "id_chart")) == 2
    assert marks_in(page, "id_chart")[1]["y"] == pytest.approx(0.305, abs=0.001)
    page.get_by_role("button", name="Undo last").first.click()
    assert len(marks_in(page, "id_chart")) == 1

    # A note typed in the list travels with the mark.
    page.get_by_label("Note for Taut band - back view, mark 1").fill("tender <VL>")
    assert marks_in(page, "id_chart")[0]["note"] == "tender <VL>"

    # Clear all empties the chart; Undo last brings the marks back, notes and all.
    page.locator("#id_chart-chart [data-bodychart-clear]").click()
    assert marks_in(page, "id_chart") == []
    assert page.locator("#id_chart-chart [data-bodychart-empty]").is_visible()
    page.locator("#id_chart-chart [data-bodychart-undo]").click()
    assert marks_in(page, "id_chart")[0]["note"] == "tender <VL>"

    # Content swapped in by htmx (here a copy of the second widget, as a history restore
    # would bring it back) gets a working chart of its own.
    page.evaluate(
        """() => {
          // Positions set through element.style serialise as style attributes, which the
          // CSP refuses when parsed back; server-rendered markup never has them.
          const copy = document.querySelector("#id_intake_chart-chart").outerHTML
            .replaceAll("id_intake_chart", "id_swapped")
            .replace(/ style="[^"]*"/g, "");
          const host = document.createElement("div");
          host.id = "swap-host";
          document.querySelector("form").after(host);
          htmx.swap(host, copy, {swapStyle: "innerHTML"});
        }"""
    )
    page.wait_for_function("() => document.querySelector('#id_swapped-chart')?.bodyChart")
    click_view(page, "id_swapped", "back", 0.5, 0.3)
    assert [m["view"] for m in marks_in(page, "id_swapped")] == ["back"]
    assert page.locator("#id_swapped-chart .bodychart-cursor").count() == 2
    assert page.locator("#id_swapped-chart .bodychart-hit").count() == 2
    assert len(marks_in(page, "id_chart")) == 1

    page.click("#save")
    page.wait_for_selector("#received")
    assert page.inner_text("#received-count") == "Received 1 mark."
    [received] = json.loads(page.inner_text("#received"))
    assert received["view"] == "back"
    assert received["kind"] == "taut_band"
    assert received["note"] == "tender <VL>"
    assert page.locator(".bodychart-readonly .bodychart-mark").count() == 1
    # The form shows the saved mark again, ready for more.
    assert len(marks_in(page, "id_chart")) == 1
    shot(page, "desktop-saved")
    assert page.console_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("clinic.tests.bodychart_urls")
def test_the_body_chart_on_a_phone_by_touch(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.base = live_server.url
        open_chart(page)
        front = page.locator('#id_chart-chart [data-bodychart-view="front"]').bounding_box()
        back = page.locator('#id_chart-chart [data-bodychart-view="back"]').bounding_box()
        assert back["y"] >= front["y"] + front["height"]  # the views stack on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.locator("#id_intake_chart-chart label", has_text="Pins and needles").tap()
        for view, x, y in [("front", 0.86, 0.56), ("back", 0.6, 0.22)]:
            svg = page.locator(f'#id_intake_chart-chart [data-bodychart-view="{view}"] svg')
            svg.scroll_into_view_if_needed()
            box = svg.bounding_box()
            svg.tap(position={"x": box["width"] * x, "y": box["height"] * y})
        marks = marks_in(page, "id_intake_chart")
        assert [(m["view"], m["kind"]) for m in marks] == [
            ("front", "paraesthesia"),
            ("back", "paraesthesia"),
        ]
        assert marks[0]["x"] == pytest.approx(0.86, abs=0.01)
        assert marks_in(page, "id_chart") == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#id_intake_chart-chart").scroll_into_view_if_needed()
        shot(page, "phone")
        assert errors == []
    finally:
        context.close()
