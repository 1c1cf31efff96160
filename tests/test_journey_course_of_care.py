"""Issue 20, acceptance 8: the course of care as one journey in headless Chromium.

The physiotherapist writes a plan of care (the empty form first, its errors next to the
fields) and books the weekly series from it; the front desk puts a second patient on the
waitlist, cancels visit 3 of the series from the day view's modal ("this one") and fills
the freed time from the waitlist matches; the patient confirms visit 1 from the link in the
reminder e-mail on a phone, and the same link again says it is already confirmed.

Every page is checked with axe-core (no critical or serious violation) and saved under
var/screenshots/issue20-journey-<step>.png. Marked browser and e2e, so conftest.py runs it
in the serial part of `make test` and in `make e2e`.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Appointment, CarePlan, Patient, WaitlistEntry
from clinic.services.reminders import appointment_reminders_send
from clinic.tests.factories import make_patient, make_practitioner
from tests.browser import grid_appointment, heading, long_date, modal, shot, sign_in
from tests.browser import success_message as success
from tests.e2e import assert_accessible
from tests.test_journeys import background  # noqa: F401 (the fixture: where tasks run)
from treatments.tests.factories import ready_patient

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_storage", "background"),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _step(page, name: str) -> None:
    """axe on the page as it stands, then its screenshot."""
    assert_accessible(page)
    shot(page, f"issue20-journey-{name}")


def _physio_plans_and_books_the_series(page, physio, patient) -> CarePlan:
    sign_in(page, physio.username)
    page.goto(page.base + f"/patients/{patient.pk}/")
    expect(heading(page)).to_contain_text("Robin Lee")
    _step(page, "01-physio-patient")
    page.get_by_role("link", name="New plan").click()
    expect(heading(page)).to_have_text("New care plan")

    # Submitted empty: each error stands next to its field, and nothing is written.
    page.get_by_label("Condition").fill("")
    page.get_by_role("button", name="Start the plan").click()
    expect(heading(page)).to_have_text("New care plan")
    for field in ("condition", "region", "goals", "measure"):
        expect(page.locator(f"#id_{field}")).to_have_class(re.compile(r"\bis-invalid\b"))
        expect(page.locator(f"#div_id_{field} .invalid-feedback")).to_be_visible()
    _step(page, "02-plan-errors")
    assert not CarePlan.objects.filter(patient=patient).exists()

    page.get_by_label("Condition").fill("Right lateral elbow pain")
    page.get_by_label("Body region").select_option(label="Shoulder, arm or hand")
    page.get_by_label("Goals").fill("Lift the kettle and carry groceries without pain.")
    page.get_by_label("Outcome measure").select_option(value="QUICKDASH")
    page.get_by_label("Baseline score").fill("45")
    page.get_by_label("Target score").fill("20")
    page.get_by_label("Planned IMS sessions").fill("8")
    page.get_by_label("Starts on").fill(timezone.localdate().isoformat())
    _step(page, "03-plan-filled")
    page.get_by_role("button", name="Start the plan").click()
    expect(success(page)).to_contain_text("Care plan written: Right lateral elbow pain.")
    _step(page, "04-plan")
    plan = CarePlan.objects.get(patient=patient)

    page.get_by_role("link", name="Book the series").click()
    expect(heading(page)).to_have_text("Book the series: Right lateral elbow pain")
    rows = page.locator("table.series-proposal tbody tr")
    expect(rows).to_have_count(8)
    _step(page, "05-series-proposal")
    assert not Appointment.objects.filter(plan=plan).exists()  # the proposal writes nothing
    page.get_by_role("button", name="Book the ticked visits").click()
    expect(success(page)).to_contain_text("Booked 8 visits for Robin Lee")
    _step(page, "06-series-booked")

    starts = list(
        Appointment.objects.filter(plan=plan, status=Appointment.Status.BOOKED)
        .order_by("start")
        .values_list("start", flat=True)
    )
    assert len(starts) == 8
    assert [later - earlier for earlier, later in pairwise(starts)] == [dt.timedelta(days=7)] * 7
    return plan


def _desk_fills_visit_3_from_the_waitlist(page, front_desk, plan, waiting) -> Appointment:
    third = plan.appointments.order_by("start")[2]
    day = timezone.localtime(third.start).date()
    sign_in(page, front_desk.username)

    # Priya asks for Maya, on that weekday, in the morning.
    page.goto(page.base + f"/waitlist/add/?patient={waiting.pk}")
    expect(page.locator("main")).to_contain_text("Priya Shah")
    page.get_by_label("Visit type").select_option(label="IMS treatment")
    page.get_by_label("Maya Chen").check()
    for box in page.locator('input[name="weekdays"]').all():
        box.set_checked(box.get_attribute("value") == str(day.weekday()))
    page.get_by_label("Morning (before 12:00)").check()
    page.get_by_label("Earliest date").fill(timezone.localdate().isoformat())
    _step(page, "07-waitlist-add")
    page.get_by_role("button", name="Add to the waitlist").click()
    expect(success(page)).to_contain_text("Priya Shah is on the waitlist.")
    entry = WaitlistEntry.objects.get(patient=waiting)

    # Visit 3 on the day view: its modal, "Cancel this one".
    page.goto(page.base + f"/desk/?date={day.isoformat()}")
    expect(heading(page)).to_have_text(long_date(day))
    grid_appointment(page, "Robin Lee").click()
    expect(modal(page).get_by_role("heading", name="Robin Lee · IMS treatment")).to_be_visible()
    expect(modal(page).get_by_role("button", name="Cancel this and later ones")).to_be_visible()
    modal(page).get_by_label("Cancel with a reason").fill("Patient away that week")
    _step(page, "08-desk-modal-cancel")
    modal(page).get_by_role("button", name="Cancel this one").click()

    # The freed time's waitlist matches; Book fills in the booking form.
    expect(heading(page)).to_have_text("Waitlist matches for this time")
    matches = page.locator("ol.list-group > li")
    expect(matches).to_have_count(1)
    expect(matches.first).to_contain_text("Priya Shah")
    _step(page, "09-waitlist-matches")
    third.refresh_from_db()
    assert third.status == Appointment.Status.CANCELLED
    assert Appointment.objects.filter(plan=plan, status=Appointment.Status.BOOKED).count() == 7

    page.get_by_role("link", name="Book Priya Shah").click()
    expect(heading(page)).to_have_text("Book an appointment")
    expect(page.locator("#patient-panel")).to_contain_text("Priya Shah")
    expect(page.locator("#id_date")).to_have_value(day.isoformat())
    expect(page.locator("#id_time")).to_have_value("09:00")
    _step(page, "10-book-from-waitlist")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(success(page)).to_contain_text("Booked Priya Shah: IMS treatment")
    expect(grid_appointment(page, "Priya Shah")).to_be_visible()
    _step(page, "11-slot-filled")

    filled = Appointment.objects.get(
        practitioner=third.practitioner, start=third.start, status=Appointment.Status.BOOKED
    )
    assert filled.patient == waiting
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.BOOKED
    assert entry.appointment == filled
    return filled


def _patient_confirms_on_a_phone(phone, plan) -> None:
    first = plan.appointments.order_by("start")[0]
    mail.outbox.clear()
    # The reminder run as the scheduler would start it an hour before visit 1: only that
    # visit is inside the window.
    assert appointment_reminders_send(now=first.start - dt.timedelta(hours=1)) == 1
    (reminder,) = mail.outbox
    assert reminder.to == ["robin.lee@example.org"]
    link = re.search(r"https?://[^/\s]+(/visit/\d+/confirm/\S+/)", reminder.body)
    assert link, reminder.body
    path = link.group(1)
    assert f"/visit/{first.pk}/" in path

    phone.goto(phone.base + path)
    expect(phone.get_by_role("heading", name="Will you be there?")).to_be_visible()
    _step(phone, "12-phone-confirm")
    phone.get_by_role("button", name="Yes, I'll be there").tap()
    expect(phone.get_by_role("heading", name="Thank you: your visit is confirmed")).to_be_visible()
    _step(phone, "13-phone-confirmed")
    first.refresh_from_db()
    assert first.confirmed_at is not None
    assert first.confirmed_via == Appointment.ConfirmedVia.LINK
    confirmed_at = first.confirmed_at

    # The same link again: already confirmed, nothing changes.
    phone.goto(phone.base + path)
    expect(phone.get_by_role("heading", name="This visit is already confirmed")).to_be_visible()
    _step(phone, "14-phone-already-confirmed")
    first.refresh_from_db()
    assert first.confirmed_at == confirmed_at
    scroll = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll <= PHONE["width"], f"the phone page scrolls sideways: {scroll}px"


def test_course_of_care_journey(physio, front_desk, page_for, touch_page_for):
    make_practitioner(physio, hours=((0, 6), (8, 18)), name="Maya Chen")
    patient = ready_patient(physio)
    Patient.objects.filter(pk=patient.pk).update(
        legal_first_name="Robin", legal_last_name="Lee", email="robin.lee@example.org"
    )
    waiting = make_patient(
        legal_first_name="Priya", legal_last_name="Shah", email="priya.shah@example.org"
    )

    physio_page = page_for(**DESKTOP)
    physio_page.context.set_default_timeout(15_000)
    plan = _physio_plans_and_books_the_series(physio_page, physio, patient)

    desk = page_for(**DESKTOP)
    desk.context.set_default_timeout(15_000)
    _desk_fills_visit_3_from_the_waitlist(desk, front_desk, plan, waiting)

    phone = touch_page_for(PHONE)
    phone.context.set_default_timeout(15_000)
    _patient_confirms_on_a_phone(phone, plan)

    for page in (physio_page, desk, phone):
        assert page.console_errors == [], page.console_errors
