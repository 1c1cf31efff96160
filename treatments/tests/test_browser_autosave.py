"""Issue 16, acceptance 9: the note editor never loses typing, in headless Chromium.

(a) a pain score of 11 does not stop the plan typed after it from saving: the field is
    marked, the status names it, and leaving the page asks first;
(b) an autosave that meets an idle sign-out goes to the sign-in page, back to the note
    afterwards, and the text the server never got is offered back and restored;
(c) the idle warning appears a minute before the sign-out, "Stay signed in" keeps the
    session, and signing out on purpose forgets the typing kept in the browser.
Screenshots: var/screenshots/autosave-*.png.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from clinic.middleware import LAST_SEEN_KEY
from clinic.tests.factories import TEST_PASSWORD, totp_code, totp_device_for
from tests.browser import shot, sign_in
from treatments.models import TreatmentSession
from treatments.tests.factories import complete_session, credential_for
from treatments.tests.test_browser import TABLET, eventually, htmx_settled, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Draft saved \d\d:\d\d")
PLAN = "Review in one week; add home stretches for the forearm."


def _draft(physio) -> TreatmentSession:
    credential_for(physio)
    return complete_session(physio, plan="")


def _edit(session: TreatmentSession) -> str:
    return f"/treatments/sessions/{session.pk}/edit/"


def _kept(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries(Object.keys(localStorage)
            .filter((k) => k.startsWith("clinic:kept:"))
            .map((k) => [k, JSON.parse(localStorage.getItem(k))]))"""
    )


