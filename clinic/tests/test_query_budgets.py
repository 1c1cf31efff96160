"""Query budgets of the front office's pages: patient search, the patient's page and the
physiotherapist's "My day" (the desk's day view is budgeted in test_schedule_views.py).

Each test renders the page over a small data set, grows it about tenfold and renders again:
the number of queries must be the same, and under a ceiling. See clinic/tests/budgets.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import selectors, services
from clinic.models import AppointmentType, Location, ScreeningItem
from clinic.tests.budgets import assert_constant, render_counted
from clinic.tests.factories import fill_intake, make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def _consent(patient, by) -> None:
    services.consent_sign(
        patient=patient,
        version=selectors.consent_version_current(),
        typed_name=patient.legal_name,
        channel="clinic",
        by=by,
    )


# --- Patient search ----------------------------------------------------------------------------


def _searchable(n: int, front_desk, practitioner, *, start: int = 0) -> None:
    """`n` patients called Budgetson, in every intake and consent state, each with a visit."""
    kind = AppointmentType.objects.get(name="Follow-up")
    for index in range(start, start + n):
        patient = make_patient(
            legal_first_name=f"Pat{index:03d}", legal_last_name="Budgetson", by=front_desk
        )
        if index % 3 != 2:
            fill_intake(patient, by=front_desk, submit=index % 3 == 0)
        if index % 2 == 0:
            _consent(patient, front_desk)
        when = timezone.now() - dt.timedelta(days=1 + index)
        write_appointment(patient, practitioner, when, kind, by=front_desk, status="completed")
    make_patient(legal_last_name="Elsewhere", by=front_desk)  # must not be listed


def test_patient_search_query_count_is_constant(client_for, front_desk, physio):
    practitioner = make_practitioner(physio)
    client = client_for(front_desk)
    url = reverse("clinic:patient_list")

    _searchable(3, front_desk, practitioner)
    small = render_counted(client, url, {"q": "budgetson"})
    assert small.html.count("Budgetson, Pat") == 3
    assert "Elsewhere" not in small.html

    _searchable(27, front_desk, practitioner, start=3)  # 30 in all: more than one page (25)
    large = render_counted(client, url, {"q": "budgetson"})
    assert large.html.count("Budgetson, Pat") == 25
    assert "30 patients found" in large.html
    assert_constant(small, large, ceiling=8)

    # The htmx answer (the results alone) keeps the same budget.
    client.defaults["HTTP_HX_REQUEST"] = "true"
    htmx = render_counted(client, url, {"q": "budgetson", "page": 2})
    assert htmx.html.count("Budgetson, Pat") == 5
    assert htmx.count <= large.count


# --- The patient's page ------------------------------------------------------------------------


def _history(patient, practitioner, front_desk, *, past: int, upcoming: int, corrections: int):
    """Past visits (every third one IMS), future ones, intakes and correction requests."""
    kinds = {
        False: AppointmentType.objects.get(name="Follow-up"),
        True: AppointmentType.objects.get(name="IMS treatment"),
    }
    existing = patient.appointments.count()
    today = timezone.localdate()
    for index in range(existing, existing + past):
        day = today - dt.timedelta(days=8 * (index + 1))
        kind = kinds[index % 3 == 0]
        write_appointment(
            patient, practitioner, _local(day, 9), kind, by=front_desk, status="completed"
        )
    for index in range(existing, existing + upcoming):
        day = today + dt.timedelta(days=8 * (index + 1))
        write_appointment(
            patient, practitioner, _local(day, 10), kinds[index % 2 == 0], by=front_desk
        )
    for index in range(corrections):
        services.correction_request_add(
            patient=patient,
            by=front_desk,
            record="Address",
            requested_change=f"Correction {index}",
            source="staff",
        )
    fill_intake(patient, by=front_desk)


@pytest.mark.parametrize("role", ["front_desk", "physio"])
def test_patient_page_query_count_is_constant(client_for, front_desk, physio, role):
    practitioner = make_practitioner(physio)
    patient = make_patient(
        legal_first_name="Rowan", legal_last_name="Budget", email="rowan@example.org", by=front_desk
    )
    _consent(patient, front_desk)
    services.portal_invitation_create(patient=patient, by=front_desk)
    client = client_for(front_desk if role == "front_desk" else physio)
    url = reverse("clinic:patient_detail", args=[patient.pk])

    _history(patient, practitioner, front_desk, past=2, upcoming=1, corrections=1)
    small = render_counted(client, url)
    assert small.html.count("Correction ") == 1

    _history(patient, practitioner, front_desk, past=18, upcoming=9, corrections=9)
    large = render_counted(client, url)
    assert large.html.count("Correction ") == 10
    assert "Last needling" in large.html
    # 20 since issues 16-17: the pending e-mail confirmation link (one query) beside the care
    # team card and its practitioner choices, and the patient's needling days for the IMS
    # interval (one query); none of them grows with the patient's history. 21 since issue
    # 19: the attendance line (no-shows and late cancellations: the clinic's notice period
    # and the counts; the latest events only for a patient who has some). 22 since issue
    # 20: the care plans card (one query).
    assert_constant(small, large, ceiling=22)


# --- My day ------------------------------------------------------------------------------------


def _book_today(practitioner, front_desk, n: int, *, start: int = 0) -> None:
    """`n` of today's appointments with `practitioner`, half-hourly from 06:00, mixed kinds,
    statuses and patient states; another practitioner's must not show."""
    location = Location.objects.get_or_create(name="Main clinic")[0]
    kinds = [
        AppointmentType.objects.get(name="Follow-up"),
        AppointmentType.objects.get(name="IMS treatment"),
    ]
    infection = ScreeningItem.objects.get(code="local-infection")
    today = timezone.localdate()
    for index in range(start, start + n):
        patient = make_patient(legal_first_name=f"Day{index:02d}", by=front_desk)
        if index % 2:
            fill_intake(patient, by=front_desk, screening=[infection] if index % 4 == 1 else ())
            _consent(patient, front_desk)
        status = "completed" if index % 5 == 0 else "booked"
        begins = _local(today, 6) + dt.timedelta(minutes=30 * index)
        write_appointment(
            patient, practitioner, begins, kinds[index % 2], by=front_desk, location=location,
            status=status,
        )  # fmt: skip


def test_my_day_query_count_is_constant(client_for, front_desk, physio):
    mine = make_practitioner(physio)
    other = make_practitioner(name="Someone Else")
    client = client_for(physio)
    url = reverse("clinic:physio_day")

    _book_today(mine, front_desk, 3)
    _book_today(other, front_desk, 2, start=3)
    small = render_counted(client, url)
    assert "3 appointments" in small.html

    _book_today(mine, front_desk, 27, start=5)  # 30 of mine, 06:00 to 20:30
    large = render_counted(client, url)
    assert "30 appointments" in large.html
    assert "Needling blocked" in large.html
    assert "Day03 " not in large.html  # the other practitioner's patients
    assert "Day04 " not in large.html
    # Completed IMS visits without a note (Day05, Day15, Day25) are listed as notes owed.
    assert small.html.count("Start note") == 0
    assert large.html.count("Start note") == 3
    # 12 -> 15: the "Notes to finish" card reads one query per registered provider (draft
    # sessions, draft assessments, IMS visits without a note), whatever their number.
    assert_constant(small, large, ceiling=15)
