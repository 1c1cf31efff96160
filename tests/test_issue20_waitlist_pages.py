"""Issue 20, the waitlist's pages in headless Chromium: the front desk's list, the add form
(with an error next to its field), the matches after a cancellation, and the e-mailed offer
page on a phone; axe finds no critical or serious violation; screenshots under
var/screenshots/issue20-waitlist-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic import services
from clinic.models import AppointmentType
from clinic.permissions import Role
from clinic.services.scheduling import Slot
from clinic.services.waitlist import waitlist_offer_token
from clinic.tests.factories import UserFactory, make_patient, make_practitioner
from tests.browser import shot, sign_in
from tests.e2e import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _check(page, name: str, *, gone: bool = False) -> None:
    """axe, the screenshot, no script errors (a used link answers 410 Gone on purpose,
    which the browser logs)."""
    assert_accessible(page)
    shot(page, f"issue20-waitlist-{name}")
    errors = [e for e in page.console_errors if not (gone and "status of 410" in e)]
    assert errors == [], errors


def _clinic():
    desk = UserFactory(roles={Role.FRONT_DESK})
    maya = make_practitioner(UserFactory(roles={Role.PHYSIO}), name="Maya Chen")
    ims = AppointmentType.objects.get(name="IMS treatment")
    day = timezone.localdate() + dt.timedelta(days=14)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    slot = Slot(
        practitioner=maya,
        location=maya.locations.get(),
        start=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
        type=ims,
    )
    entries = []
    for first, wanted in (("Priya", [maya]), ("Tomas", [])):
        patient = make_patient(
            legal_first_name=first,
            legal_last_name="Waits",
            email=f"{first}@example.org",
            email_confirmed=True,
        )
        entries.append(
            services.waitlist_entry_create(
                patient=patient,
                by=desk,
                type=ims,
                practitioners=wanted,
                earliest_date=timezone.localdate(),
                windows="morning",
            )
        )
    booked = make_patient(legal_first_name="Jordan", legal_last_name="Avery")
    appointment = services.appointment_book(patient=booked, slot=slot, by=desk)
    return desk, slot, entries, appointment


def test_front_desk_waitlist_pages(page_for):
    desk, slot, entries, appointment = _clinic()
    page = page_for(**DESKTOP)
    sign_in(page, desk.username)

    page.goto(page.base + "/waitlist/")
    expect(page.get_by_role("heading", name="Waitlist", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Priya Waits", exact=True)).to_be_visible()
    _check(page, "list")

    page.goto(page.base + f"/waitlist/add/?patient={appointment.patient_id}")
    page.get_by_label("Earliest date").fill("")
    page.get_by_role("button", name="Add to the waitlist").click()
    expect(page.locator("#id_earliest_date_error")).to_be_visible()
    _check(page, "add-error")

    # Cancel the booked visit from its page: the desk lands on the matches for that time.
    page.goto(page.base + f"/appointments/{appointment.pk}/")
    page.locator("#cancel-reason").fill("Patient is unwell")
    page.get_by_role("button", name="Cancel appointment").first.click()
    expect(page.get_by_role("heading", name="Waitlist matches for this time")).to_be_visible()
    rows = page.locator("ol.list-group > li")
    expect(rows.first).to_contain_text("Priya Waits")
    expect(rows.nth(1)).to_contain_text("Tomas Waits")
    expect(page.get_by_role("button", name="Offer by e-mail to Priya Waits")).to_be_visible()
    _check(page, "matches-after-cancel")

    # The list now shows the freed time; Book opens the booking form filled in.
    page.goto(page.base + "/waitlist/")
    expect(page.get_by_role("heading", name="Freed by recent cancellations")).to_be_visible()
    _check(page, "list-freed")
    page.get_by_role("link", name="Maya Chen").first.click()
    page.get_by_role("link", name="Book Priya Waits").click()
    expect(page.get_by_text("Priya Waits").first).to_be_visible()
    expect(page.locator("#id_time")).to_have_value("10:00")
    _check(page, "book-from-match")


def test_offer_page_on_a_phone(touch_page_for):
    desk, slot, entries, appointment = _clinic()
    services.appointment_cancel(appointment=appointment, reason="Unwell", by=desk)
    offer = services.waitlist_offer_create(entry=entries[0], slot=slot, by=desk)
    page = touch_page_for(PHONE)
    page.goto(page.base + f"/waitlist/offer/{waitlist_offer_token(offer)}/")
    expect(page.get_by_role("button", name="Take this time")).to_be_visible()
    _check(page, "offer-phone")
    page.get_by_role("button", name="Take this time").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    _check(page, "offer-booked-phone")
    page.reload()
    expect(page.get_by_role("heading", name="You have already taken this time")).to_be_visible()
    _check(page, "offer-used-phone", gone=True)
