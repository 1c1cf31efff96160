"""The IMS session note in headless Chromium: charting, signing, addenda, the progress chart.

A physiotherapist charts a session on a tablet at the treatment table (re-screen, pain,
needling sites through the htmx entry row with the searchable muscle picker, the chest-wall
precaution, the needle count) and watches the sign panel clear; a note whose author has no
valid needling credential is refused with the reason named, then signed once the credential
is on file, and a colleague adds an addendum; the patient chart draws the pain scores of
the signed sessions. Screenshots land in var/screenshots/ (session-*.png) for a person to
look at.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.tests.factories import add_sign, make_assessment
from clinic.models import OutcomeScore, User
from clinic.tests.factories import join_care_team
from tests.browser import (
    assert_no_sideways_scroll,
    heading,
    shot,
    sign_in,
    success_message,
)
from treatments import services
from treatments.models import NeedlingSite, SessionAddendum, TreatmentSession
from treatments.tests.factories import complete_session, credential_for, ready_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
SAVED = re.compile(r"Draft saved \d\d:\d\d")
ALL_CLEAR = "Every check passes."

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


def htmx_settled(page) -> None:
    page.wait_for_function(HTMX_IDLE)


def eventually(check, timeout: float = 5.0) -> None:
    """Poll the database until `check()` holds: the page can show a result before the
    last queued autosave has reached the server."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the change never reached the database"
        time.sleep(0.1)


def pick(page, field: str, label: str) -> None:
    """Choose an option of a plain <select> in the new-site row; let any refresh finish."""
    page.select_option(f"#id_site-new-{field}", label=label)
    htmx_settled(page)
    expect(page.locator(f"#id_site-new-{field} option:checked")).to_have_text(label)


def pick_muscle(page, search: str, name: str) -> None:
    """Search the Tom Select muscle picker, take the first match with Enter and wait for
    the htmx refresh of the segment, region and precaution that choosing it sets off."""
    # A refresh of the entry line re-creates the picker; typing into the old one is lost.
    htmx_settled(page)
    wrapper = page.locator("#id_site-new-muscle-wrap .ts-wrapper")
    wrapper.click()
    control = page.locator("#id_site-new-muscle-ts-control")
    expect(control).to_be_focused()
    control.press_sequentially(search, delay=20)
    expect(wrapper.locator(".ts-dropdown .option.active")).to_have_text(name)
    with page.expect_response(lambda r: "/site/refresh/" in r.url and r.ok):
        control.press("Enter")
    htmx_settled(page)
    expect(wrapper.locator(".ts-control .item")).to_have_text(name)
    expect(page.locator("#id_site-new-muscle option:checked")).to_have_text(name)


def segment_choices(page):
    return page.locator("#id_site-new-segment option:not([value=''])")


def add_site(page) -> None:
    page.locator("#site-new-form").get_by_role("button", name="Add site").click()
    htmx_settled(page)


def site_rows(page):
    return page.locator("#site-rows .finding-row")


def answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def sign_panel(page):
    return page.locator("#sign-panel")


def error_message(page):
    return page.locator(".messages .alert-danger")


def pain_chart(page):
    return page.locator(
        "svg.progress-chart", has=page.locator("title", has_text="Pain before and after")
    )


# --- 1. Charting a session at the table ------------------------------------------------------


