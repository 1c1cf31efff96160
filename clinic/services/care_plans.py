"""Plans of care: writing, editing, holding, resuming and discharging a course of IMS.

Every write locks the patient row first (as booking does), so a booking that attaches a
visit to a plan and a change of the plan's status or frequency are decided one after the
other. At most one plan per patient is active (a database constraint too: see
clinic.models.care.CarePlan); the history table keeps who changed what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import CarePlan, Patient, Practitioner, User
from clinic.services.dashboard_facts import (
    course_days_refresh,
    plan_activity_refresh,
    plan_outcomes_refresh,
)

PLAN_FIELDS = (
    "practitioner",
    "condition",
    "region",
    "goals",
    "measure",
    "baseline_score",
    "target_score",
    "sessions_planned",
    "frequency",
    "frequency_reason",
    "remeasure_every",
    "started_on",
)

ONE_ACTIVE = (
    "This patient already has an active care plan: put it on hold or discharge it first "
    "(one active plan per patient, so a booking knows which course it belongs to)."
)


def _lock_patient(patient_id: int) -> None:
    Patient.objects.select_for_update().get(pk=patient_id)


def _other_active(plan: CarePlan) -> bool:
    return (
        CarePlan.objects.filter(patient_id=plan.patient_id, status=CarePlan.Status.ACTIVE)
        .exclude(pk=plan.pk)
        .exists()
    )


def _save(plan: CarePlan, *, by: User, reason: str = "") -> CarePlan:
    """Validate (field errors for the form) and save with the history's author."""
    plan.full_clean(validate_constraints=False)
    if plan.is_active and _other_active(plan):
        raise ValidationError(ONE_ACTIVE)
    plan._history_user = by
    if reason:
        plan._change_reason = reason
    # The days the plan counted on in the dashboard's CourseDay, before and after.
    days = {plan.started_on, plan.discharged_on}
    if plan.pk is not None:
        days |= set(
            CarePlan.objects.filter(pk=plan.pk).values_list("started_on", "discharged_on")[0]
        )
    try:
        with transaction.atomic():
            plan.save()
            course_days_refresh(day for day in days if day is not None)
    except IntegrityError as error:  # a race the lock did not cover (another path)
        if "care_plan_one_active_per_patient" in str(error):
            raise ValidationError(ONE_ACTIVE) from error
        raise
    return plan


@transaction.atomic
def care_plan_create(
    *, patient: Patient, practitioner: Practitioner, by: User, **fields: Any
) -> CarePlan:
    """Write a new active plan for `patient`; ValidationError (by field) if it breaks a
    rule, among them a second active plan. Nothing is written on refusal."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"not plan fields: {', '.join(sorted(unknown))}")
    _lock_patient(patient.pk)
    plan = CarePlan(patient=patient, practitioner=practitioner, created_by=by, **fields)
    if not plan.twice_weekly:
        plan.frequency_reason = ""
    _save(plan, by=by, reason="plan written")
    plan_activity_refresh([patient.pk])  # the patient's visits so far (the dashboard's)
    plan.refresh_from_db(fields=["patient_last_visit", "patient_last_booking"])
    return plan


@transaction.atomic
def care_plan_update(*, plan: CarePlan, by: User, **fields: Any) -> CarePlan:
    """Change a plan's content (not its status: hold, resume and discharge do that). A
    discharged plan is a closed record: refused."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"not plan fields: {', '.join(sorted(unknown))}")
    _lock_patient(plan.patient_id)
    current = CarePlan.objects.get(pk=plan.pk)
    if current.status == CarePlan.Status.DISCHARGED:
        raise ValidationError("A discharged plan cannot be changed; write a new plan.")
    for name, value in fields.items():
        setattr(current, name, value)
    if not current.twice_weekly:
        current.frequency_reason = ""
    return _save(current, by=by, reason="plan edited")


