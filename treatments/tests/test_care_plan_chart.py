"""Issue 20, part 1: the chart and the session form show where the course of care stands
("Visit N of M", sessions left, re-measure due), and a session joins its visit's plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import services as clinic_services
from clinic.models import AppointmentType
from clinic.tests.factories import write_appointment
from treatments import services
from treatments.tests.factories import credential_for, ready_patient
from treatments.tests.summary_helpers import signed_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def credentialed(physio):
    credential_for(physio, valid_from=timezone.localdate() - dt.timedelta(days=2 * 365))
    return physio


def _plan(physio, patient, **fields):
    return clinic_services.care_plan_create(
        patient=patient,
        practitioner=physio.practitioner,
        by=physio,
        **{
            "condition": "Right lateral elbow pain",
            "region": "upper_limb",
            "goals": "Lift the kettle.",
            "measure": "QUICKDASH",
            "sessions_planned": 8,
            "remeasure_every": 4,
            "started_on": timezone.localdate() - dt.timedelta(days=200),
        }
        | fields,
    )


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_chart_and_session_form_show_visit_n_of_m_and_the_remeasure(credentialed, client_for):
    physio = credentialed
    patient = ready_patient(physio)
    plan = _plan(physio, patient)
    for weeks in (25, 24, 23):
        session = signed_session(physio, patient, days_ago=7 * weeks)
        assert session.care_plan == plan  # no visit: the patient's active plan
    client = client_for(physio)
    chart = reverse("treatments:chart", args=[patient.pk])

    page = _text(client.get(chart))
    assert "Visit 3 of 8" in page
    assert "5 sessions left" in page
    assert "Re-measure due" not in page
    assert "next re-measure at visit 4 (QuickDASH)" in page

    # The draft of visit 4 on the session form: N counts it.
    draft = services.session_start(patient=patient, practitioner=physio.practitioner)
    form = _text(client.get(reverse("treatments:session_edit", args=[draft.pk])))
    assert "Visit 4 of 8" in form
    assert "Re-measure due: QuickDASH" in form
    # The chart counts signed sessions only: the draft is not a visit yet.
    assert "Visit 3 of 8" in _text(client.get(chart))

    signed_session(physio, patient, days_ago=7 * 22)
    page = _text(client.get(chart))
    assert "Visit 4 of 8" in page
    assert "Re-measure due: QuickDASH" in page


def test_a_session_takes_its_visits_plan(credentialed):
    physio = credentialed
    patient = ready_patient(physio)
    plan = _plan(physio, patient)
    ims = AppointmentType.objects.get(name="IMS treatment")
    start = timezone.now() - dt.timedelta(hours=1)
    on_plan = write_appointment(
        patient, physio.practitioner, start, ims, by=physio, plan=plan, status="completed"
    )
    outside = write_appointment(
        patient,
        physio.practitioner,
        start - dt.timedelta(days=8),
        ims,
        by=physio,
        status="completed",
    )
    first = services.session_start(
        patient=patient, practitioner=physio.practitioner, appointment=on_plan
    )
    second = services.session_start(
        patient=patient, practitioner=physio.practitioner, appointment=outside
    )
    assert first.care_plan == plan
    assert second.care_plan is None  # the desk booked it outside the course


def test_chart_without_a_plan_shows_no_course(credentialed, client_for):
    physio = credentialed
    patient = ready_patient(physio)
    page = _text(client_for(physio).get(reverse("treatments:chart", args=[patient.pk])))
    assert "Visit " not in page
