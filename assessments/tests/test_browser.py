"""The assessment entry page and the read-only assessment in headless Chromium.

A physiotherapist marks the body chart on a desktop and finds the marks in the same place
on a tablet and on a phone; enters Gunn's signs and a taut band through the htmx entry rows
(with the searchable muscle picker), sees an error next to the field it belongs to, signs
the assessment and reads the locked result. Screenshots land in var/screenshots/
(assessment-*.png) for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment, SignFinding, TautBand
from assessments.tests.factories import make_assessment, practitioner_for
from tests.browser import (
    assert_no_sideways_scroll,
    heading,
    shot,
    sign_in,
    success_message,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
CHART = "#id_body_marks-chart"
CLOSE = 0.02  # a mark may land this far (fraction of the chart) from where it was put

# Counts the htmx requests in flight, so a step can wait for the page to settle. htmx fires
# afterRequest on a connected element even when the one that asked was swapped out.
HTMX_COUNTER = """
window.__htmxInFlight = 0;
document.addEventListener("htmx:beforeRequest", () => { window.__htmxInFlight += 1; });
document.addEventListener("htmx:afterRequest", () => { window.__htmxInFlight -= 1; });
"""
HTMX_IDLE = """() => window.__htmxInFlight === 0
    && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")"""


# --- Helpers ---------------------------------------------------------------------------------


def open_page(page, path: str) -> None:
    page.add_init_script(HTMX_COUNTER)
    page.goto(page.base + path)


def signed_in_as_on(page, other) -> None:
    """The same physiotherapist on another device: `page` takes `other`'s session."""
    page.context.add_cookies(other.context.cookies())


def htmx_settled(page) -> None:
    page.wait_for_function(HTMX_IDLE)


def draft_for(physio) -> Assessment:
    """A fresh draft by `physio` for a patient with no intake, so the chart starts empty."""
    practitioner_for(physio)
    assessment = make_assessment(physio)
    assert assessment.body_marks == []
    return assessment


def box_centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box, "the element is not drawn"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def where_on(svg, x: float, y: float) -> tuple[float, float]:
    """A screen point as fractions of the SVG's drawn box."""
    box = svg.bounding_box()
    return (x - box["x"]) / box["width"], (y - box["y"]) / box["height"]


def assert_marks_drawn_at(marks: list[dict], *, svg_of, mark_of) -> None:
    """Every stored mark is drawn (by its own kind) where its x, y says, on its view."""
    for number, mark in enumerate(marks, start=1):
        svg = svg_of(mark["view"])
        drawn = mark_of(svg, number)
        expect(drawn).to_have_attribute("data-kind", mark["kind"])
        x, y = where_on(svg, *box_centre(drawn.locator("path")))
        assert (x, y) == (
            pytest.approx(mark["x"], abs=CLOSE),
            pytest.approx(mark["y"], abs=CLOSE),
        ), f"mark {number} ({mark['kind']}, {mark['view']}) is drawn at {x:.3f}, {y:.3f}"


def choose_kind(page, label: str) -> None:
    page.locator(f"{CHART} label.bodychart-kind").get_by_text(label, exact=True).click()
    expect(page.locator(f"{CHART} [data-bodychart-kind]:checked + label")).to_have_text(label)


def click_chart(page, view: str, x: float, y: float) -> tuple[float, float]:
    """Click a view's outline at fractions x, y of its drawn box; wait for the autosave.
    Returns where the click landed, as fractions of the box."""
    svg = page.locator(f'{CHART} [data-bodychart-view="{view}"] svg')
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    at = {"x": box["width"] * x, "y": box["height"] * y}
    with page.expect_response(lambda r: "/header/chart/" in r.url and r.ok):
        svg.click(position=at)
    htmx_settled(page)
    return at["x"] / box["width"], at["y"] / box["height"]


def pick(page, field: str, label: str) -> None:
    """Choose an option of a plain <select> in the new sign/band row, then let any htmx
    refresh of the dependent pickers finish."""
    page.select_option(f"#id_{field}", label=label)
    htmx_settled(page)
    expect(page.locator(f"#id_{field} option:checked")).to_have_text(label)


