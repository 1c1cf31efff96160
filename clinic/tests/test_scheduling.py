"""The booking service's invariants: overlaps, IMS spacing, working hours, transitions."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from clinic.models import Appointment, AppointmentType, Location, Room, TimeOff
from clinic.permissions import Role
from clinic.selectors.scheduling import ims_next_eligible
from clinic.services.scheduling import (
    BookingError,
    Slot,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_no_show,
    appointment_reschedule,
)
from clinic.tests.factories import UserFactory, make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VANCOUVER)


@pytest.fixture
def monday() -> dt.date:
    """A Monday at least two weeks ahead, so nothing is in the past."""
    day = timezone.localdate() + dt.timedelta(days=14)
    return day - dt.timedelta(days=day.weekday())


@pytest.fixture
def ims():
    return AppointmentType.objects.get(name="IMS treatment")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (6, 22)), name="Maya Chen")


@pytest.fixture
def patient():
    return make_patient(legal_first_name="Jordan", legal_last_name="Avery")


@pytest.fixture
def book(maya, front_desk, ims):
    def do(patient, start, *, type=None, by=None, practitioner=None, override="", room=None):
        practitioner = practitioner or maya
        slot = Slot(
            practitioner=practitioner,
            location=practitioner.locations.first(),
            start=start,
            type=type or ims,
            room=room,
        )
        return appointment_book(
            patient=patient, slot=slot, by=by or front_desk, override_reason=override
        )

    return do


# --- IMS spacing ----------------------------------------------------------------------------


def test_exactly_seven_days_apart_is_allowed(book, patient, monday):
    book(patient, local(monday, 10))
    second = book(patient, local(monday + dt.timedelta(days=7), 10))
    assert second.local_date - monday == dt.timedelta(days=7)


def test_six_days_apart_is_refused_with_the_next_eligible_date(book, patient, monday):
    book(patient, local(monday, 10))
    with pytest.raises(BookingError) as refused:
        book(patient, local(monday + dt.timedelta(days=6), 10))
    assert refused.value.code == "spacing"
    assert refused.value.next_eligible == monday + dt.timedelta(days=7)
    assert "at least 7 days" in refused.value.message
    assert "6 days before" in refused.value.message
    assert Appointment.objects.count() == 1


def test_calendar_days_count_not_hours_across_a_daylight_saving_change(book, patient):
    # Clocks spring forward on Sunday 14 March 2027 in Vancouver: Monday 21:00 to the next
    # Monday 07:00 is only 153 hours, but seven calendar days.
    evening = local(dt.date(2027, 3, 8), 21)
    morning = local(dt.date(2027, 3, 15), 7)
    assert (morning - evening) < dt.timedelta(days=7)
    book(patient, evening)
    book(patient, morning)
    with pytest.raises(BookingError):
        book(patient, local(dt.date(2027, 3, 14), 7))  # Sunday: 6 calendar days


def test_spacing_is_checked_against_the_next_session_too(book, patient, monday):
    book(patient, local(monday, 10))
    book(patient, local(monday + dt.timedelta(days=14), 10))
    book(patient, local(monday + dt.timedelta(days=7), 12))  # exactly between: fine
    with pytest.raises(BookingError) as refused:
        book(patient, local(monday + dt.timedelta(days=18), 10))  # 4 days after the third
    assert refused.value.next_eligible == monday + dt.timedelta(days=21)


def test_inserting_too_close_to_the_following_session_is_refused(book, patient, monday):
    book(patient, local(monday, 10))
    book(patient, local(monday + dt.timedelta(days=14), 10))
    with pytest.raises(BookingError) as refused:
        book(patient, local(monday + dt.timedelta(days=9), 10))
    # Nine days after the first is fine; five days before the next is not.
    assert "(5 days after)" in refused.value.message
    # The next eligible date skips past the later session.
    assert refused.value.next_eligible == monday + dt.timedelta(days=21)


def test_rescheduling_into_a_violation_is_refused_and_changes_nothing(
    book, patient, monday, front_desk
):
    first = book(patient, local(monday, 10))
    second = book(patient, local(monday + dt.timedelta(days=7), 10))
    slot = Slot(
        practitioner=second.practitioner,
        location=second.location,
        start=local(monday + dt.timedelta(days=3), 10),
        type=second.type,
    )
    with pytest.raises(BookingError, match="IMS sessions need at least 7 days"):
        appointment_reschedule(appointment=second, slot=slot, by=front_desk)
    second.refresh_from_db()
    assert second.local_date == monday + dt.timedelta(days=7)
    assert first.pk != second.pk


def test_rescheduling_a_session_within_its_own_week_is_fine(book, patient, monday, front_desk):
    only = book(patient, local(monday, 10))
    slot = Slot(
        practitioner=only.practitioner,
        location=only.location,
        start=local(monday + dt.timedelta(days=2), 15),
        type=only.type,
    )
    moved = appointment_reschedule(appointment=only, slot=slot, by=front_desk)
    assert moved.local_date == monday + dt.timedelta(days=2)


def test_cancelling_frees_the_spacing_and_the_slot(book, patient, monday, front_desk):
    book(patient, local(monday, 10))
    second = book(patient, local(monday + dt.timedelta(days=7), 10))
    with pytest.raises(BookingError):
        book(patient, local(monday + dt.timedelta(days=10), 10))
    appointment_cancel(appointment=second, reason="Patient unwell", by=front_desk)
    book(patient, local(monday + dt.timedelta(days=10), 10))
    other = make_patient(legal_first_name="Other")
    book(other, local(monday + dt.timedelta(days=7), 10))  # the cancelled slot is free


def test_no_shows_do_not_count_for_spacing(book, patient, monday, maya, front_desk, ims):
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    missed = write_appointment(
        patient, maya, two_days_ago, ims, by=front_desk, status=Appointment.Status.NO_SHOW
    )
    assert ims_next_eligible(patient, on_or_after=timezone.localdate()) == timezone.localdate()
    assert missed.status == Appointment.Status.NO_SHOW


def test_a_physio_may_override_spacing_with_a_reason(book, patient, monday, physio):
    book(patient, local(monday, 10))
    reason = "Acute flare after a fall; discussed risks, patient requests early review."
    close = book(patient, local(monday + dt.timedelta(days=3), 10), by=physio, override=reason)
    assert close.spacing_override_reason == reason
    assert close.spacing_override_by == physio
    history = close.history.get()
    assert (history.history_user, history.spacing_override_reason) == (physio, reason)


def test_front_desk_cannot_override_spacing(book, patient, monday, front_desk):
    book(patient, local(monday, 10))
    with pytest.raises(BookingError, match="Only a physiotherapist can override"):
        book(patient, local(monday + dt.timedelta(days=3), 10), by=front_desk, override="Please")
    assert Appointment.objects.count() == 1


def test_non_ims_visits_do_not_count(book, patient, monday, follow_up):
    book(patient, local(monday, 10))
    book(patient, local(monday + dt.timedelta(days=1), 10), type=follow_up)
    book(patient, local(monday + dt.timedelta(days=7), 10))


# --- Overlaps, hours, time off -------------------------------------------------------------


def test_a_practitioner_cannot_be_in_two_places_at_once(book, monday):
    book(make_patient(legal_first_name="A"), local(monday, 10))
    with pytest.raises(BookingError) as refused:
        book(make_patient(legal_first_name="B"), local(monday, 10, 15))
    assert refused.value.code == "practitioner_overlap"
    assert "already booked 10:00-10:30 (with A Example)" in refused.value.message


def test_back_to_back_is_not_an_overlap(book, monday):
    book(make_patient(legal_first_name="A"), local(monday, 10))
    book(make_patient(legal_first_name="B"), local(monday, 10, 30))


def test_a_patient_cannot_be_in_two_places_at_once(book, patient, monday, follow_up):
    other = make_practitioner(hours=((0, 6), (6, 22)), name="Daniel Okafor")
    book(patient, local(monday, 10), type=follow_up)
    with pytest.raises(BookingError) as refused:
        book(patient, local(monday, 10), type=follow_up, practitioner=other)
    assert refused.value.code == "patient_overlap"


def test_a_room_holds_one_appointment_at_a_time(book, monday, follow_up):
    room = Room.objects.create(location=Location.objects.get(), name="Room 2")
    other = make_practitioner(hours=((0, 6), (6, 22)), name="Daniel Okafor")
    book(make_patient(legal_first_name="A"), local(monday, 10), type=follow_up, room=room)
    with pytest.raises(BookingError, match="Room 2 is in use"):
        book(
            make_patient(legal_first_name="B"),
            local(monday, 10),
            type=follow_up,
            room=room,
            practitioner=other,
        )


@pytest.mark.parametrize(("hour", "minute"), [(5, 30), (21, 45), (22, 0)])
def test_outside_working_hours_is_refused(book, patient, monday, hour, minute):
    with pytest.raises(BookingError) as refused:
        book(patient, local(monday, hour, minute))
    assert refused.value.code == "hours"
    assert "outside Maya Chen's hours" in refused.value.message


def test_time_off_is_respected(book, patient, monday, maya):
    TimeOff.objects.create(
        practitioner=maya, start=local(monday, 0), end=local(monday, 23, 59), kind=TimeOff.Kind.SICK
    )
    with pytest.raises(BookingError, match="away"):
        book(patient, local(monday, 10))


def test_the_past_cannot_be_booked(book, patient):
    with pytest.raises(BookingError, match="already passed"):
        book(patient, timezone.now() - dt.timedelta(hours=1))


# --- Status changes ----------------------------------------------------------------------


def test_check_in_only_on_the_day_and_complete_only_once_started(
    book, patient, monday, front_desk, maya, follow_up
):
    later = book(patient, local(monday, 10))
    with pytest.raises(BookingError, match="Check-in is for the day of the visit"):
        appointment_check_in(appointment=later, by=front_desk)
    with pytest.raises(BookingError, match="once it has started"):
        appointment_complete(appointment=later, by=front_desk)

    started = timezone.now() - dt.timedelta(minutes=5)
    appointment = write_appointment(
        make_patient(legal_first_name="Today"), maya, started, follow_up, by=front_desk
    )
    if appointment.local_date != timezone.localdate():
        pytest.skip("five minutes ago was yesterday")
    appointment = appointment_check_in(appointment=appointment, by=front_desk)
    assert appointment.status == Appointment.Status.CHECKED_IN
    appointment = appointment_complete(appointment=appointment, by=front_desk)
    assert appointment.status == Appointment.Status.COMPLETED
    with pytest.raises(BookingError):
        appointment_cancel(appointment=appointment, reason="late", by=front_desk)


def test_no_show_only_once_started_and_cancel_needs_a_reason(book, patient, monday, front_desk):
    appointment = book(patient, local(monday, 10))
    with pytest.raises(BookingError, match="once the appointment has started"):
        appointment_no_show(appointment=appointment, by=front_desk)
    with pytest.raises(BookingError, match="reason"):
        appointment_cancel(appointment=appointment, reason="  ", by=front_desk)
    cancelled = appointment_cancel(appointment=appointment, reason="Patient called", by=front_desk)
    assert (cancelled.status, cancelled.cancelled_by) == (Appointment.Status.CANCELLED, front_desk)


def test_online_bookers_are_patients_not_overriders(book, patient, monday, make_user):
    patient_account = make_user(Role.PATIENT)
    book(patient, local(monday, 10))
    with pytest.raises(BookingError, match="Only a physiotherapist"):
        book(patient, local(monday + dt.timedelta(days=2), 10), by=patient_account, override="x")
    assert UserFactory._meta.model.objects.filter(pk=patient_account.pk).exists()