def _status(plan: CarePlan, *, by: User, allowed_from: tuple[str, ...], **changes) -> CarePlan:
    _lock_patient(plan.patient_id)
    current = CarePlan.objects.get(pk=plan.pk)
    if current.status not in allowed_from:
        raise ValidationError(
            f"The plan is {current.get_status_display().lower()}; that change is not possible."
        )
    for name, value in changes.items():
        setattr(current, name, value)
    return _save(current, by=by, reason=f"plan {current.get_status_display().lower()}")


@transaction.atomic
def care_plan_hold(*, plan: CarePlan, by: User) -> CarePlan:
    """Pause the course (e.g. the patient travels): its visits stay, a new booking no
    longer defaults to it, and its twice-weekly allowance no longer applies."""
    return _status(
        plan, by=by, allowed_from=(CarePlan.Status.ACTIVE,), status=CarePlan.Status.ON_HOLD
    )


@transaction.atomic
def care_plan_resume(*, plan: CarePlan, by: User) -> CarePlan:
    """Make a plan on hold active again (refused while another plan is active)."""
    return _status(
        plan, by=by, allowed_from=(CarePlan.Status.ON_HOLD,), status=CarePlan.Status.ACTIVE
    )


# What else happens, in the same transaction, when a plan is discharged. Clinic cannot import
# treatments (the layers), so treatments registers its part here at start-up
# (TreatmentsConfig.ready: the patient's discharge summary PDF), as it registers its open
# notes with clinic.selectors.open_notes. Each hook gets the discharged plan and the user.
DischargeHook = Callable[[CarePlan, User], None]
_discharge_hooks: dict[str, DischargeHook] = {}


def care_plan_discharge_hook_register(name: str, hook: DischargeHook) -> None:
    """Run `hook(plan, by)` inside every discharge's transaction (once per name: a second
    registration under the same name replaces the first, so a reloaded app adds none)."""
    _discharge_hooks[name] = hook


# The cancel reason on visits a discharge cancels (Appointment.cancel_reason).
DISCHARGE_CANCEL_REASON = "Plan of care discharged"


@transaction.atomic
def care_plan_discharge(
    *,
    plan: CarePlan,
    by: User,
    reason: str,
    note: str = "",
    on: dt.date | None = None,
    cancel_booked: bool = False,
) -> CarePlan:
    """Close the course with a reason (goals met, plateau, patient choice, referred on,
    other with a note) and the day (today unless given). Field errors on refusal. The
    registered hooks run in the same transaction (the patient's discharge summary is asked
    for there, rendered after commit), so a refused discharge asks for nothing.

    With `cancel_booked`, the plan's visits still booked from now on are cancelled through
    the scheduling service (each freed slot goes to the waitlist after commit) in the same
    transaction: a discharge that fails cancels nothing, and one that succeeds leaves no
    visit of a closed course on the books."""
    from clinic.selectors.care_plans import care_plan_booked_ahead
    from clinic.services.scheduling import BookingError, appointment_cancel

    discharged = _status(
        plan,
        by=by,
        allowed_from=(CarePlan.Status.ACTIVE, CarePlan.Status.ON_HOLD),
        status=CarePlan.Status.DISCHARGED,
        discharge_reason=reason,
        discharge_note=note.strip(),
        discharged_on=on or timezone.localdate(),
    )
    if cancel_booked:
        for visit in care_plan_booked_ahead(discharged):
            try:
                appointment_cancel(appointment=visit, reason=DISCHARGE_CANCEL_REASON, by=by)
            except BookingError:
                # Checked in (or cancelled) by the desk since the list was read: the
                # patient is here, so that visit stays; its savepoint is rolled back.
                continue
    plan_outcomes_refresh([discharged.pk])  # the dashboard's "Reached MCID"
    discharged.refresh_from_db(fields=["reached_mcid"])
    for hook in _discharge_hooks.values():
        hook(discharged, by)
    return discharged