def test_charting_a_session_on_a_tablet(physio, touch_page_for):
    patient = ready_patient(physio)
    credential_for(physio)
    assessment = make_assessment(physio, patient=patient)
    add_sign(
        assessment,
        physio,
        segment="C6",
        region="peripheral",
        sign="Motor point tenderness",
        muscle="Supinator",
    )

    page = touch_page_for(TABLET)
    sign_in(page, "physio")
    open_page(page, f"/treatments/patients/{patient.pk}/chart/")
    expect(page.locator(".session-item")).to_have_count(0)
    page.get_by_role("button", name="New session").click()
    expect(page).to_have_url(re.compile(r"/treatments/sessions/\d+/edit/$"))
    session = TreatmentSession.objects.get(patient=patient)
    assert page.url.endswith(f"/treatments/sessions/{session.pk}/edit/")
    assert session.assessment == assessment
    page.wait_for_selector("#id_site-new-muscle.tomselected")
    page.evaluate("window.__marker = 1")  # gone if anything below reloads the page
    expect(sign_panel(page).locator(".sign-problems li")).to_have_count(4)

    # Before needling: the re-screen and the pain score.
    for question in (
        "Changes in medication (e.g. blood thinners)?",
        "Pregnant or may be pregnant?",
        "New conditions, surgery or injuries?",
        "Is any of these a contraindication today?",
        "Acutely unwell or a medical emergency today?",
    ):
        answer(page, question, "No")
    page.get_by_label("Pain before (0-10)").fill("6")

    # A site in supinator, a muscle the assessment suggests, found with the picker.
    groups = page.locator("#id_site-new-muscle optgroup")
    expect(groups).to_have_count(2)
    expect(groups.first).to_have_attribute("label", "Suggested by the assessment")
    expect(groups.nth(1)).to_have_attribute("label", "Other muscles")
    expect(groups.first.locator("option", has_text="Supinator")).to_have_count(1)
    pick_muscle(page, "supin", "Supinator")
    expect(segment_choices(page)).to_have_text(["C5", "C6", "C7"])
    expect(page.locator("#id_site-new-region option:checked")).to_have_text("Peripheral")
    expect(page.locator("#id_site-new-pneumothorax_acknowledged")).to_have_count(0)
    pick(page, "segment", "C6")
    pick(page, "side", "Right")
    pick(page, "needle", "0.25 × 40 mm")
    pick(page, "technique", "In-and-out")
    page.get_by_label("Insertions").fill("3")
    pick(page, "twitch", "Large")
    page.get_by_label("Deep ache").check()
    add_site(page)
    expect(site_rows(page)).to_have_count(1)
    first = site_rows(page).first
    expect(first.locator(".segment-badge")).to_have_text("C6")
    expect(first).to_contain_text("Supinator")
    expect(first).to_contain_text("Right · Peripheral")
    expect(first).to_contain_text("In-and-out · 3 insertions · twitch large · ache")
    expect(page.locator("#site-new-form [role=status]")).to_contain_text("Added.")
    assert page.evaluate("window.__marker") == 1, "adding a site reloaded the page"
    site = NeedlingSite.objects.get(session=session)
    assert (site.muscle.name, site.side, site.segment.code, site.region) == (
        "Supinator",
        "R",
        "C6",
        "peripheral",
    )
    assert (str(site.needle), site.technique, site.insertions, site.twitch) == (
        "0.25 × 40 mm",
        "in_out",
        3,
        "large",
    )
    responses = (site.response_ache, site.response_cramp, site.response_referred, site.released)
    assert responses == (True, False, False, False)

    # The entry row is ready for the next site: side, needle and technique are kept.
    expect(page.locator("#id_site-new-muscle-wrap .ts-wrapper")).to_be_visible()
    expect(page.locator("#id_site-new-side option:checked")).to_have_text("Right")
    expect(page.locator("#id_site-new-needle option:checked")).to_have_text("0.25 × 40 mm")

    # A chest-wall muscle brings up the pneumothorax precaution, which must be ticked.
    pick_muscle(page, "rhomboid ma", "Rhomboid major")
    warning = page.locator("#id_site-new-pneumothorax_acknowledged-wrap .alert-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Chest wall: pneumothorax precaution")
    expect(segment_choices(page)).to_have_text(["C4", "C5"])
    pick(page, "segment", "C5")
    page.get_by_label("Insertions").fill("2")
    pick(page, "twitch", "Small")
    add_site(page)
    error = page.locator("#id_site-new-pneumothorax_acknowledged-wrap .alert > .invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Rhomboid major lies over the chest wall")
    # Depth and direction are refused next to their fields too (test_browser_chest_wall).
    expect(page.locator("#id_site-new-needle_depth_mm-wrap .invalid-feedback")).to_be_visible()
    expect(site_rows(page)).to_have_count(1)
    assert NeedlingSite.objects.filter(session=session).count() == 1
    expect(page.locator("#id_site-new-muscle option:checked")).to_have_text("Rhomboid major")
    expect(page.locator("#id_site-new-segment option:checked")).to_have_text("C5")
    shot(page, "session-chest-wall-refused-tablet")
    page.get_by_label("Pneumothorax precaution acknowledged").check()
    page.get_by_label("Needle depth (mm)").fill("12")
    pick(page, "needle_direction", "Perpendicular onto rib or scapula (bone as backstop)")
    add_site(page)
    expect(site_rows(page)).to_have_count(2)
    second = site_rows(page).nth(1)
    expect(second).to_contain_text("Rhomboid major")
    expect(second.locator(".badge")).to_have_text("chest wall")
    expect(second.locator(".segment-badge")).to_have_text("C5")
    chest = NeedlingSite.objects.get(session=session, muscle__name="Rhomboid major")
    assert chest.pneumothorax_acknowledged
    assert (chest.segment.code, chest.side, chest.insertions) == ("C5", "R", 2)
    assert page.evaluate("window.__marker") == 1

    # The needle count and the pain after.
    page.get_by_label("Needles opened").fill("2")
    page.get_by_label("Needles removed").fill("2")
    page.get_by_label("Needles disposed to sharps").fill("2")
    page.get_by_label("Every needle checked intact on removal").check()
    page.get_by_label("Pain after (0-10)").fill("3")
    page.get_by_label("Pain after (0-10)").press("Tab")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    htmx_settled(page)
    expect(sign_panel(page)).to_contain_text(ALL_CLEAR)
    expect(sign_panel(page).locator(".sign-problems")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1

    # "Draft saved" may come from an earlier autosave; the last one lands shortly after.
    eventually(lambda: TreatmentSession.objects.get(pk=session.pk).nprs_after == 3)
    session.refresh_from_db()
    assert session.rescreen_answered
    assert not any(
        (
            session.rescreen_medication,
            session.rescreen_pregnancy,
            session.rescreen_conditions,
            session.rescreen_contraindication,
            session.rescreen_acutely_unwell,
        )
    )
    assert (session.nprs_before, session.nprs_after) == (6, 3)
    assert (session.needles_opened, session.needles_removed, session.needles_disposed) == (2, 2, 2)
    assert session.needle_integrity_checked
    assert services.sign_problems(session) == []
    assert not session.is_signed

    assert_no_sideways_scroll(page, TABLET["width"])
    shot(page, "session-charting-tablet")
    assert page.console_errors == []


# --- 2. Refused, signed, and an addendum -----------------------------------------------------


def test_sign_refusal_then_signed_note_with_addendum(physio, physio2, page_for, touch_page_for):
    today = timezone.localdate()
    expired = today - dt.timedelta(days=10)
    credential_for(physio, valid_from=today - dt.timedelta(days=400), expires_on=expired)
    session = complete_session(physio)
    note = f"/treatments/sessions/{session.pk}/"

    page = page_for(**DESKTOP)
    sign_in(page, "physio")
    open_page(page, note)
    expect(heading(page).locator(".badge")).to_have_text("Draft")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page).to_have_url(re.compile(rf"{note}$"))
    expect(error_message(page)).to_contain_text(
        "Not signed: 1 check(s) in the sign panel still need attention."
    )
    problems = sign_panel(page).locator(".sign-problems li")
    expect(problems).to_have_count(1)
    expect(problems.first).to_have_text(
        f"Credential: no needling credential valid on {today:%Y-%m-%d} "
        f"(latest expired {expired:%Y-%m-%d})."
    )
    expect(heading(page).locator(".badge")).to_have_text("Draft")
    session.refresh_from_db()
    assert not session.is_signed
    shot(page, "session-sign-refused-desktop")
    assert page.console_errors == []

    # The renewed credential is on file: signing goes through.
    credential_for(physio)
    page.reload()
    expect(sign_panel(page)).to_contain_text(ALL_CLEAR)
    page.get_by_role("button", name="Sign and lock").click()
    expect(page).to_have_url(re.compile(rf"{note}$"))
    expect(success_message(page)).to_contain_text("Session signed and locked.")
    expect(heading(page).locator(".badge")).to_have_text("Signed")
    expect(page.locator("#sign-panel")).to_have_count(0)
    expect(page.get_by_role("link", name="Keep editing")).to_have_count(0)
    session.refresh_from_db()
    assert session.is_signed
    assert session.signed_by == physio

    # A colleague on the patient's care team, signed in on their own device, adds an addendum.
    join_care_team(User.objects.get(username="physio2"), session.patient)
    other = page_for(**DESKTOP)
    sign_in(other, "physio2")
    open_page(other, note)
    expect(heading(other).locator(".badge")).to_have_text("Signed")
    addenda = other.locator("#addenda .addendum")
    expect(addenda).to_have_count(0)
    text = "Patient phoned next day: soreness settled within 24 hours."
    other.get_by_label("Add an addendum").fill(text)
    other.get_by_role("button", name="Add addendum").click()
    expect(other).to_have_url(re.compile(rf"{note}#addenda$"))
    expect(success_message(other)).to_contain_text("Addendum added.")
    expect(addenda).to_have_count(1)
    addendum = SessionAddendum.objects.get(session=session)
    assert (addendum.author, addendum.text) == (physio2, text)
    written = timezone.localtime(addendum.created_at)
    expect(addenda.first).to_contain_text(text)
    expect(addenda.first.locator(".small")).to_have_text(
        f"{written:%Y-%m-%d %H:%M} · {physio2.get_full_name()}"
    )
    # The addendum sits under the note, not in place of it.
    expect(other.locator("#summary-heading")).to_have_text("Procedure note")
    summary_box = other.locator("#summary-heading").bounding_box()
    addenda_box = other.locator("#addenda").bounding_box()
    assert addenda_box["y"] > summary_box["y"]
    shot(other, "session-signed-addendum-desktop")
    assert other.console_errors == []

    tablet = touch_page_for(TABLET)
    tablet.context.add_cookies(other.context.cookies())
    open_page(tablet, note)
    expect(heading(tablet).locator(".badge")).to_have_text("Signed")
    expect(tablet.locator("#addenda .addendum")).to_have_count(1)
    assert_no_sideways_scroll(tablet, TABLET["width"])
    shot(tablet, "session-signed-addendum-tablet")
    assert tablet.console_errors == []


