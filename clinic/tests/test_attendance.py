"""Issue 19: the patient page shows the patient's no-shows and late cancellations (under the
clinic's notice period), and the booking modal's patient search takes a date of birth."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Appointment, AppointmentType, ClinicPolicy
from clinic.selectors import patient_attendance
from clinic.tests.factories import make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (0, 23)), name="Maya Chen")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


def test_no_shows_and_late_cancellations_are_counted_and_listed(
    client_for, front_desk, maya, follow_up
):
    ClinicPolicy.objects.update_or_create(pk=1, defaults={"cancellation_notice_hours": 24})
    patient = make_patient(legal_first_name="Often")
    now = timezone.now()
    visit = lambda days, **f: write_appointment(  # noqa: E731
        patient, maya, now - dt.timedelta(days=days), follow_up, by=front_desk, **f
    )
    visit(30, status="completed")
    visit(20, status="completed")
    visit(10, status="no_show")
    start = now - dt.timedelta(days=5)
    late = visit(5, status="cancelled", cancelled_at=start - dt.timedelta(hours=3),
                 cancel_reason="Car trouble")  # fmt: skip
    visit(3, status="cancelled", cancelled_at=now - dt.timedelta(days=6))  # a week ahead: fine

    record = patient_attendance(patient)
    assert (record.visits, record.no_shows, record.late_cancels) == (2, 1, 1)
    assert [a.status for a in record.recent] == ["cancelled", "no_show"]
    assert record.recent[0].pk == late.pk

    html = client_for(front_desk).get(reverse("clinic:patient_detail", args=[patient.pk]))
    section = html.content.decode()
    section = section[section.index('id="attendance"') :][:2000]
    text = " ".join(section.split())
    assert "2 visits completed" in text
    assert "1 no-show" in text
    assert "1 late cancellation" in text
    assert "less than 24 hours' notice" in text
    assert "Car trouble" in text


def test_a_patient_with_a_clean_record(client_for, front_desk):
    patient = make_patient(legal_first_name="Reliable")
    record = patient_attendance(patient)
    assert (record.no_shows, record.late_cancels, record.any) == (0, 0, False)
    assert Appointment.objects.filter(patient=patient).count() == 0


def test_the_booking_search_takes_a_date_of_birth(client_for, front_desk):
    twin_a = make_patient(legal_first_name="Alex", legal_last_name="Twin",
                          date_of_birth=dt.date(1990, 1, 2))  # fmt: skip
    make_patient(legal_first_name="Alex", legal_last_name="Twin", date_of_birth=dt.date(1991, 5, 6))
    client = client_for(front_desk)
    url = reverse("clinic:booking_patient_search")
    both = client.get(url, {"q": "twin"}).context["patients"]
    assert len(list(both)) == 2
    one = client.get(url, {"q": "twin", "dob": "1990-01-02"}).context["patients"]
    assert list(one) == [twin_a]
    by_dob_only = client.get(url, {"q": "", "dob": "1990-01-02"}).context["patients"]
    assert list(by_dob_only) == [twin_a]
    none = client.get(url, {"q": "twin", "dob": "1980-01-01"}).content.decode()
    assert "No patient matches" in none
    assert "born 1 Jan 1980" in none
    assert 'name="dob"' in client.get(reverse("clinic:booking_patient_panel")).content.decode()
