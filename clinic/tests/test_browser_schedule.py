"""Schedule journeys in headless Chromium, with screenshots.

The front desk reads a busy day, books from a free slot (and is refused an IMS visit too
soon after the last one, with the next eligible date named), checks a patient in and
cancels another with a reason; a physio looks at a week and at "my day"; a patient books
an IMS visit online on a phone. Assertions check what the user sees (columns, names,
notices, errors, the modal, no console errors, no sideways scrolling on a phone).
Screenshots land in var/screenshots/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import (
    Appointment,
    AppointmentType,
    ConsentVersion,
    Location,
    ScreeningItem,
)
from clinic.permissions import Role
from clinic.services import consent_sign
from clinic.services.scheduling import Slot, appointment_book
from clinic.tests.factories import (
    UserFactory,
    fill_intake,
    make_patient,
    make_practitioner,
    write_appointment,
)
from tests.browser import (
    assert_no_sideways_scroll,
    grid_appointment,
    heading,
    long_date,
    modal,
    short_date,
    shot,
    sign_in,
    success_message,
    unpadded_or_padded,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
WEEKDAYS = ((0, 4), (8, 18))  # Monday to Friday, 08:00-18:00


# --- Helpers ---------------------------------------------------------------------------------


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def a_monday_ahead() -> dt.date:
    """The first Monday at least two days ahead: a working day for everyone, with its
    Thursday (D+3) and the next Monday (D+7) inside the online booking window."""
    day = timezone.localdate() + dt.timedelta(days=2)
    while day.weekday() != 0:
        day += dt.timedelta(days=1)
    return day


def kind(name: str) -> AppointmentType:
    return AppointmentType.objects.get(name=name)


def book(patient, practitioner, start, type_name, *, by, via=Appointment.Via.DESK):
    slot = Slot(
        practitioner=practitioner,
        location=practitioner.locations.first(),
        start=start,
        type=kind(type_name),
    )
    return appointment_book(patient=patient, slot=slot, by=by, via=via)


def sign_consent(patient, *, by) -> None:
    version = ConsentVersion.objects.filter(published_at__isnull=False).order_by("-version")[0]
    consent_sign(
        patient=patient,
        version=version,
        typed_name=patient.legal_name,
        channel="clinic",
        by=by,
    )


def front_desk_user():
    return UserFactory(
        username="frontdesk", first_name="Sam", last_name="Reid", roles={Role.FRONT_DESK}
    )


def three_practitioners():
    location = Location.objects.get_or_create(name="Main clinic")[0]
    return [
        make_practitioner(location=location, hours=WEEKDAYS, name=name)
        for name in ("Maya Chen", "Omar Haddad", "Grace Nakamura")
    ]


# Eight appointments per practitioner: (hour, minute, type); gaps left free on purpose.
DAY_PLAN = [
    (8, 0, "Initial assessment"),
    (9, 0, "IMS treatment"),
    (9, 30, "Follow-up"),
    (10, 30, "IMS treatment"),
    (11, 0, "Follow-up"),
    (13, 0, "IMS treatment"),
    (14, 0, "Follow-up"),
    (15, 30, "IMS treatment"),
]

NAMES = [
    ("Hélène", "Tremblay"), ("Liam", "O'Neill"), ("Siobhán", "O'Brien"), ("José", "Álvarez"),
    ("Mei", "Chen"), ("Noah", "Bergström"), ("Priya", "Sharma"), ("Françoise", "Côté"),
    ("Ahmed", "Haddad"), ("Helen", "Park"), ("Grace", "Kim"), ("Lucas", "Martin"),
    ("Olivia", "Brown"), ("Ethan", "Wilson"), ("Ava", "Singh"), ("Mason", "Lee"),
    ("Chloe", "Roy"), ("Jacob", "Gagnon"), ("Emma", "Wong"), ("Aiden", "Thompson"),
    ("Zoe", "Fraser"), ("Owen", "MacDonald"), ("Leah", "Morin"),
]  # fmt: skip


# --- 1. Day view -----------------------------------------------------------------------------


def test_the_front_desk_reads_a_busy_day_with_a_new_online_booking(page_for):
    desk = front_desk_user()
    day = a_monday_ahead()
    practitioners = three_practitioners()
    names = iter(NAMES)
    booked = []
    for p_index, practitioner in enumerate(practitioners):
        for a_index, (hour, minute, type_name) in enumerate(DAY_PLAN):
            if p_index == 1 and a_index == 1:
                continue  # this one is booked online below
            first, last = next(names)
            patient = make_patient(by=desk, legal_first_name=first, legal_last_name=last)
            if a_index % 3 == 0:
                fill_intake(patient, by=desk)
                sign_consent(patient, by=desk)
            book(patient, practitioner, local(day, hour, minute), type_name, by=desk)
            booked.append(patient)
    # One patient booked themselves online into Omar's 09:00.
    online_user = UserFactory(username="jordan", roles={Role.PATIENT})
    online = make_patient(by=desk, legal_first_name="Jordan", legal_last_name="Avery")
    online.user = online_user
    online.save(update_fields=["user"])
    book(
        online,
        practitioners[1],
        local(day, 9),
        "IMS treatment",
        by=online_user,
        via=Appointment.Via.PORTAL,
    )
    assert Appointment.objects.count() == 24

    page = page_for(**DESKTOP)
    sign_in(page, "frontdesk")
    page.goto(page.base + f"/desk/?date={day.isoformat()}")
    expect(heading(page)).to_have_text(long_date(day))
    expect(page.locator(".page-header .eyebrow")).to_contain_text("Main clinic")

    # One column per practitioner (in alphabetical order), each with its count.
    headers = page.locator(".schedule-grid thead th:not(.time-col)")
    expect(headers).to_have_count(3)
    for index, name in enumerate(("Grace Nakamura", "Maya Chen", "Omar Haddad")):
        expect(headers.nth(index)).to_contain_text(name)
        expect(headers.nth(index)).to_contain_text("8 booked")

    # Every appointment is in the grid with the patient's name.
    expect(page.locator(".schedule-grid a.appt")).to_have_count(24)
    for patient in booked[:3] + [online]:
        expect(grid_appointment(page, patient.display_name)).to_be_visible()
    expect(page.locator(".schedule-grid a.appt.appt-ims")).to_have_count(12)
    first = grid_appointment(page, booked[0].display_name)
    expect(first).to_contain_text("08:00–09:00")
    expect(first).to_contain_text("Initial assessment")

    # The online booking is announced and flagged in its cell.
    notice = page.locator(".alert-info", has_text="new online booking")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("1 new online booking:")
    expect(notice).to_contain_text(f"Jordan Avery ({day:%a} {day.day} {day:%b} 09:00)")
    expect(notice.get_by_role("button", name="Mark as seen")).to_be_visible()
    online_cell = grid_appointment(page, "Jordan Avery")
    # States are icons whose words are the link's text (issue 19).
    expect(online_cell.locator(".appt-state", has_text="Booked online")).to_be_visible()
    expect(online_cell.locator(".appt-state", has_text="Consent needed")).to_be_visible()

    # Free slots are there to click in every column.
    for practitioner in practitioners:
        expect(
            page.locator(f'a.slot-link[href*="practitioner={practitioner.pk}&"]').first
        ).to_be_attached()
    shot(page, "schedule-day")
    assert page.console_errors == []


# --- 2. Booking from a free slot, with the IMS spacing refusal ------------------------------


def test_the_front_desk_is_refused_an_ims_visit_too_soon_then_books_the_eligible_date(page_for):
    desk = front_desk_user()
    day = a_monday_ahead()
    maya, omar, _grace = three_practitioners()
    patient = make_patient(
        by=desk, legal_first_name="Jordan", legal_last_name="Avery", phone="604-555-0105"
    )
    make_patient(by=desk, legal_first_name="Avery", legal_last_name="Lin")  # a near namesake
    book(patient, maya, local(day, 9), "IMS treatment", by=desk)
    too_soon, eligible = day + dt.timedelta(days=3), day + dt.timedelta(days=7)

    page = page_for(**DESKTOP)
    sign_in(page, "frontdesk")
    expect(page).to_have_url(re.compile(r"/desk/"))
    page.get_by_label("Go to date").fill(too_soon.isoformat())
    # The date applies on change (static/js/schedule.js): no Go button with JavaScript.
    expect(heading(page)).to_have_text(long_date(too_soon))

    # A free 10:00 slot in Omar's column opens the booking modal for that slot.
    slot = page.locator(
        f'a.slot-link[href*="practitioner={omar.pk}&"][href*="start={too_soon.isoformat()}T10:00"]'
    )
    slot.click()
    expect(modal(page)).to_be_visible()
    expect(modal(page).get_by_role("heading", name="Book an appointment")).to_be_visible()
    expect(page.locator("#id_practitioner option:checked")).to_have_text("Omar Haddad")
    expect(page.locator("#id_date")).to_have_value(too_soon.isoformat())
    expect(page.locator("#id_time")).to_have_value("10:00")

    # Search the patient by part of the name and pick them from the list.
    search = modal(page).get_by_label("Search patients")
    search.press_sequentially("aver")
    choices = page.locator("#patient-choices button")
    expect(choices).to_have_count(2)
    choices.filter(has_text="Avery, Jordan").click()
    panel = page.locator("#patient-panel .patient-chosen")
    expect(panel).to_contain_text("Jordan Avery")
    expect(panel).to_contain_text("604-555-0105")
    expect(panel).to_contain_text(f"Next eligible IMS date: {short_date(eligible)}")
    expect(panel).to_contain_text(f"Booked IMS: {day:%a} {day.day} {day:%b}")

    page.locator("#id_type").select_option(label="IMS treatment")
    modal(page).get_by_role("button", name="Book", exact=True).click()
    refusal = modal(page).locator("#booking-refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("IMS sessions need at least 7 days")
    expect(refusal).to_contain_text(f"Next eligible date: {short_date(eligible)}")
    # Nothing typed is lost: the patient, the type and the slot are still chosen.
    expect(page.locator("#patient-panel .patient-chosen")).to_contain_text("Jordan Avery")
    expect(page.locator("#id_type option:checked")).to_have_text("IMS treatment")
    expect(page.locator("#id_time")).to_have_value("10:00")
    assert Appointment.objects.count() == 1
    shot(page, "schedule-booking-refused")

    # The eligible date is accepted; the page moves to that day and shows the visit.
    page.locator("#id_date").fill(eligible.isoformat())
    modal(page).get_by_role("button", name="Book", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/desk/\?date={eligible.isoformat()}"))
    expect(heading(page)).to_have_text(long_date(eligible))
    expect(success_message(page)).to_contain_text(
        unpadded_or_padded(
            "Booked Jordan Avery: IMS treatment, {} 10:00 with Omar Haddad.", eligible, "%a", "%b"
        )
    )
    expect(modal(page)).to_be_hidden()
    visit = grid_appointment(page, "Jordan Avery")
    expect(visit).to_be_visible()
    expect(visit).to_contain_text("10:00–10:30")
    expect(visit).to_contain_text("IMS treatment")
    columns = page.locator(".schedule-grid thead th:not(.time-col)")
    expect(columns.filter(has_text="Omar Haddad")).to_contain_text("1 booked")
    shot(page, "schedule-booked")
    new = Appointment.objects.get(local_date=eligible)
    assert (new.patient, new.practitioner, new.booked_via) == (patient, omar, "desk")
    assert page.console_errors == []


def test_the_booking_modal_puts_the_cursor_in_the_patient_search(page_for):
    front_desk_user()
    day = a_monday_ahead()
    maya, _omar, _grace = three_practitioners()
    page = page_for(**DESKTOP)
    sign_in(page, "frontdesk")
    page.goto(page.base + f"/desk/?date={day.isoformat()}")
    page.locator(f'a.slot-link[href*="practitioner={maya.pk}&"]').first.click()
    expect(modal(page)).to_be_visible()
    expect(modal(page).get_by_label("Search patients")).to_be_focused()


# --- 3. Check in and cancel from the appointment modal --------------------------------------


def test_the_front_desk_checks_one_patient_in_and_cancels_another(page_for):
    desk = front_desk_user()
    # Check-in is for the day of the visit: both visits are today, one already started.
    started = (timezone.now() - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    later = started + dt.timedelta(hours=1)
    day = timezone.localdate()
    # The later visit must also end today: the grid is one day's rows (a visit running past
    # midnight is not a clinic's case).
    ends = later + dt.timedelta(minutes=30)
    if timezone.localtime(started).date() != day or timezone.localtime(ends).date() != day:
        pytest.skip("needs both visits (until an hour and a half from now) within today")
    maya, _omar, _grace = three_practitioners()
    arriving = make_patient(by=desk, legal_first_name="Mei", legal_last_name="Chen")
    calling = make_patient(by=desk, legal_first_name="Noah", legal_last_name="Bergström")
    location = maya.locations.first()
    for patient, start, kind in (
        (arriving, started, "Follow-up"),
        (calling, later, "IMS treatment"),
    ):
        appointment_type = AppointmentType.objects.get(name=kind)
        write_appointment(patient, maya, start, appointment_type, by=desk, location=location)
    cancelled = Appointment.objects.get(patient=calling)

    page = page_for(**DESKTOP)
    sign_in(page, "frontdesk")
    page.goto(page.base + f"/desk/?date={day.isoformat()}")
    grid_appointment(page, "Mei Chen").click()
    expect(modal(page)).to_be_visible()
    title = modal(page).get_by_role("heading", name="Mei Chen · Follow-up")
    expect(title).to_be_visible()
    details = modal(page).locator("dl")
    start_text = timezone.localtime(started).strftime("%H:%M")
    end_text = timezone.localtime(started + dt.timedelta(minutes=30)).strftime("%H:%M")
    expect(details).to_contain_text(f"{long_date(day)}, {start_text}–{end_text}")
    expect(details).to_contain_text("Maya Chen at Main clinic")
    expect(details.locator(".badge", has_text="Booked")).to_be_visible()
    for action in ("Check in", "Complete", "Reschedule", "Cancel appointment"):
        expect(
            modal(page)
            .get_by_role("button", name=action)
            .or_(modal(page).get_by_role("link", name=action))
        ).to_be_visible()
    # The visit has started, so a no-show can be recorded too.
    expect(modal(page).get_by_role("button", name="No-show")).to_be_visible()
    shot(page, "schedule-appointment-modal")

    modal(page).get_by_role("button", name="Check in").click()
    expect(success_message(page)).to_contain_text("Mei Chen checked in.")
    expect(modal(page)).to_be_hidden()
    checked_in = grid_appointment(page, "Mei Chen")
    expect(checked_in).to_have_class(re.compile(r"\bappt-checked_in\b"))
    expect(checked_in.locator(".appt-state", has_text="Checked in")).to_be_visible()

    grid_appointment(page, "Noah Bergström").click()
    expect(
        modal(page).get_by_role("heading", name="Noah Bergström · IMS treatment")
    ).to_be_visible()
    expect(modal(page).locator("dl")).to_contain_text("next eligible")
    modal(page).get_by_label("Cancel with a reason").fill("Patient called, unwell")
    modal(page).get_by_role("button", name="Cancel appointment").click()
    expect(success_message(page)).to_contain_text("Cancelled Noah Bergström's appointment.")
    expect(grid_appointment(page, "Noah Bergström")).to_have_count(0)
    expect(page.locator(".schedule-grid thead th", has_text="Maya Chen")).to_contain_text(
        "1 booked"
    )
    shot(page, "schedule-after-check-in-and-cancel")
    cancelled.refresh_from_db()
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancel_reason == "Patient called, unwell"
    assert Appointment.objects.get(patient=arriving).status == Appointment.Status.CHECKED_IN
    assert page.console_errors == []


# --- 4. Week view ----------------------------------------------------------------------------


def test_a_locations_week_on_a_desktop_and_on_a_phone(page_for, touch_page_for):
    """The week as a time grid: each day a column per practitioner; the practitioner picker
    applies on change; a free slot opens the booking modal for it; a day opens its day
    view; on a phone the grid scrolls inside its card, not the page."""
    desk = front_desk_user()
    physio = UserFactory(
        username="physio", first_name="Maya", last_name="Chen", roles={Role.PHYSIO}
    )
    location = Location.objects.get_or_create(name="Main clinic")[0]
    maya = make_practitioner(physio, location=location, hours=WEEKDAYS, name="Maya Chen")
    omar = make_practitioner(location=location, hours=WEEKDAYS, name="Omar Haddad")
    monday = a_monday_ahead()
    names = iter(NAMES)
    per_day = [3, 2, 4, 1, 3]
    for offset, count in enumerate(per_day):
        day = monday + dt.timedelta(days=offset)
        for index in range(count):
            first, last = next(names)
            patient = make_patient(by=desk, legal_first_name=first, legal_last_name=last)
            type_name = "IMS treatment" if index % 2 == 0 else "Follow-up"
            book(patient, maya, local(day, 9 + 2 * index, 30), type_name, by=desk)
    book(make_patient(by=desk, legal_first_name="Olly", legal_last_name="Omarson"), omar,
         local(monday, 11), "Follow-up", by=desk)  # fmt: skip

    page = page_for(**DESKTOP)
    sign_in(page, "frontdesk")
    page.goto(page.base + f"/schedule/week/?location={location.pk}&date={monday.isoformat()}")
    expect(heading(page)).to_contain_text(f"Week of {monday.day} {monday:%B %Y}")
    grid = page.locator("table.week-table")
    days = grid.locator("thead tr.week-days th.day-start")
    expect(days).to_have_count(5)  # nobody works at the weekend
    for offset in range(5):
        day = monday + dt.timedelta(days=offset)
        expect(days.nth(offset)).to_contain_text(f"{day:%a} {day.day} {day:%b}")
    expect(grid.locator("thead tr.week-staff th")).to_have_count(10)
    expect(grid.locator("a.appt")).to_have_count(sum(per_day) + 1)
    expect(grid.locator("a.appt", has_text=NAMES[0][1]).first).to_contain_text("09:30")
    expect(page.get_by_role("button", name="Go")).to_be_hidden()
    shot(page, "schedule-week")
    assert page.console_errors == []

    # One practitioner: the picker applies on change.
    page.get_by_label("Practitioner").select_option(label="Maya Chen")
    expect(page).to_have_url(re.compile(rf"practitioner={maya.pk}"))
    expect(grid.locator("thead tr.week-staff th")).to_have_count(5)
    expect(grid.locator("a.appt")).to_have_count(sum(per_day))

    # A free slot on Tuesday at 10:00 books Maya there.
    tuesday = monday + dt.timedelta(days=1)
    grid.locator(
        f'a.slot-link[href*="practitioner={maya.pk}&"][href*="start={tuesday.isoformat()}T10:00"]'
    ).click()
    expect(modal(page).get_by_role("heading", name="Book an appointment")).to_be_visible()
    expect(page.locator("#id_practitioner option:checked")).to_have_text("Maya Chen")
    expect(page.locator("#id_date")).to_have_value(tuesday.isoformat())
    expect(page.locator("#id_time")).to_have_value("10:00")
    modal(page).get_by_role("button", name="Close").first.click()

    # A day's header opens its day view, which leads back to the same week.
    days.nth(2).get_by_role("link").click()
    expect(heading(page)).to_have_text(long_date(monday + dt.timedelta(days=2)))
    page.get_by_role("link", name="Week view").click()
    expect(heading(page)).to_contain_text(f"Week of {monday.day} {monday:%B %Y}")
    expect(page.get_by_label("Practitioner").locator("option:checked")).to_have_text("Maya Chen")

    phone = touch_page_for(PHONE)
    sign_in(phone, "physio")
    phone.goto(phone.base + f"/schedule/week/?practitioner={maya.pk}&date={monday.isoformat()}")
    expect(phone.locator("table.week-table a.appt")).to_have_count(sum(per_day))
    assert_no_sideways_scroll(phone, PHONE["width"])
    shot(phone, "schedule-week-phone")
    assert phone.console_errors == []


# --- 5. My day -------------------------------------------------------------------------------


def test_a_physio_sees_todays_patients_with_their_readiness(page_for):
    now = timezone.localtime()
    first = (now + dt.timedelta(minutes=45)).replace(second=0, microsecond=0)
    first = first.replace(minute=first.minute - first.minute % 15)
    starts = [first + dt.timedelta(minutes=45 * n) for n in range(3)]
    last_end = starts[-1] + dt.timedelta(minutes=30)
    if last_end.date() != now.date() or last_end.time() > dt.time(23):
        pytest.skip(
            f"needs three half-hour slots later today before 23:00; it is {now:%H:%M} local"
        )
    desk = front_desk_user()
    physio = UserFactory(
        username="physio", first_name="Maya", last_name="Chen", roles={Role.PHYSIO}
    )
    # Working from midnight to 23:00, so the test runs at any hour CI starts it.
    maya = make_practitioner(physio, hours=((0, 6), (0, 23)), name="Maya Chen")
    ready = make_patient(by=desk, legal_first_name="Hélène", legal_last_name="Tremblay")
    fill_intake(ready, by=desk)
    sign_consent(ready, by=desk)
    new = make_patient(by=desk, legal_first_name="Liam", legal_last_name="O'Neill")
    blocked = make_patient(by=desk, legal_first_name="Priya", legal_last_name="Sharma")
    fill_intake(blocked, by=desk, screening=[ScreeningItem.objects.get(code="local-infection")])
    sign_consent(blocked, by=desk)
    book(ready, maya, starts[0], "IMS treatment", by=desk)
    book(new, maya, starts[1], "Follow-up", by=desk)
    book(blocked, maya, starts[2], "IMS treatment", by=desk)

    page = page_for(**DESKTOP)
    sign_in(page, "physio")
    expect(page).to_have_url(re.compile(r"/my-day/$"))
    expect(heading(page)).to_have_text("Good to see you, Maya")
    expect(page.get_by_text("3 appointments")).to_be_visible()
    rows = page.locator("ol.my-day > li")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(f"{starts[0]:%H:%M}")
    expect(rows.nth(0)).to_contain_text("Hélène Tremblay")
    for badge in ("Intake ✓", "Consent ✓", "Screening ✓"):
        expect(rows.nth(0)).to_contain_text(badge)
    expect(rows.nth(1)).to_contain_text("Liam O'Neill")
    expect(rows.nth(1)).to_contain_text("Intake pending")
    expect(rows.nth(1)).to_contain_text("Consent needed")
    expect(rows.nth(2)).to_contain_text("Priya Sharma")
    expect(rows.nth(2).locator(".badge", has_text="Needling blocked")).to_be_visible()
    expect(rows.nth(2).get_by_role("link", name="Open chart")).to_have_attribute(
        "href", f"/treatments/patients/{blocked.pk}/chart/"
    )
    shot(page, "schedule-my-day")
    assert page.console_errors == []


# --- 6. Online booking on a phone ------------------------------------------------------------


def test_a_patient_books_an_ims_visit_online_and_is_told_when_the_next_can_be(touch_page_for):
    desk = front_desk_user()
    day = a_monday_ahead()
    location = Location.objects.get_or_create(name="Main clinic")[0]
    maya = make_practitioner(location=location, hours=WEEKDAYS, name="Maya Chen")
    make_practitioner(location=location, hours=((0, 4), (12, 18)), name="Omar Haddad")
    # Maya's morning is taken but for 10:30.
    for hour, minute in ((8, 0), (8, 30), (9, 0), (9, 30), (10, 0), (11, 0), (11, 30)):
        book(make_patient(by=desk), maya, local(day, hour, minute), "Follow-up", by=desk)
    user = UserFactory(username="pat", first_name="Pat", roles={Role.PATIENT})
    patient = make_patient(by=desk, legal_first_name="Pat", legal_last_name="Portal")
    patient.user = user
    patient.save(update_fields=["user"])

    page = touch_page_for(PHONE)
    sign_in(page, "pat")
    page.goto(page.base + "/portal/book/")
    expect(heading(page)).to_have_text("Book a visit")
    page.get_by_label("IMS treatment").check()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Show times").tap()
    expect(
        page.get_by_role("heading", name=f"Free times on {day:%A} {day.day} {day:%B}")
    ).to_be_visible()
    times = page.locator(".slot-list button.slot-button")
    expect(times.first).to_be_visible()
    # Each time says when, with whom and where, one per line.
    offered = [
        [line.strip() for line in text.splitlines() if line.strip()]
        for text in times.all_inner_texts()
    ]
    assert {where for _, _, where in offered} == {"Main clinic"}
    # Maya's taken morning is not offered: her first free times are 10:30, then 12:00.
    assert [when for when, who, _ in offered if who == "Maya Chen"][:2] == ["10:30", "12:00"]
    # Omar starts at noon.
    assert [when for when, who, _ in offered if who == "Omar Haddad"][0] == "12:00"
    # Grouped by part of the day.
    expect(page.get_by_role("heading", name="Morning")).to_be_visible()
    expect(page.get_by_role("heading", name="Afternoon")).to_be_visible()
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "portal-book-slots")

    times.filter(has_text="10:30").filter(has_text="Maya Chen").tap()
    expect(heading(page)).to_have_text("Confirm your booking")
    expect(page.locator("main")).to_contain_text("Maya Chen")
    page.get_by_role("button", name="Confirm booking").tap()
    expect(page).to_have_url(re.compile(r"/portal/appointments/$"))
    expect(heading(page)).to_have_text("My appointments")
    expect(success_message(page)).to_contain_text(
        unpadded_or_padded("Booked: IMS treatment with Maya Chen on {} at 10:30", day, "%A", "%B")
    )
    upcoming = page.locator(".card", has=page.get_by_role("heading", name="Upcoming"))
    visit = upcoming.locator("li", has_text=f"{long_date(day)}, 10:30")
    expect(visit).to_be_visible()
    expect(visit).to_contain_text("IMS treatment with Maya Chen · Main clinic")
    expect(visit.get_by_role("button", name="Cancel")).to_be_visible()
    eligible = day + dt.timedelta(days=7)
    expect(page.locator("main")).to_contain_text(
        f"Your next IMS session can be on {eligible:%A} {eligible.day} {eligible:%B} or later."
    )
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "portal-appointments")
    booked = Appointment.objects.get(patient=patient)
    assert (booked.booked_via, booked.practitioner) == ("portal", maya)

    # Two days later is too soon for IMS: the date is refused with the next eligible one.
    page.get_by_role("link", name="Book a visit").tap()
    page.get_by_label("IMS treatment").check()
    page.get_by_label("Date").fill((day + dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Show times").tap()
    error = page.locator("#div_id_date .invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text(
        unpadded_or_padded(
            "Your next IMS session can be on {} or later (at least a week between sessions).",
            eligible,
            "%A",
            "%B",
        )
    )
    expect(page.locator(".slot-list")).to_have_count(0)
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "portal-book-too-soon")
    assert Appointment.objects.filter(patient=patient).count() == 1
    assert page.console_errors == []
