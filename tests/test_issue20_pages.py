"""Issue 20 (confirm or cancel from the reminder): the pages the reminder's links open, on a
phone (390x844) as the patient reads the e-mail, and the desk's day view with the
confirmed / unconfirmed states, the patients' replies and the modal's "confirmed by phone"
(desktop 1280x800). Each page: its new element visible, axe-core finding no critical or
serious violation, no script error, a screenshot under var/screenshots/issue20-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Appointment, AppointmentType, DeskNotice
from clinic.permissions import Role
from clinic.services.reminder_links import reminder_link_url
from clinic.tests.factories import UserFactory, make_patient, make_practitioner, write_appointment
from tests.browser import shot, sign_in
from tests.e2e import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _check(page, name: str) -> None:
    """axe, a screenshot, no script errors. A link that cannot act answers 409/410 on
    purpose; the browser logs that status of the page itself, which is not a script error."""
    assert_accessible(page)
    shot(page, f"issue20-{name}")
    errors = [
        error
        for error in page.console_errors
        if not (error.startswith("Failed to load resource") and "/visit/" in error)
    ]
    assert errors == [], errors


def _clinic():
    desk = UserFactory(username="desk20", first_name="Sam", roles={Role.FRONT_DESK})
    maya = make_practitioner(hours=((0, 6), (7, 20)), name="Maya Chen")
    follow_up = AppointmentType.objects.get(name="Follow-up")
    day = timezone.localdate() + dt.timedelta(days=3)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    ada = make_patient(legal_first_name="Ada", legal_last_name="Lovelace", by=desk)
    bea = make_patient(legal_first_name="Bea", legal_last_name="Nguyen", by=desk)
    cy = make_patient(legal_first_name="Cy", legal_last_name="Okafor", by=desk)
    first = write_appointment(ada, maya, at, follow_up, by=desk)
    second = write_appointment(bea, maya, at + dt.timedelta(hours=1), follow_up, by=desk)
    third = write_appointment(cy, maya, at + dt.timedelta(hours=2), follow_up, by=desk)
    soon = write_appointment(cy, maya, timezone.now() + dt.timedelta(hours=3), follow_up, by=desk)
    return desk, day, first, second, third, soon


def _path(appointment: Appointment, action: str) -> str:
    url = reminder_link_url(appointment, action)
    return url[url.index("/visit/") :]


def test_reminder_link_pages_on_a_phone(touch_page_for):
    _desk, _day, first, second, _third, soon = _clinic()
    page = touch_page_for(PHONE)

    # Confirm: the page asks first (a scanner's GET changes nothing), then thanks.
    page.goto(page.base + _path(first, "confirm"))
    expect(page.get_by_role("heading", name="Will you be there?")).to_be_visible()
    expect(page.get_by_text("Maya Chen")).to_be_visible()
    _check(page, "link-confirm-ask-phone")
    page.get_by_role("button", name="Yes, I'll be there").click()
    expect(page.get_by_role("heading", name="Thank you: your visit is confirmed")).to_be_visible()
    _check(page, "link-confirm-done-phone")
    # The same link again: already confirmed, nothing changed.
    page.goto(page.base + _path(first, "confirm"))
    expect(page.get_by_role("heading", name="This visit is already confirmed")).to_be_visible()
    _check(page, "link-confirm-again-phone")

    # Cancel, outside the notice period.
    page.goto(page.base + _path(second, "cancel"))
    expect(page.get_by_role("heading", name="Can't come to this visit?")).to_be_visible()
    _check(page, "link-cancel-ask-phone")
    page.get_by_role("button", name="Cancel this visit").click()
    expect(page.get_by_role("heading", name="Your visit is cancelled")).to_be_visible()
    _check(page, "link-cancel-done-phone")

    # Cancel inside the notice period: refused, with the number to tap.
    page.goto(page.base + _path(soon, "cancel"))
    expect(page.get_by_role("heading", name="It is too late to cancel online")).to_be_visible()
    call = page.get_by_role("link", name="Call 604-555-0142")
    expect(call).to_be_visible()
    assert call.get_attribute("href") == "tel:604-555-0142"
    _check(page, "link-cancel-too-late-phone")

    # A mangled link.
    page.goto(page.base + _path(first, "confirm")[:-3] + "xyz/")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    _check(page, "link-invalid-phone")


def test_desk_day_view_shows_confirmations_and_replies(page_for):
    desk, day, first, second, third, _soon = _clinic()
    page = page_for(**DESKTOP)
    # The patients act from their links before the desk looks.
    page.goto(page.base + _path(first, "confirm"))
    page.get_by_role("button", name="Yes, I'll be there").click()
    page.goto(page.base + _path(second, "cancel"))
    page.get_by_role("button", name="Cancel this visit").click()
    assert DeskNotice.objects.count() == 2

    page.context.clear_cookies()
    sign_in(page, desk.username)
    page.goto(page.base + f"/desk/?date={day.isoformat()}")
    grid = page.locator("table.schedule-grid")
    expect(grid.locator("a.appt", has_text="Lovelace")).to_contain_text("Confirmed.")
    expect(grid.locator("a.appt", has_text="Okafor")).to_contain_text("Not confirmed.")
    replies = page.locator(".desk-replies")
    expect(replies).to_contain_text("Ada Lovelace")
    expect(replies).to_contain_text("Bea Nguyen")
    expect(page.locator(".schedule-legend")).to_contain_text("Not confirmed yet")
    _check(page, "desk-day-replies")

    # The modal: mark the third visit confirmed by phone.
    grid.locator("a.appt", has_text="Okafor").click()
    button = page.get_by_role("button", name="Mark confirmed (by phone)")
    expect(button).to_be_visible()
    _check(page, "desk-modal-unconfirmed")
    button.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("table.schedule-grid a.appt", has_text="Okafor")).to_contain_text(
        "Confirmed."
    )
    third.refresh_from_db()
    assert third.confirmed_via == Appointment.ConfirmedVia.PHONE

    # The replies, marked as seen, go away.
    page.locator(".desk-replies").get_by_role("button", name="Mark as seen").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".desk-replies")).to_have_count(0)
