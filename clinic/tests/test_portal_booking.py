"""Issue 19, acceptance 5 and the portal's booking friction: free times show where, can be
narrowed to a practitioner and a location, come grouped by part of the day; choosing one
asks for confirmation; the booking e-mails a confirmation with an .ics that `icalendar`
parses; every upcoming visit can be added to a calendar; cancelled visits say so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clinic.models import Appointment, AppointmentType, Location
from clinic.permissions import Role
from clinic.services.scheduling import appointment_cancel
from clinic.tests.factories import PatientFactory, make_practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return timezone.localdate() + dt.timedelta(days=3)


@pytest.fixture
def follow_up():
    kind = AppointmentType.objects.get(name="Follow-up")
    kind.bookable_online = True
    kind.save()
    return kind


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (8, 19)), name="Maya Chen")


@pytest.fixture
def omar(make_user):
    west = Location.objects.create(name="West side", address="12 Alma St")
    return make_practitioner(
        make_user(Role.PHYSIO), location=west, hours=((0, 6), (13, 15)), name="Omar Haddad"
    )


@pytest.fixture
def patient(make_user):
    return PatientFactory(
        user=make_user(Role.PATIENT),
        legal_first_name="Pat",
        legal_last_name="Portal",
        email="pat.portal@example.org",
    )


def _times(client, **query):
    page = client.get(reverse("clinic:portal_book"), query)
    assert page.status_code == 200
    return page, page.context["day_parts"]


def _choice(slot, kind) -> dict:
    return {
        "type": kind.pk,
        "practitioner": slot.practitioner.pk,
        "location": slot.location.pk,
        "start": slot.start.isoformat(),
    }


def test_free_times_show_where_and_are_grouped_by_part_of_day(
    client_for, patient, maya, omar, follow_up, day
):
    page, parts = _times(client_for(patient.user), type=follow_up.pk, date=day.isoformat())
    labels = [label for label, _ in parts]
    assert labels == ["Morning", "Afternoon", "Evening"]  # Maya 8-19: all three
    for label, slots in parts:
        hours = {timezone.localtime(s.start).hour for s in slots}
        bounds = {"Morning": (0, 12), "Afternoon": (12, 17), "Evening": (17, 24)}[label]
        assert all(bounds[0] <= h < bounds[1] for h in hours), (label, hours)
    html = page.content.decode()
    assert "West side" in html
    assert "Main clinic" in html


def test_free_times_narrow_to_a_practitioner_and_a_location(
    client_for, patient, maya, omar, follow_up, day
):
    client = client_for(patient.user)
    _, parts = _times(client, type=follow_up.pk, date=day.isoformat(), practitioner=omar.pk)
    slots = [s for _, part in parts for s in part]
    assert slots
    assert {s.practitioner.pk for s in slots} == {omar.pk}
    _, parts = _times(
        client, type=follow_up.pk, date=day.isoformat(), location=maya.locations.first().pk
    )
    assert {s.location.name for _, part in parts for s in part} == {"Main clinic"}
    page, parts = _times(
        client,
        type=follow_up.pk,
        date=day.isoformat(),
        practitioner=omar.pk,
        location=maya.locations.first().pk,
    )
    assert parts == []
    assert "No free times that day with these choices" in page.content.decode()


def test_booking_asks_for_confirmation_then_emails_an_ics(
    client_for, patient, maya, follow_up, day, django_capture_on_commit_callbacks, enqueued
):
    client = client_for(patient.user)
    _, parts = _times(client, type=follow_up.pk, date=day.isoformat())
    slot = parts[0][1][0]
    asked = client.post(reverse("clinic:portal_book"), _choice(slot, follow_up))
    html = asked.content.decode()
    assert "Confirm your booking" in html
    assert "Maya Chen" in html
    assert "pat.portal@example.org" in html
    assert not Appointment.objects.exists()
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            reverse("clinic:portal_book"), _choice(slot, follow_up) | {"confirm": "yes"}
        )
    assert booked.status_code == 302
    appointment = Appointment.objects.get()
    [task] = enqueued
    assert (task.name, task.args) == (
        "clinic.tasks.appointment_confirmation_task",
        (appointment.pk,),
    )
    task.run()
    [message] = mail.outbox
    assert message.to == ["pat.portal@example.org"]
    assert message.subject.startswith("Booked:")
    assert "Maya Chen" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == appointment.start
    assert event.decoded("dtend") == appointment.end
    assert str(event["uid"]).startswith(f"appointment-{appointment.pk}@")
    assert "Follow-up" in str(event["summary"])
    text = content if isinstance(content, str) else content.decode()
    assert "Pat" not in text  # no patient name in the calendar file


def test_desk_bookings_send_no_portal_confirmation(
    patient, maya, follow_up, day, front_desk, django_capture_on_commit_callbacks, enqueued
):
    from clinic.services.scheduling import Slot, appointment_book

    start = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    slot = Slot(practitioner=maya, location=maya.locations.first(), start=start, type=follow_up)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(patient=patient, slot=slot, by=front_desk)
    assert not enqueued


def test_each_upcoming_visit_adds_to_a_calendar_and_only_the_patients_own(
    client_for, patient, maya, follow_up, day, front_desk, make_user
):
    from clinic.services.scheduling import Slot, appointment_book

    start = dt.datetime.combine(day, dt.time(11), tzinfo=timezone.get_current_timezone())
    slot = Slot(practitioner=maya, location=maya.locations.first(), start=start, type=follow_up)
    appointment = appointment_book(patient=patient, slot=slot, by=front_desk)
    client = client_for(patient.user)
    listing = client.get(reverse("clinic:portal_appointments")).content.decode()
    url = reverse("clinic:portal_appointment_calendar", args=[appointment.pk])
    assert f'href="{url}"' in listing
    answer = client.get(url)
    assert answer["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(answer.content).walk("VEVENT")
    assert event.decoded("dtstart") == appointment.start
    other = PatientFactory(user=make_user(Role.PATIENT), legal_first_name="Other")
    assert client_for(other.user).get(url).status_code == 404


def test_a_cancelled_future_visit_is_listed_as_cancelled(
    client_for, patient, maya, follow_up, day, front_desk
):
    from clinic.services.scheduling import Slot, appointment_book

    start = dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())
    slot = Slot(practitioner=maya, location=maya.locations.first(), start=start, type=follow_up)
    appointment = appointment_book(patient=patient, slot=slot, by=front_desk)
    appointment_cancel(appointment=appointment, reason="Patient called", by=front_desk)
    html = client_for(patient.user).get(reverse("clinic:portal_appointments")).content.decode()
    past = html[html.index("Past and cancelled") :]
    row = past[past.index("Follow-up with Maya Chen") :]
    row = row[: row.index("</li>")]
    assert '<span class="visually-hidden">Status: </span>Cancelled' in row