def _expire_server_side(page) -> None:
    """Age the browser's session past the idle limit, as fifteen quiet minutes would."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    store = SessionStore(session_key=key)
    store[LAST_SEEN_KEY] = time.time() - 16 * 60
    store.save()


def test_one_invalid_field_does_not_stop_the_plan_saving(physio, touch_page_for):
    session = _draft(physio)
    nprs_after = session.nprs_after
    page = touch_page_for(TABLET)
    sign_in(page, "physio")
    open_page(page, _edit(session))
    status = page.locator("#save-status")

    page.get_by_label("Pain after (0-10)").fill("11")
    page.get_by_label("Plan").fill(PLAN)
    expect(status).to_contain_text("1 field not saved", timeout=10_000)
    expect(status).to_contain_text("Pain after (0-10)")
    expect(status).to_contain_text(SAVED)
    htmx_settled(page)
    eventually(lambda: TreatmentSession.objects.get(pk=session.pk).plan == PLAN)
    session.refresh_from_db()
    assert session.nprs_after == nprs_after  # the slip kept its last saved value
    pain_after = page.get_by_label("Pain after (0-10)")
    expect(pain_after).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(pain_after).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-nprs_after")).to_contain_text("less than or equal to 10")
    # The status stays in view where the physiotherapist types, far down the note.
    pain_after.scroll_into_view_if_needed()
    expect(status).to_be_in_viewport()
    page.screenshot(path=str(_shots() / "autosave-invalid-field.png"))
    # The refused value is kept in the browser.
    kept = _kept(page)
    assert list(kept) == [f"clinic:kept:session:{session.pk}:{physio.pk}"]
    assert ["nprs_after", "11"] in next(iter(kept.values()))["pairs"]

    # Leaving with a refused field asks first.
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    note_link = page.locator(".eyebrow").get_by_role("link", name="chart")
    note_link.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(_edit(session))
    page.remove_listener("dialog", answer)

    # Corrected, everything is saved, nothing is kept and the page leaves without asking.
    pain_after.fill("3")
    expect(status).to_have_text(SAVED, timeout=10_000)
    htmx_settled(page)
    eventually(lambda: TreatmentSession.objects.get(pk=session.pk).nprs_after == 3)
    expect(pain_after).not_to_have_class(re.compile(r"\bis-invalid\b"))
    assert _kept(page) == {}
    note_link.click()
    expect(page).to_have_url(re.compile(rf"/treatments/patients/{session.patient_id}/chart/$"))
    assert page.console_errors == []


def test_an_expired_session_during_autosave_returns_to_the_note_with_the_text(
    physio, touch_page_for
):
    session = _draft(physio)
    page = touch_page_for(TABLET)
    sign_in(page, "physio")
    open_page(page, _edit(session))
    status = page.locator("#save-status")
    plan = page.get_by_label("Plan")
    plan.fill("Review in one week")
    expect(status).to_have_text(SAVED, timeout=10_000)
    htmx_settled(page)
    eventually(lambda: TreatmentSession.objects.get(pk=session.pk).plan == "Review in one week")

    # Fifteen quiet minutes later (on the server), the physiotherapist types on.
    _expire_server_side(page)
    plan.fill(PLAN)
    page.wait_for_url(re.compile(r"/accounts/login/"), timeout=10_000)
    assert parse_qs(urlsplit(page.url).query)["next"] == [_edit(session)]
    expect(page.locator(".messages")).to_contain_text("signed out after 15 minutes")
    shot(page, "autosave-expired-sign-in")
    session.refresh_from_db()
    assert session.plan == "Review in one week"  # the server never got the rest
    kept = _kept(page)[f"clinic:kept:session:{session.pk}:{physio.pk}"]
    assert ["plan", PLAN] in kept["pairs"]

    # Signing in again comes back to the note, which offers the text back.
    page.fill("#id_username", "physio")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    device = totp_device_for(physio)
    type(device).objects.filter(pk=device.pk).update(last_t=-1)
    page.fill("#id_token", totp_code(device))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(_edit(session)) + "$"))
    offer = page.locator("[data-autosave-restore=session-form]")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text(
        re.compile(r"Unsaved text from \d\d:\d\d was kept in this browser")
    )
    expect(plan).to_have_value("Review in one week")
    shot(page, "autosave-restore-offer")
    offer.get_by_role("button", name="Restore").click()
    expect(offer).to_be_hidden()
    expect(plan).to_have_value(PLAN)
    expect(status).to_have_text(SAVED, timeout=10_000)
    htmx_settled(page)
    eventually(lambda: TreatmentSession.objects.get(pk=session.pk).plan == PLAN)
    assert _kept(page) == {}  # saved, so no longer kept
    page.reload()
    expect(page.locator("[data-autosave-restore=session-form]")).to_be_hidden()
    assert page.console_errors == []


def test_the_idle_warning_keeps_the_session_and_sign_out_forgets_kept_text(
    physio, touch_page_for, settings
):
    session = _draft(physio)
    page = touch_page_for(TABLET)
    sign_in(page, "physio")
    # 63 seconds of idleness allowed: the one-minute warning comes after about 3.
    settings.SESSION_IDLE_MINUTES_STAFF = 1.05
    open_page(page, _edit(session))
    dialog = page.locator("#idle-warning")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text(re.compile(r"You will be signed out in \d+ s"))
    shot(page, "autosave-idle-warning")
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    before = SessionStore(session_key=key)[LAST_SEEN_KEY]
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert SessionStore(session_key=key)[LAST_SEEN_KEY] > before
    assert "/accounts/login/" not in page.url

    # Typing kept in this browser goes with an explicit sign-out (a shared computer).
    page.get_by_label("Plan").fill(PLAN)
    eventually(lambda: TreatmentSession.objects.get(pk=session.pk).plan == PLAN)
    page.evaluate(
        """() => localStorage.setItem("clinic:kept:session:999:1",
            JSON.stringify({t: Date.now(), pairs: [["plan", "left from before"]]}))"""
    )
    htmx_settled(page)
    page.evaluate("document.querySelector('form[data-sign-out]').requestSubmit()")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert _kept(page) == {}
    assert page.console_errors == []


def _shots():
    from tests.browser import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def test_the_assessment_header_saves_the_complaint_despite_a_wrong_date(physio, page_for):
    """The assessment editor autosaves the same way: a date in the future is refused next
    to the field while the complaint typed with it is stored."""
    from assessments.models import Assessment
    from assessments.tests.factories import make_assessment

    assessment = make_assessment(physio)
    assessed_on = assessment.assessed_on
    page = page_for()
    sign_in(page, "physio")
    open_page(page, f"/assessments/{assessment.pk}/edit/")
    page.get_by_label("Date", exact=True).fill("2999-01-01")
    page.get_by_label("Chief complaint").fill("Right elbow pain for six months")
    status = page.locator("#header-status")
    expect(status).to_contain_text("1 field not saved", timeout=10_000)
    expect(page.get_by_label("Date", exact=True)).to_have_class(re.compile(r"\bis-invalid\b"))
    htmx_settled(page)
    eventually(
        lambda: (
            Assessment.objects.get(pk=assessment.pk).chief_complaint
            == "Right elbow pain for six months"
        )
    )
    assert Assessment.objects.get(pk=assessment.pk).assessed_on == assessed_on
    page.screenshot(path=str(_shots() / "autosave-assessment-invalid-date.png"))
    assert page.console_errors == []