# --- 3. The progress chart -------------------------------------------------------------------


def test_progress_chart(physio, page_for):
    patient = ready_patient(physio)
    credential_for(physio)
    today = timezone.localdate()
    days = [today - dt.timedelta(days=7 * (6 - i)) for i in range(6)]
    pains = [(8, 5), (7, 5), (7, 4), (6, 3), (5, 3), (4, 2)]
    for day, (before, after) in zip(days, pains, strict=True):
        session = complete_session(physio, patient, nprs_before=before, nprs_after=after)
        session = services.session_update(session=session, by=physio, session_date=day)
        services.session_sign(session=session, by=physio)
    ndi = [(days[0], 40), (days[2], 32), (days[5], 20)]
    for day, value in ndi:
        recorded = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        OutcomeScore.objects.create(
            patient=patient,
            instrument="NDI",
            value=Decimal(value),
            maximum=Decimal(100),
            higher_is_worse=True,
            recorded_at=recorded,
        )
    # A draft today is listed with the sessions but is not drawn on the chart.
    complete_session(physio, patient)

    page = page_for(**DESKTOP)
    sign_in(page, "physio")
    open_page(page, f"/treatments/patients/{patient.pk}/chart/")
    expect(page.locator(".session-item")).to_have_count(7)
    expect(page.locator(".session-item .badge", has_text="Signed")).to_have_count(6)

    chart = pain_chart(page)
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(6)
    expect(chart.locator("rect[width='8']")).to_have_count(6)
    expected = "; ".join(
        f"{day:%Y-%m-%d}: before {before}, after {after}"
        for day, (before, after) in zip(days, pains, strict=True)
    )
    expect(chart.locator("desc")).to_have_text(expected)
    # Falling pain: each before-point sits no higher on the chart than the one before it,
    # and left to right in date order.
    points = chart.locator("circle").evaluate_all(
        "cs => cs.map(c => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))])"
    )
    xs, ys = zip(*points, strict=True)
    assert list(xs) == sorted(set(xs)), f"one point per session, oldest left: {points}"
    assert list(ys) == sorted(ys), f"pain before should fall over time: {points}"

    scores = page.locator(
        "svg.progress-chart", has=page.locator("title", has_text="Outcome scores")
    )
    expect(scores.locator("desc")).to_contain_text(
        "NDI: " + ", ".join(f"{day:%Y-%m-%d} {value}%" for day, value in ndi)
    )
    assert_no_sideways_scroll(page, DESKTOP["width"])
    shot(page, "session-progress-chart-desktop")
    assert page.console_errors == []
