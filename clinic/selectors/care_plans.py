"""Reads of plans of care: the patient's plans, the active one, and where a course stands
("visit N of M", sessions left, re-measure due)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from clinic.models import CarePlan, Patient


def care_plan_active(patient: Patient | int) -> CarePlan | None:
    """The patient's active plan (at most one: a database constraint), or None. One query."""
    patient_id = patient if isinstance(patient, int) else patient.pk
    return (
        CarePlan.objects.filter(patient_id=patient_id, status=CarePlan.Status.ACTIVE)
        .select_related("practitioner")
        .first()
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