def pick_muscle(page, field: str, search: str, name: str) -> None:
    """Search the Tom Select muscle picker and take the first match with Enter."""
    # A refresh of the entry line re-creates the picker; typing into the old one is lost.
    htmx_settled(page)
    wrapper = page.locator(f"#id_{field}-wrap .ts-wrapper")
    wrapper.click()
    control = page.locator(f"#id_{field}-ts-control")
    expect(control).to_be_focused()
    control.press_sequentially(search, delay=20)
    expect(wrapper.locator(".ts-dropdown .option.active")).to_have_text(name)
    control.press("Enter")
    expect(wrapper.locator(".ts-control .item")).to_have_text(name)
    expect(page.locator(f"#id_{field} option:checked")).to_have_text(name)


def add_row(page, kind: str) -> None:
    page.locator(f"#{kind}-new-form").get_by_role("button", name="Add").click()
    htmx_settled(page)


def assert_error_next_to_picker(page, field: str, message: str) -> None:
    """A searchable picker is marked invalid and its message sits right under it."""
    wrap = page.locator(f"#id_{field}-wrap")
    picker, error = wrap.locator(".ts-wrapper"), wrap.locator(".invalid-feedback")
    expect(picker, "the re-rendered row should get its searchable picker back").to_be_visible()
    expect(error).to_be_visible()
    expect(error).to_have_text(message)
    invalid = re.compile(r"\bis-invalid\b")
    expect(page.locator(f"#id_{field}")).to_have_class(invalid)
    expect(picker).to_have_class(invalid)
    picker_box, error_box = picker.bounding_box(), error.bounding_box()
    below = error_box["y"] - (picker_box["y"] + picker_box["height"])
    assert -2 <= below <= 24, f"the error for {field} is {below}px away from the picker"
    assert abs(error_box["x"] - picker_box["x"]) <= 24


def sign_rows(page):
    return page.locator("#sign-rows .finding-row")


def band_rows(page):
    return page.locator("#band-rows .finding-row")


# --- 1. The body chart round trip ------------------------------------------------------------


def test_body_chart_marks_round_trip(physio, page_for, touch_page_for):
    assessment = draft_for(physio)
    page = page_for(**DESKTOP)
    sign_in(page, "physio")
    open_page(page, f"/assessments/{assessment.pk}/edit/")
    page.wait_for_selector(f"{CHART}.is-ready")
    expect(page.locator(f"{CHART} [data-bodychart-empty]")).to_have_text("No marks yet.")

    choose_kind(page, "Pain")
    low_back = click_chart(page, "back", 0.45, 0.45)
    choose_kind(page, "Taut band")
    right_thigh = click_chart(page, "front", 0.41, 0.66)
    expect(page.locator("#header-status")).to_have_text(re.compile(r"Draft saved \d\d:\d\d"))
    expect(page.locator(f"{CHART} .bodychart-item-label")).to_have_text(
        ["Pain - back view, mark 1", "Taut band - front view, mark 2"]
    )

    assessment.refresh_from_db()
    marks = assessment.body_marks
    assert [(m["view"], m["kind"]) for m in marks] == [("back", "pain"), ("front", "taut_band")]
    for mark, (x, y) in zip(marks, [low_back, right_thigh], strict=True):
        assert mark["x"] == pytest.approx(x, abs=CLOSE)
        assert mark["y"] == pytest.approx(y, abs=CLOSE)
    shot(page, "assessment-chart-desktop")
    assert page.console_errors == []

    # The entry page again, on a tablet: the marks come back where they were put.
    tablet = touch_page_for(TABLET)
    signed_in_as_on(tablet, page)
    open_page(tablet, f"/assessments/{assessment.pk}/edit/")
    tablet.wait_for_selector(f"{CHART}.is-ready")
    tablet.locator(CHART).scroll_into_view_if_needed()
    expect(tablet.locator(f"{CHART} .bodychart-mark")).to_have_count(2)
    assert_marks_drawn_at(
        marks,
        svg_of=lambda view: tablet.locator(f'{CHART} [data-bodychart-view="{view}"] svg'),
        mark_of=lambda svg, n: svg.locator(f'.bodychart-mark[data-index="{n - 1}"]'),
    )
    assert_no_sideways_scroll(tablet, TABLET["width"])
    shot(tablet, "assessment-chart-tablet")
    assert tablet.console_errors == []

    # The read-only assessment on a phone draws them in the same places.
    phone = touch_page_for(PHONE)
    signed_in_as_on(phone, page)
    open_page(phone, f"/assessments/{assessment.pk}/")
    chart = phone.locator(".bodychart-readonly")
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".bodychart-mark")).to_have_count(2)
    expect(chart.locator(".bodychart-legend li")).to_have_text(["Pain", "Taut band"])
    assert_marks_drawn_at(
        marks,
        svg_of=lambda view: chart.locator(f"svg.bodychart-svg-{view}"),
        mark_of=lambda svg, n: svg.locator(f'.bodychart-mark[data-number="{n}"]'),
    )
    assert_no_sideways_scroll(phone, PHONE["width"])
    shot(phone, "assessment-chart-phone-readonly")
    assert phone.console_errors == []


