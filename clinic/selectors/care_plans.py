"""Reads of plans of care: the patient's plans, the active one, and where a course stands
("visit N of M", sessions left, re-measure due)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from clinic import outcomes
from clinic.models import Appointment, CarePlan, OutcomeScore, Patient
from clinic.outcomes.scoring import Instrument


def care_plan_active(patient: Patient | int) -> CarePlan | None:
    """The patient's active plan (at most one: a database constraint), or None. One query."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    return (
        CarePlan.objects.filter(patient_id=patient_id, status=CarePlan.Status.ACTIVE)
        .select_related("practitioner")
        .first()
    )


def care_plan_booked_ahead(plan: CarePlan, *, now: dt.datetime | None = None) -> list[Appointment]:
    """The plan's visits still booked (not yet checked in) from now on, soonest first: the
    ones a discharge offers to cancel."""
    return list(
        Appointment.objects.filter(
            plan=plan, status=Appointment.Status.BOOKED, start__gt=now or timezone.now()
        )
        .select_related("type")
        .order_by("start", "pk")
    )


def care_plans_for(patient: Patient) -> QuerySet[CarePlan]:
    """Every plan of the patient, newest first, with its physiotherapist (one query)."""
    return CarePlan.objects.filter(patient=patient).select_related("practitioner")


@dataclass(frozen=True)
class PlanProgress:
    """Where a course stands at visit `visit` (see care_plan_progress)."""

    plan: CarePlan
    visit: int
    signed: int

    @property
    def planned(self) -> int:
        return self.plan.sessions_planned

    @property
    def left(self) -> int:
        """Sessions left after this visit (never below zero)."""
        return max(self.planned - self.visit, 0)

    @property
    def beyond_plan(self) -> bool:
        return self.visit > self.planned

    @property
    def remeasure_due(self) -> bool:
        """The plan's measure is due at this visit: every `remeasure_every` visits."""
        return self.visit > 0 and self.visit % self.plan.remeasure_every == 0

    @property
    def next_remeasure(self) -> int:
        """The visit number of the next re-measure after this visit."""
        every = self.plan.remeasure_every
        return (self.visit // every + 1) * every


def care_plan_progress(plan: CarePlan, *, signed: int, drafting: bool = False) -> PlanProgress:
    """ "Visit N of M" for a plan with `signed` signed sessions. N counts the plan's signed
    sessions (the chart: the visits done), plus one while a draft of the plan is being
    written (the session form: the visit under way). Drafts are not counted otherwise: a
    draft abandoned or started by mistake is not a visit. The re-measure is due when N is a
    multiple of the plan's "re-measure every" (visit 4 and 8 of a plan re-measuring every
    4 sessions)."""
    return PlanProgress(plan=plan, visit=signed + (1 if drafting else 0), signed=signed)


# --- Re-measure before a visit (issue 20) ---------------------------------------------------

# Ask at most this many days before the re-measure visit: a weekly course's previous visit
# is then behind the patient, so the answers describe the course so far, not its start.
REMEASURE_ASK_DAYS = 7


@dataclass(frozen=True)
class RemeasureDue:
    """The patient is asked to fill in `plan`'s outcome measure before `appointment`, which
    is visit `visit` of the course."""

    plan: CarePlan
    appointment: Appointment
    visit: int

    @property
    def instrument(self) -> Instrument:
        return outcomes.registry.find(self.plan.measure).instrument

    @property
    def about(self) -> str:
        """The measure in plain words: "the questionnaire about your neck (NDI)"."""
        measure = outcomes.registry.find(self.plan.measure)
        area = measure.regions[0].label.lower() if measure.regions else "problem"
        return f"the short questionnaire about your {area} ({measure.short_label})"


def remeasure_due(patient: Patient | int, *, now: dt.datetime | None = None) -> RemeasureDue | None:
    """The re-measure the patient owes before their next visit of the active plan, or None.

    The rule (the plan says "re-measure every N sessions"): the plan's next booked visit is
    visit K of the course, K = 1 + the plan's earlier visits that were not cancelled or
    missed (a no-show is not a visit); it is a re-measure visit when K is a multiple of N
    (visits 4 and 8 of a plan re-measuring every 4), it starts within REMEASURE_ASK_DAYS,
    and no score for visit K of this plan exists yet. Counted from appointments, not from
    signed sessions (clinic does not read treatments): a visit attended but not yet charted
    still counts. Only measures with a questionnaire are asked (NPRS and PSFS are taken at
    the visit). Outcome re-measurement at regular intervals: Kyte et al. 2015 (Physiotherapy
    101(2):119-125) on routine PROM use in physiotherapy. Two queries."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    now = now or timezone.now()
    plan = (
        CarePlan.objects.filter(patient_id=patient_id, status=CarePlan.Status.ACTIVE)
        .select_related("practitioner")
        .first()
    )
    if plan is None:
        return None
    measure = outcomes.registry.find(plan.measure)
    if measure is None or measure.instrument is None:
        return None
    visits = list(
        plan.appointments.exclude(
            status__in=(Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW)
        )
        .select_related("practitioner", "location", "type")
        .order_by("start", "pk")
    )
    for index, appointment in enumerate(visits):
        if appointment.status == Appointment.Status.BOOKED and appointment.start >= now:
            visit = index + 1
            break
    else:
        return None
    if visit % plan.remeasure_every or appointment.start > now + dt.timedelta(
        days=REMEASURE_ASK_DAYS
    ):
        return None
    if plan.scores.filter(plan_visit=visit).exists():
        return None
    return RemeasureDue(plan=plan, appointment=appointment, visit=visit)


@dataclass(frozen=True)
class Remeasured:
    """A re-measure filled before a visit, with the patient's first score on that measure:
    "re-measured: QuickDASH 38 → 22"."""

    score: OutcomeScore
    baseline: OutcomeScore | None

    def __str__(self) -> str:
        label = self.score.instrument_label
        now = _short(self.score.value)
        if self.baseline is None:
            return f"re-measured: {label} {now}"
        return f"re-measured: {label} {_short(self.baseline.value)} → {now}"


def _short(value) -> str:
    return f"{value:f}".rstrip("0").rstrip(".")


def remeasured_on_day(appointments: list[Appointment]) -> dict[int, Remeasured]:
    """Appointment id → the re-measure the patient filled before it (My day). Two queries
    whatever the number of appointments (none when the day is empty)."""
    if not appointments:
        return {}
    scores = list(
        OutcomeScore.objects.filter(appointment__in=[a.pk for a in appointments]).order_by(
            "recorded_at"
        )
    )
    if not scores:
        return {}
    firsts: dict[tuple[int, str], OutcomeScore] = {}
    for earlier in OutcomeScore.objects.filter(
        patient_id__in={s.patient_id for s in scores},
        instrument__in={s.instrument for s in scores},
    ).order_by("recorded_at", "pk"):
        firsts.setdefault((earlier.patient_id, earlier.instrument), earlier)
    result = {}
    for score in scores:
        first = firsts.get((score.patient_id, score.instrument))
        result[score.appointment_id] = Remeasured(
            score=score, baseline=first if first and first.pk != score.pk else None
        )
    return result
