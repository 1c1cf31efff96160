"""`seed_bench` at a tiny scale: counts in proportion, the 50-session chart, and the
invariants the services keep (no double booking, IMS spacing, signable sessions) kept by
the bulk writer too. Runs on SQLite and on PostgreSQL (where the exclusion constraints and
signed-record triggers check the rows as well)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from assessments.models import Assessment, SignFinding
from clinic.models import Appointment, Intake, OutcomeScore, Patient, Practitioner
from clinic.selectors.scheduling import min_interval
from clinic.services.reminders import spacing_violations
from treatments.models import NeedlingSite, TreatmentSession, VisitSummary
from treatments.services import sign_problems

pytestmark = pytest.mark.django_db

SCALE = 0.001  # 20 patients (+ Bench Fifty), about 200 appointments, one physiotherapist


@pytest.fixture
def seeded(settings, capsys):
    settings.DEBUG = True
    call_command("seed_bench", "--scale", str(SCALE), "--seed", "5")
    return capsys.readouterr().out


def test_counts_follow_the_scale(seeded):
    assert Practitioner.objects.count() == 1
    assert Patient.objects.count() == 20 + 1
    assert 180 <= Appointment.objects.count() <= 200
    signed = TreatmentSession.objects.filter(status=TreatmentSession.Status.SIGNED)
    sessions, sites = signed.count(), NeedlingSite.objects.count()
    assert sessions >= 50  # Bench Fifty's, and the other patients'
    assert 5 * sessions <= sites <= 12 * TreatmentSession.objects.count()
    assert OutcomeScore.objects.count() == 3 * Intake.objects.count()
    assert Assessment.objects.filter(status=Assessment.Status.SIGNED).exists()
    assert SignFinding.objects.count() >= 3 * Assessment.objects.count()
    assert set(VisitSummary.objects.values_list("status", flat=True)) <= {"ready", "pending"}
    assert not signed.filter(summaries__isnull=True).exists()
    assert "clinic_appointment" in seeded
    assert "seed_bench done" in seeded


def test_the_fifty_session_chart(seeded):
    fifty = Patient.objects.get(legal_first_name="Bench", legal_last_name="Fifty")
    assert f"patient id {fifty.pk}" in seeded
    sessions = fifty.treatment_sessions.filter(status=TreatmentSession.Status.SIGNED)
    assert sessions.count() == 50
    assert fifty.user.username == "bench-fifty"


def test_no_double_booking_and_ims_spacing(seeded):
    holding = Appointment.objects.exclude(status=Appointment.Status.CANCELLED).order_by("start")
    for key in ("practitioner_id", "patient_id"):
        last_end: dict[int, dt.datetime] = {}
        for appointment in holding:
            owner = getattr(appointment, key)
            assert appointment.start >= last_end.get(owner, appointment.start), appointment
            last_end[owner] = appointment.end
    assert spacing_violations() == []
    dates = defaultdict(list)
    for patient_id, day in TreatmentSession.objects.filter(status="signed").values_list(
        "patient_id", "session_date"
    ):
        dates[patient_id].append(day)
    for days in dates.values():
        days.sort()
        gaps = [(later - earlier).days for earlier, later in zip(days, days[1:], strict=False)]
        assert all(gap >= min_interval() for gap in gaps)


def test_every_signed_session_would_pass_signing(seeded):
    sessions = TreatmentSession.objects.filter(status="signed").select_related(
        "patient", "practitioner", "appointment"
    )
    for session in sessions[:25]:
        assert sign_problems(session) == [], session
    for site in NeedlingSite.objects.select_related("muscle")[:100]:
        site.full_clean()


def test_refuses_a_second_run_unless_reset(seeded, settings):
    counts = (Patient.objects.count(), Appointment.objects.count(), NeedlingSite.objects.count())
    with pytest.raises(CommandError, match="not empty"):
        call_command("seed_bench", "--scale", str(SCALE))
    call_command("seed_bench", "--scale", str(SCALE), "--seed", "5", "--reset")
    again = (Patient.objects.count(), Appointment.objects.count(), NeedlingSite.objects.count())
    assert again == counts  # same seed, same clinic


def test_plans_of_care_for_the_courses(seeded):
    """Issue 20: every episode (an intake and its visits) is a plan of care, so the clinic
    dashboard has courses to count; at most one active plan per patient, every
    discharged one with its reason and date."""
    from clinic.models import CarePlan

    assert CarePlan.objects.count() == Intake.objects.count()
    assert not Appointment.objects.filter(plan__isnull=True).exists()
    assert not Appointment.objects.exclude(plan__patient_id=models.F("patient_id")).exists()
    discharged = CarePlan.objects.filter(status=CarePlan.Status.DISCHARGED)
    assert discharged.exists()
    assert not discharged.filter(models.Q(discharge_reason="") | models.Q(discharged_on=None))
    assert "plans of care" in seeded