# --- 2. Entering findings, signing, reading ------------------------------------------------


def test_entering_findings_with_htmx_and_screenshots(physio, page_for, touch_page_for):
    assessment = draft_for(physio)
    edit_url = f"/assessments/{assessment.pk}/edit/"
    page = page_for(**DESKTOP)
    sign_in(page, "physio")
    open_page(page, edit_url)
    page.wait_for_selector("#id_band-new-muscle.tomselected")
    page.evaluate("window.__marker = 1")  # gone if anything below reloads the page
    expect(page.locator("#summary-card")).to_contain_text("No involved segments yet.")

    with page.expect_response(lambda r: "/header/text/" in r.url and r.ok):
        page.get_by_label("Chief complaint").fill("Right lateral elbow pain for 3 months.")
        page.get_by_label("Chief complaint").press("Tab")
    expect(page.locator("#header-status")).to_have_text(re.compile(r"Draft saved \d\d:\d\d"))

    # A sign at C5: choosing the segment and the sign refreshes the test and muscle pickers.
    pick(page, "sign-new-segment", "C5")
    expect(page.locator("#id_sign-new-muscle optgroup").first).to_have_attribute(
        "label", "Supplied by C5"
    )
    pick(page, "sign-new-region", "Paraspinal")
    pick(page, "sign-new-side", "Right")
    pick(page, "sign-new-severity", "2 · moderate")
    pick(page, "sign-new-sign", "Paraspinal tenderness")
    expect(page.locator("#id_sign-new-test option:not([value=''])")).to_have_text(
        ["Palpation", "Skin rolling"]
    )
    pick(page, "sign-new-test", "Palpation")
    add_row(page, "sign")
    expect(sign_rows(page)).to_have_count(1)
    expect(sign_rows(page).first).to_contain_text("Paraspinal tenderness")
    expect(sign_rows(page).first).to_contain_text("Paraspinal · Right")
    expect(sign_rows(page).first.locator(".segment-badge")).to_have_text("C5")
    expect(page.locator("#sign-new-form [role=status]")).to_contain_text("Added.")
    expect(page.locator("#summary-card .segment-badge")).to_have_text(["C5"])
    assert page.evaluate("window.__marker") == 1, "adding a row reloaded the page"
    finding = SignFinding.objects.get(assessment=assessment)
    assert (finding.segment.code, finding.region, finding.side, finding.severity) == (
        "C5",
        "paraspinal",
        "R",
        2,
    )
    assert (finding.sign.name, finding.test.name, finding.muscle) == (
        "Paraspinal tenderness",
        "Palpation",
        None,
    )

    # Segment, region and side are kept; motor point tenderness without a muscle is refused.
    expect(page.locator("#id_sign-new-segment option:checked")).to_have_text("C5")
    expect(page.locator("#id_sign-new-side option:checked")).to_have_text("Right")
    pick(page, "sign-new-severity", "2 · moderate")
    pick(page, "sign-new-sign", "Motor point tenderness")
    expect(page.locator("#id_sign-new-test option:checked")).to_have_text("Palpation")
    add_row(page, "sign")
    assert_error_next_to_picker(
        page, "sign-new-muscle", "Name the muscle where motor point tenderness was found."
    )
    expect(sign_rows(page)).to_have_count(1)
    expect(page.locator("#id_sign-new-sign option:checked")).to_have_text("Motor point tenderness")
    assert SignFinding.objects.filter(assessment=assessment).count() == 1
    assert page.evaluate("window.__marker") == 1

    # A taut band in supinator, found with the searchable muscle picker.
    pick_muscle(page, "band-new-muscle", "supin", "Supinator")
    pick(page, "band-new-side", "Right")
    pick(page, "band-new-tenderness", "2 · moderate")
    add_row(page, "band")
    expect(band_rows(page)).to_have_count(1)
    expect(band_rows(page).first).to_contain_text("Supinator")
    expect(band_rows(page).first).to_contain_text("Tender 2 · moderate")
    band = TautBand.objects.get(assessment=assessment)
    assert (band.muscle.name, band.side, band.tenderness) == ("Supinator", "R", 2)
    assert page.evaluate("window.__marker") == 1
    shot(page, "assessment-entry-desktop")
    assert page.console_errors == []

    # A shorter entry on a tablet.
    tablet = touch_page_for(TABLET)
    signed_in_as_on(tablet, page)
    open_page(tablet, edit_url)
    tablet.wait_for_selector("#id_band-new-muscle.tomselected")
    expect(sign_rows(tablet)).to_have_count(1)
    expect(band_rows(tablet)).to_have_count(1)
    pick(tablet, "sign-new-segment", "C6")
    pick(tablet, "sign-new-region", "Paraspinal")
    pick(tablet, "sign-new-side", "Right")
    pick(tablet, "sign-new-severity", "1 · mild")
    pick(tablet, "sign-new-sign", "Paraspinal tenderness")
    pick(tablet, "sign-new-test", "Skin rolling")
    add_row(tablet, "sign")
    expect(sign_rows(tablet)).to_have_count(2)
    expect(sign_rows(tablet).nth(1).locator(".segment-badge")).to_have_text("C6")
    expect(tablet.locator("#summary-card .segment-badge")).to_have_text(["C5", "C6"])
    assert SignFinding.objects.filter(assessment=assessment).count() == 2
    assert_no_sideways_scroll(tablet, TABLET["width"])
    shot(tablet, "assessment-entry-tablet")
    assert tablet.console_errors == []

    # Review, then sign and lock from the read-only page.
    page.get_by_role("link", name="Review and sign").first.click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment.pk}/$"))
    page.get_by_role("button", name="Sign and lock").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment.pk}/$"))
    expect(success_message(page)).to_contain_text("Assessment signed and locked.")
    expect(heading(page).locator(".badge")).to_have_text("Signed")
    expect(page.get_by_role("button", name="Sign and lock")).to_have_count(0)
    expect(page.get_by_role("link", name="Keep editing")).to_have_count(0)
    expect(page.locator(".finding-list .finding-row")).to_have_count(3)
    expect(page.locator("#summary-card .segment-badge")).to_have_text(["C5", "C6"])
    assessment.refresh_from_db()
    assert assessment.is_signed
    assert assessment.signed_by == physio
    shot(page, "assessment-signed-desktop")
    assert page.console_errors == []

    tablet.goto(tablet.base + f"/assessments/{assessment.pk}/")
    expect(heading(tablet).locator(".badge")).to_have_text("Signed")
    assert_no_sideways_scroll(tablet, TABLET["width"])
    shot(tablet, "assessment-signed-tablet")

    # The entry page of a signed assessment only leads back to the read-only one.
    tablet.goto(tablet.base + edit_url)
    expect(tablet).to_have_url(re.compile(rf"/assessments/{assessment.pk}/$"))
    expect(heading(tablet).locator(".badge")).to_have_text("Signed")
    assert tablet.console_errors == []
