"""Hypothesis over the course-of-care forms (issue 20), as clinic/tests/test_form_fuzz.py does
for the front office: no input gives a 500 or a partial write, and every refusal is
explained next to its field (clinic/tests/fuzz.py makes the values and checks each
response).

Endpoints covered here:
  /patients/<pk>/plans/new/      CarePlanForm (physiotherapist on the care team)
  /plans/<pk>/edit/              CarePlanForm (the plan's physiotherapist)
  /plans/<pk>/discharge/         CarePlanDischargeForm (the plan's physiotherapist)
  /waitlist/add/?patient=<pk>    WaitlistEntryForm (front desk)
  /dashboard/ (GET)              DashboardFilterForm: date_from, date_to, location,
                                 practitioner (clinic admin)
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from clinic import services
from clinic.forms.care import CarePlanDischargeForm, CarePlanForm
from clinic.forms.dashboard import DashboardFilterForm
from clinic.forms.waitlist import WaitlistEntryForm
from clinic.models import AppointmentType
from clinic.tests.factories import join_care_team, make_patient, make_practitioner
from clinic.tests.fuzz import (
    check_request,
    examples,
    form_payloads,
    nasty_dates,
    nasty_numbers,
    payloads,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(client_for):
    return lambda *args, **kwargs: check_request(client_for, *args, **kwargs)


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (7, 20)), name="Maya Chen")


@pytest.fixture
def patient(physio):
    patient = make_patient(legal_first_name="Course", legal_last_name="Fuzz")
    join_care_team(physio, patient)
    return patient


def _plan_baseline(maya) -> dict:
    return {
        "practitioner": str(maya.pk),
        "condition": "Neck pain",
        "region": "neck",
        "goals": "Drive without pain.",
        "measure": "NDI",
        "sessions_planned": "8",
        "frequency": "weekly",
        "frequency_reason": "",
        "remeasure_every": "4",
        "started_on": timezone.localdate().isoformat(),
    }


@examples(25)
@given(data=st.data())
def test_care_plan_new(send, physio, maya, patient, data):
    payload = data.draw(form_payloads(CarePlanForm(), _plan_baseline(maya)), label="POST")
    send(physio, reverse("clinic:care_plan_new", args=[patient.pk]), payload, watch=[patient])


@pytest.fixture
def plan(physio, maya, patient):
    fields = _plan_baseline(maya)
    return services.care_plan_create(
        patient=patient,
        practitioner=maya,
        by=physio,
        condition=fields["condition"],
        region=fields["region"],
        goals=fields["goals"],
        measure=fields["measure"],
        started_on=timezone.localdate(),
    )


@examples(20)
@given(data=st.data())
def test_care_plan_edit(send, physio, maya, plan, data):
    payload = data.draw(form_payloads(CarePlanForm(), _plan_baseline(maya)), label="POST")
    send(physio, reverse("clinic:care_plan_edit", args=[plan.pk]), payload, watch=[plan])


@examples(20)
@given(data=st.data())
def test_care_plan_discharge(send, physio, plan, data):
    form = CarePlanDischargeForm()
    baseline = {
        "reason": "goals_met",
        "on": timezone.localdate().isoformat(),
        "note": "Back at work.",
    }
    assert set(baseline) == set(form.fields)  # cancel_booked: only with visits booked
    payload = data.draw(form_payloads(form, baseline), label="POST")
    send(physio, reverse("clinic:care_plan_discharge", args=[plan.pk]), payload, watch=[plan])


@examples(25)
@given(data=st.data())
def test_waitlist_add(send, front_desk, patient, data):
    ims = AppointmentType.objects.get(name="IMS treatment")
    baseline = {
        "patient": str(patient.pk),
        "type": str(ims.pk),
        "weekdays": ["1", "3"],
        "earliest_date": timezone.localdate().isoformat(),
        "time_from": "10:00",
        "time_to": "12:00",
    }
    payload = data.draw(form_payloads(WaitlistEntryForm(), baseline), label="POST")
    url = reverse("clinic:waitlist_add") + f"?patient={patient.pk}"
    send(front_desk, url, payload, watch=[patient])


@examples(20)
@given(data=st.data())
def test_dashboard_filters(send, clinic_admin, maya, data):
    today = timezone.localdate()
    baseline = {
        "date_from": today.replace(day=1).isoformat(),
        "date_to": today.isoformat(),
        "location": str(maya.locations.get().pk),
        "practitioner": str(maya.pk),
    }
    nasty = {
        "date_from": nasty_dates,
        "date_to": nasty_dates,
        "location": nasty_numbers,
        "practitioner": nasty_numbers,
    }
    form = DashboardFilterForm(locations=[], practitioners=[])
    payload = data.draw(payloads(baseline, {}, nasty), label="GET")
    assert set(baseline) <= set(form.fields)
    send(clinic_admin, reverse("clinic:dashboard"), payload, method="get")
