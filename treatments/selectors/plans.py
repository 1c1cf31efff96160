"""Where a patient's course of care stands, for the chart and the session form: "visit N
of M", sessions left and the re-measure due (clinic.selectors.care_plan_progress says
how N counts). One query each."""

from __future__ import annotations

from django.db.models import Count, Q

from clinic.models import CarePlan, Patient
from clinic.selectors import PlanProgress, care_plan_progress
from treatments.models import TreatmentSession

_SIGNED = Count(
    "treatment_sessions",
    filter=Q(treatment_sessions__status=TreatmentSession.Status.SIGNED),
)


def chart_plan(patient: Patient) -> PlanProgress | None:
    """The patient's current course on the chart: the active plan, else the latest on
    hold (discharged plans are history), with N = its signed sessions. One query."""
    plan = (
        CarePlan.objects.filter(
            patient=patient, status__in=(CarePlan.Status.ACTIVE, CarePlan.Status.ON_HOLD)
        )
        .annotate(signed=_SIGNED)
        .order_by("status", "-started_on", "-pk")  # "active" sorts before "on_hold"
        .first()
    )
    return care_plan_progress(plan, signed=plan.signed) if plan else None


def session_plan(session: TreatmentSession) -> PlanProgress | None:
    """The session's course on its form: N = the plan's signed sessions, plus this one
    while it is a draft. No query for a session outside a plan, else one."""
    if session.care_plan_id is None:
        return None
    plan = CarePlan.objects.annotate(signed=_SIGNED).get(pk=session.care_plan_id)
    return care_plan_progress(plan, signed=plan.signed, drafting=not session.is_signed)
