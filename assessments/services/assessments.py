"""Writes for Gunn assessments. Every change to an assessment or its findings goes through
here: each function locks the assessment row, refuses a signed one, and saves atomically,
so a failed validation leaves nothing half-written."""

from __future__ import annotations

import pkgutil
from importlib import import_module
from typing import Any

from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentAddendum,
    RangeOfMotion,
    SignFinding,
    TautBand,
)
from clinic import services as clinic_services
from clinic import signing
from clinic.models import Appointment, CareTeamMember, Intake, Patient, Practitioner, User
from clinic.selectors import intake_latest_submitted

FINDING_MODELS: dict[str, type[models.Model]] = {
    "sign": SignFinding,
    "band": TautBand,
    "range": RangeOfMotion,
}
HEADER_FIELDS = (
    "assessed_on",
    "chief_complaint",
    "posture",
    "movement",
    "visceral_note",
    "impression",
    "body_marks",
)


class AssessmentLocked(signing.NoteLocked):
    """The assessment is signed; it can only gain addenda."""

    message = "This assessment is signed and locked. Add an addendum to correct it."


class NotTheAuthor(signing.NotTheAuthor):
    """Only the physiotherapist who examined the patient signs or edits the draft."""

    message = "Only the physiotherapist who wrote this assessment can change or sign it."


def _locked_draft(assessment: Assessment, by: User) -> Assessment:
    """Re-read and lock the assessment row; refuse a signed one or another author."""
    return AssessmentSigning(assessment).locked_draft(by)


@transaction.atomic
def assessment_start(
    *,
    patient: Patient,
    practitioner: Practitioner,
    appointment: Appointment | None = None,
) -> Assessment:
    """Open a draft assessment, starting from the patient's latest submitted intake: its
    presenting complaint and the pain areas the patient marked (the physio then corrects
    them on the chart). Refuses an appointment that belongs to another patient."""
    if appointment is not None and appointment.patient_id != patient.pk:
        raise ValidationError("That appointment belongs to another patient.")
    intake: Intake | None = intake_latest_submitted(patient)
    return Assessment.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment=appointment,
        intake=intake,
        chief_complaint=intake.presenting_complaint if intake else "",
        body_marks=list(intake.pain_marks or []) if intake else [],
    )


@transaction.atomic
def assessment_update(*, assessment: Assessment, by: User, **fields: Any) -> Assessment:
    """Save header fields of a draft (date, complaint, observations, body chart)."""
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"not header fields: {', '.join(sorted(unknown))}")
    current = _locked_draft(assessment, by)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save(update_fields=[*fields, "updated_at"])
    return current


@transaction.atomic
def finding_save(*, assessment: Assessment, by: User, finding: models.Model) -> models.Model:
    """Validate and save one finding row (new or edited) of a draft assessment."""
    current = _locked_draft(assessment, by)
    if type(finding) not in FINDING_MODELS.values():
        raise TypeError(f"not a finding: {type(finding).__name__}")
    if finding.pk and finding.assessment_id != current.pk:
        raise ValidationError("That finding belongs to another assessment.")
    finding.assessment = current
    finding.full_clean()
    finding.save()
    Assessment.objects.filter(pk=current.pk).update(updated_at=timezone.now())
    return finding


@transaction.atomic
def finding_remove(*, assessment: Assessment, by: User, kind: str, pk: int) -> None:
    """Remove a finding from a draft assessment (a no-op if it is already gone)."""
    current = _locked_draft(assessment, by)
    FINDING_MODELS[kind].objects.filter(assessment=current, pk=pk).delete()
    Assessment.objects.filter(pk=current.pk).update(updated_at=timezone.now())


def sign_problems(assessment: Assessment, *, has_findings: bool | None = None) -> list[str]:
    """What stops this draft from being signed; an empty list when it can be. A page that
    has just read the findings passes `has_findings`."""
    problems = []
    if not assessment.chief_complaint.strip():
        problems.append("Record the chief complaint.")
    if has_findings is None:
        has_findings = (
            assessment.sign_findings.exists()
            or assessment.taut_bands.exists()
            or assessment.range_findings.exists()
        )
    if not has_findings:
        problems.append("Record at least one finding: a sign, a taut band or a range.")
    return problems


class AssessmentSigning(signing.SigningAction[Assessment]):
    """Signing an assessment (clinic.signing). Only its author signs; from then on it only
    takes addenda (enforced here and, on PostgreSQL, by trigger). The author joins the
    patient's care team (an audited CARE_TEAM row) if not on it already."""

    model = Assessment
    related = ("practitioner",)
    Locked = AssessmentLocked
    NotAuthor = NotTheAuthor

    def preconditions(self, note: Assessment, **known: Any) -> list[str]:
        return sign_problems(note, has_findings=known.get("has_findings"))

    def write(self, note: Assessment, user: User) -> Assessment:
        note.status = Assessment.Status.SIGNED
        note.signed_at = timezone.now()
        note.signed_by = user
        note.save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
        clinic_services.care_team_add(
            patient=note.patient,
            practitioner=note.practitioner,
            by=user,
            source=CareTeamMember.Source.SIGNED_RECORD,
        )
        return note


def assessment_sign(*, assessment: Assessment, by: User) -> Assessment:
    """Sign and lock the assessment (AssessmentSigning). Refuses with AssessmentLocked,
    NotTheAuthor, or a ValidationError listing every problem."""
    return AssessmentSigning(assessment).execute(by)


@transaction.atomic
def assessment_addendum_add(*, assessment: Assessment, by: User, text: str) -> AssessmentAddendum:
    """Add a dated, attributed correction to a signed assessment. Any physiotherapist may
    add one (a colleague who later treats the patient may correct a level); the views let
    only the care team, or a break-the-glass grant, reach this. An addendum does not put
    its author on the care team (clinic.services.care_team says why)."""
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not current.is_signed:
        raise ValidationError("Edit the draft directly; addenda are for signed assessments.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the correction or note."})
    addendum = AssessmentAddendum(assessment=current, author=by, text=text)
    addendum.full_clean()  # the text's length limit, keyed to "text"
    addendum.save()
    return addendum


# --- Reference data ---------------------------------------------------------------------

# The reference tables, and the data migrations that fill them, in migration order: 0002
# seeds, 0005 applies the issue 17 corrections (seed/corrections.py). Replaying them all
# gives a flushed database what `migrate` gives an empty one.
_REFERENCE_MODELS = ("Segment", "Muscle", "Sign")
# By name suffix: a later one may be renumbered when branches are merged.
_REFERENCE_MIGRATIONS = ("0002_reference_data", "_chest_wall_and_innervation_corrections")


def _migration_module(suffix: str) -> str:
    import assessments.migrations as package

    (name,) = (m.name for m in pkgutil.iter_modules(package.__path__) if m.name.endswith(suffix))
    return f"{package.__name__}.{name}"


def reference_data_ensure(*_: Any, **__: Any) -> None:
    """post_migrate receiver: re-seed the reference tables if a flush emptied them
    (transactional tests, `manage.py flush`). Empty tables only: clinic edits stay."""
    if all(
        global_apps.get_model("assessments", name).objects.exists() for name in _REFERENCE_MODELS
    ):
        return
    for suffix in _REFERENCE_MIGRATIONS:
        import_module(_migration_module(suffix)).forwards(global_apps, None)
