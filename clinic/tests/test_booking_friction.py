"""Issue 19, booking without friction: the booking form reports every rule a time breaks at
once, and a cancelled or missed visit is rebooked from its own page in one step."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Appointment, AppointmentType
from clinic.services.scheduling import BookingError, Slot, appointment_book, appointment_cancel
from clinic.tests.factories import make_patient, make_practitioner

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")


@pytest.fixture
def ims():
    return AppointmentType.objects.get(name="IMS treatment")


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (8, 18)), name="Maya Chen")


@pytest.fixture
def day():
    return timezone.localdate() + dt.timedelta(days=10)


def _at(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=VANCOUVER)


def test_every_broken_rule_is_reported_at_once(maya, ims, day, front_desk, client_for):
    patient, other = make_patient(), make_patient(legal_first_name="Other")
    appointment_book(
        patient=other, slot=Slot(maya, maya.locations.first(), _at(day, 10), ims), by=front_desk
    )
    appointment_book(
        patient=patient,
        slot=Slot(maya, maya.locations.first(), _at(day - dt.timedelta(days=2), 9), ims),
        by=front_desk,
    )
    # 10:00 on `day`: Maya is busy AND it is two days after the patient's IMS.
    with pytest.raises(BookingError) as refused:
        appointment_book(
            patient=patient,
            slot=Slot(maya, maya.locations.first(), _at(day, 10), ims),
            by=front_desk,
        )
    codes = [problem.code for problem in refused.value.problems]
    assert codes == ["practitioner_overlap", "spacing"]

    answer = client_for(front_desk).post(
        reverse("clinic:appointment_new"),
        {
            "patient": patient.pk,
            "practitioner": maya.pk,
            "location": maya.locations.first().pk,
            "type": ims.pk,
            "date": day.isoformat(),
            "time": "10:00",
        },
    )
    errors = answer.context["form"].non_field_errors()
    assert any("is already booked" in e for e in errors)
    assert any("IMS sessions need at least" in e for e in errors)
    assert answer.context["form"].next_eligible is not None
    assert Appointment.objects.filter(patient=patient).count() == 1


def test_a_cancelled_visit_is_rebooked_from_its_page(maya, ims, day, front_desk, client_for):
    patient = make_patient()
    visit = appointment_book(
        patient=patient, slot=Slot(maya, maya.locations.first(), _at(day, 11), ims), by=front_desk
    )
    appointment_cancel(appointment=visit, reason="Patient unwell", by=front_desk)
    client = client_for(front_desk)
    page = client.get(reverse("clinic:appointment_detail", args=[visit.pk])).content.decode()
    assert "Rebook" in page
    start = page.index('href="/appointments/new/?')
    url = page[start + 6 : page.index('"', start + 6)].replace("&amp;", "&")
    form = client.get(url).context["form"]
    assert form["patient"].value() == patient.pk
    assert form["practitioner"].value() == maya.pk
    assert form["type"].value() == ims.pk
    assert str(form["date"].value()) == day.isoformat()
    # Booking the same time again works in one submit (the cancelled visit frees it).
    answer = client.post(
        reverse("clinic:appointment_new"),
        {
            "patient": patient.pk,
            "practitioner": maya.pk,
            "location": maya.locations.first().pk,
            "type": ims.pk,
            "date": day.isoformat(),
            "time": "11:00",
        },
    )
    assert answer.status_code == 302
    assert Appointment.objects.filter(patient=patient, status="booked").count() == 1


@pytest.mark.parametrize(
    ("typed", "booked"),
    [("10:07", "10:00"), ("10:08", "10:15"), ("10:15", "10:15"), ("10:52", "10:45")],
)
def test_start_times_snap_to_the_grid(maya, ims, day, front_desk, client_for, typed, booked):
    patient = make_patient()
    answer = client_for(front_desk).post(
        reverse("clinic:appointment_new"),
        {
            "patient": patient.pk,
            "practitioner": maya.pk,
            "location": maya.locations.first().pk,
            "type": ims.pk,
            "date": day.isoformat(),
            "time": typed,
        },
    )
    assert answer.status_code == 302
    visit = Appointment.objects.get(patient=patient)
    assert f"{timezone.localtime(visit.start):%H:%M}" == booked
