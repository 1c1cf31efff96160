"""Issue 19, acceptance 3: the desk can undo a check-in or a no-show on the visit's own
day; each undo is kept in the visit's history (who, when, what), and it is refused on a
later day, from any other status, and when the IMS interval was given away meanwhile."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clinic.models import Appointment, AppointmentType
from clinic.services.scheduling import (
    BookingError,
    appointment_check_in,
    appointment_check_in_undo,
    appointment_no_show,
    appointment_no_show_undo,
)
from clinic.tests.factories import make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db
Status = Appointment.Status


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (6, 22)), name="Maya Chen")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


@pytest.fixture
def ims():
    return AppointmentType.objects.get(name="IMS treatment")


def _today_started(maya, kind, front_desk, **fields) -> Appointment:
    start = timezone.now() - dt.timedelta(minutes=20)
    appointment = write_appointment(
        make_patient(legal_first_name="Today"), maya, start, kind, by=front_desk, **fields
    )
    if appointment.local_date != timezone.localdate():
        pytest.skip("twenty minutes ago was yesterday")
    return appointment


def test_a_check_in_is_undone_the_same_day_and_kept_in_history(maya, follow_up, front_desk):
    appointment = appointment_check_in(
        appointment=_today_started(maya, follow_up, front_desk), by=front_desk
    )
    undone = appointment_check_in_undo(appointment=appointment, by=front_desk)
    undone.refresh_from_db()
    assert undone.status == Status.BOOKED
    assert undone.checked_in_at is None
    latest = undone.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == front_desk
    assert latest.history_change_reason == "undo check-in"
    assert [h.status for h in undone.history.order_by("history_date", "history_id")][-2:] == [
        Status.CHECKED_IN,
        Status.BOOKED,
    ]


def test_a_no_show_is_undone_the_same_day(maya, follow_up, front_desk):
    missed = appointment_no_show(
        appointment=_today_started(maya, follow_up, front_desk), by=front_desk
    )
    undone = appointment_no_show_undo(appointment=missed, by=front_desk)
    assert Appointment.objects.get(pk=undone.pk).status == Status.BOOKED
    assert undone.history.latest("history_date").history_change_reason == "undo no-show"


@pytest.mark.parametrize(
    ("status", "undo", "message"),
    [
        (Status.CHECKED_IN, appointment_check_in_undo, "A check-in can only be undone"),
        (Status.NO_SHOW, appointment_no_show_undo, "A no-show can only be undone"),
    ],
)
def test_undo_is_refused_on_a_later_day(maya, follow_up, front_desk, status, undo, message):
    yesterday = timezone.now() - dt.timedelta(days=1)
    past = write_appointment(
        make_patient(legal_first_name="Past"), maya, yesterday, follow_up, by=front_desk,
        status=status,
    )  # fmt: skip
    with pytest.raises(BookingError, match=message):
        undo(appointment=past, by=front_desk)
    assert Appointment.objects.get(pk=past.pk).status == status
    assert past.history.count() == 1  # nothing written


def test_undo_is_refused_from_another_status(maya, follow_up, front_desk):
    booked = _today_started(maya, follow_up, front_desk)
    with pytest.raises(BookingError, match="not possible now"):
        appointment_check_in_undo(appointment=booked, by=front_desk)
    with pytest.raises(BookingError, match="not possible now"):
        appointment_no_show_undo(appointment=booked, by=front_desk)
    assert Appointment.objects.get(pk=booked.pk).status == Status.BOOKED


def test_undoing_a_no_show_never_breaks_the_ims_interval(maya, ims, front_desk):
    missed = appointment_no_show(appointment=_today_started(maya, ims, front_desk), by=front_desk)
    # The no-show freed the interval; the desk booked the patient's IMS two days later.
    write_appointment(missed.patient, maya, missed.start + dt.timedelta(days=2), ims, by=front_desk)
    with pytest.raises(BookingError, match="IMS sessions need at least"):
        appointment_no_show_undo(appointment=missed, by=front_desk)
    assert Appointment.objects.get(pk=missed.pk).status == Status.NO_SHOW


def test_the_desk_undoes_from_the_appointment_page(maya, follow_up, front_desk, client_for):
    appointment = appointment_check_in(
        appointment=_today_started(maya, follow_up, front_desk), by=front_desk
    )
    client = client_for(front_desk)
    page = client.get(f"/appointments/{appointment.pk}/").content.decode()
    assert 'value="undo_check_in"' in page
    answer = client.post(
        f"/appointments/{appointment.pk}/status/", {"action": "undo_check_in"}, follow=True
    )
    assert answer.status_code == 200
    assert "booked again (check-in undone)" in answer.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED
