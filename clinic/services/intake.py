"""Intake: start, save step by step, submit (scores computed), and screening clearances."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic import outcomes
from clinic.models import (
    CarePlan,
    Intake,
    OutcomeScore,
    Patient,
    ScreeningClearance,
    ScreeningItem,
    User,
)
from clinic.permissions import Role
from clinic.selectors.intake import screening_for
from clinic.services.dashboard_facts import plan_outcomes_refresh
from clinic.validators import NOTE_MAX


class IntakeError(Exception):
    """The intake cannot be changed or submitted as asked; the message is for the user."""


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple[str, ...]  # Intake fields this step writes
    required: tuple[str, ...]  # what must be answered before submitting


STEPS: tuple[Step, ...] = (
    Step(
        "pain",
        "About your pain",
        (
            "presenting_complaint",
            "pain_marks",
            "onset",
            "onset_notes",
            "duration",
            "nprs_now",
            "nprs_best",
            "nprs_worst",
            "aggravating_factors",
            "easing_factors",
        ),
        (
            "presenting_complaint",
            "pain_marks",
            "onset",
            "duration",
            "nprs_now",
            "nprs_best",
            "nprs_worst",
        ),
    ),
    Step(
        "history",
        "Your health",
        (
            "past_treatments",
            "medical_history",
            "medications",
            "anticoagulants",
            "anticoagulant_details",
        ),
        ("anticoagulants",),
    ),
    Step(
        "screening",
        "Safety check",
        ("screening_items", "screening_reviewed", "screening_notes"),
        ("screening_reviewed",),
    ),
    Step("function", "Daily activities", ("region", "region_answers", "psfs"), ("region", "psfs")),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def _is_blank(value: Any) -> bool:
    """Whether a required answer is still missing. A number is an answer whatever its
    value: 0 is "no pain" (`0 in (..., False)` is true in Python, so it must not be
    compared with the blanks). An unticked box (False) is missing."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float | Decimal):
        return False
    return value is None or value in ("", [], {})


def intake_missing(intake: Intake) -> dict[str, list[str]]:
    """For each step, the labels of required answers still missing (empty when complete)."""
    missing: dict[str, list[str]] = {}
    for step in STEPS:
        labels = [
            str(Intake._meta.get_field(name).verbose_name)
            for name in step.required
            if _is_blank(getattr(intake, name))
        ]
        if step.slug == "function" and intake.region:
            instrument = outcomes.REGION_INSTRUMENT.get(intake.region)
            if instrument and instrument.score(intake.region_answers or {}) is None:
                labels.append(f"enough answers to score the {instrument.name}")
        missing[step.slug] = labels
    return missing


def intake_start(*, patient: Patient, by: User, channel: str) -> Intake:
    """The patient's intake to work on: the open draft, or a new one."""
    with transaction.atomic():
        Patient.objects.select_for_update().get(pk=patient.pk)  # one draft at a time
        draft = patient.intakes.filter(status=Intake.Status.DRAFT).first()
        if draft:
            return draft
        intake = Intake(patient=patient, channel=channel)
        intake._history_user = by
        intake.save()
        return intake


@transaction.atomic
def intake_save_step(*, intake: Intake, step: str, data: dict[str, Any], by: User) -> Intake:
    """Store one step's answers (already validated by its form). Blank answers are fine
    in a draft; a submitted intake is locked."""
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if intake.is_submitted:
        raise IntakeError("This intake has been submitted and can no longer be changed.")
    spec = STEP_BY_SLUG[step]
    unknown = set(data) - set(spec.fields)
    if unknown:
        raise ValueError(f"Fields not in step {step!r}: {', '.join(sorted(unknown))}")
    items = data.pop("screening_items", None)
    for name, value in data.items():
        setattr(intake, name, value)
    # The step's own fields against the model's limits (text lengths, score ranges), for a
    # caller that did not come through the form: a ValidationError keyed to the field.
    intake.clean_fields(exclude={field.name for field in Intake._meta.fields} - set(data))
    intake._history_user = by
    intake.save()
    if items is not None:
        intake.screening_items.set(items)
        # The list the patient answered: an item added later shows as unanswered.
        intake.screening_asked.set(
            ScreeningItem.objects.filter(active=True).exclude(code__in=ScreeningItem.COMPUTED_CODES)
        )
    return intake


@transaction.atomic
def intake_submit(*, intake: Intake, by: User) -> Intake:
    """Submit a complete intake: lock it and record the outcome scores (NPRS, PSFS and the
    region questionnaire) computed by their published rules."""
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if intake.is_submitted:
        return intake
    missing = {step: labels for step, labels in intake_missing(intake).items() if labels}
    if missing:
        raise IntakeError("Some answers are still missing.")
    now = timezone.now()
    scores = [outcomes.score_nprs(intake.nprs_now)]
    scores_codes = ["NPRS"]
    scores.append(outcomes.score_psfs([row["rating"] for row in intake.psfs]))
    scores_codes.append("PSFS")
    instrument = outcomes.REGION_INSTRUMENT[intake.region]
    scores.append(instrument.score(intake.region_answers))
    scores_codes.append(instrument.code)
    OutcomeScore.objects.bulk_create(
        OutcomeScore(
            patient_id=intake.patient_id,
            instrument=code,
            value=score.value,
            maximum=score.maximum,
            higher_is_worse=score.higher_is_worse,
            recorded_at=now,
            intake=intake,
        )
        for code, score in zip(scores_codes, scores, strict=True)
    )
    # A course discharged today counts scores of the same day (the dashboard's MCID).
    plan_outcomes_refresh(
        CarePlan.objects.filter(
            patient_id=intake.patient_id, discharged_on__gte=timezone.localdate(now)
        ).values_list("pk", flat=True)
    )
    intake.status = Intake.Status.SUBMITTED
    intake.submitted_at = now
    intake.submitted_by = by
    intake._history_user = by
    intake.save()
    return intake


@transaction.atomic
def screening_clear(
    *, patient: Patient, item: ScreeningItem, reason: str, by: User
) -> ScreeningClearance:
    """Record a physiotherapist's clearance of one contraindication on the patient's latest
    intake, with the reason. Only physiotherapists may; the history table audits it."""
    if not by.has_role(Role.PHYSIO):
        raise IntakeError("Only a physiotherapist can clear a contraindication.")
    reason = reason.strip()
    if len(reason) < 10:
        raise IntakeError("Give the clinical reason for clearing (at least a sentence).")
    if len(reason) > NOTE_MAX:
        raise IntakeError(f"Keep the reason under {NOTE_MAX:,} characters.")
    Patient.objects.select_for_update().get(pk=patient.pk)
    result = screening_for(patient)
    if result.intake is None or item.pk not in {
        entry.item.pk for entry in result.contraindications
    }:
        raise IntakeError("That contraindication is not on the patient's current screening.")
    if ScreeningClearance.objects.filter(intake=result.intake, item=item).exists():
        raise IntakeError("That contraindication has already been cleared.")
    clearance = ScreeningClearance(
        patient=patient, intake=result.intake, item=item, reason=reason, cleared_by=by
    )
    clearance._history_user = by
    clearance.save()
    return clearance


@transaction.atomic
def screening_answer_outstanding(
    *, patient: Patient, applies: list[ScreeningItem], by: User
) -> Intake:
    """Record the answers to checklist items added after the patient's intake was answered
    (e.g. by migration 0014): each outstanding item is now asked, those in `applies` apply.
    Earlier answers are kept as they were; the intake's history table audits the change."""
    if not by.has_role(Role.PHYSIO):
        raise IntakeError("Only a physiotherapist can record screening answers.")
    Patient.objects.select_for_update().get(pk=patient.pk)
    result = screening_for(patient)
    if result.intake is None:
        raise IntakeError("The patient has no submitted intake to add answers to.")
    outstanding = {item.pk for item in result.unanswered}
    if not outstanding:
        raise IntakeError("Every screening item has already been answered.")
    stray = [item.label for item in applies if item.pk not in outstanding]
    if stray:
        raise IntakeError(f"Not an unanswered item: {stray[0]}.")
    intake = result.intake
    intake._history_user = by
    intake.screening_asked.add(*outstanding)
    if applies:
        intake.screening_items.add(*applies)
    return intake
