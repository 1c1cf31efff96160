"""Retention: the clinic's province, legal holds and the reviewed destruction of a
patient's clinical record at the end of its retention period.

Nothing here runs on a schedule: a record is destroyed only when a clinic admin confirms
it on the destroy page (custody.views.retention.destroy).

What destruction removes and what it keeps (docs/OPERATIONS.md, "Retention"):

- removed: intake answers and screening clearances, outcome scores, assessments with their
  findings and addenda, treatment sessions with their sites, re-tests, adverse events,
  incident reviews and addenda, plans of care and re-measure reminders, needling days and
  spacing alerts, consents the patient signed, correction requests, every PDF (visit,
  course and discharge summaries, copies of the record) and every released access-request
  archive (rows and files), and the change history (django-simple-history) of all of them
  and of the patient's details;
- kept: the identity stub (the patient row with legal name and date of birth only; every
  contact, address, insurance, referral and note field is blanked), the appointments as
  dates, times, practitioner and type (the clinic's business record; their notes are
  blanked and their link to the plan removed), the care-team rows (who had access), the
  access log (append-only by trigger), the access requests' register rows, the consent
  texts (clinic-wide versions, not the patient's signature) and a DestructionRecord:
  who, when, which rule, the dates it was computed from and how many rows of each kind
  were removed.

The portal account is deactivated and its password made unusable, so the patient can
neither sign in again nor keep an open session (Django refuses an inactive user's
session), and nothing they do later can bring the record back.

Signed notes, their parts and adverse events are protected on PostgreSQL by triggers that
refuse UPDATE and DELETE. Destruction does not disable them: it sets the transaction-local
setting `custody.destroy_patient` to the patient's id (`set_config(..., true)`, gone at
commit or rollback), and the triggers (treatments migration 0017, assessments migration
0007) let a DELETE through only for rows of that patient. An UPDATE is refused as before,
and any other patient's rows stay locked in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

from assessments.models import Assessment, AssessmentAddendum, RangeOfMotion, SignFinding, TautBand
from clinic.models import (
    AccessLog,
    Appointment,
    CarePlan,
    Consent,
    CorrectionRequest,
    Intake,
    NeedlingDay,
    OutcomeScore,
    Patient,
    RemeasureReminder,
    ScreeningClearance,
    SpacingAlert,
    User,
)
from clinic.origin import Origin
from clinic.services import access_log_write
from custody.models import AccessRequest, CustodySettings, DestructionRecord, LegalHold
from custody.retention import RULES, RetentionRule
from treatments.models import (
    AdverseEvent,
    CourseSummary,
    DischargeSummary,
    IncidentReview,
    NeedlingSite,
    RecordCopy,
    RomRetest,
    SessionAddendum,
    TreatmentSession,
    VisitSummary,
)

DESTROY_SETTING = "custody.destroy_patient"

# The patient's fields blanked on destruction: everything but the identity stub.
STUB_BLANKED = (
    "preferred_name",
    "gender",
    "pronouns",
    "phone",
    "email",
    "email_verified",
    "address_line1",
    "address_line2",
    "city",
    "province",
    "postal_code",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "health_number",
    "insurer",
    "insurer_policy_number",
    "referring_physician",
    "referring_physician_contact",
    "desk_notes",
)


class DestructionError(Exception):
    """Why a record cannot be destroyed now (shown on the destroy page)."""


def custody_settings_get() -> CustodySettings:
    settings_row, _ = CustodySettings.objects.get_or_create(pk=1)
    return settings_row


def custody_rule() -> RetentionRule:
    return RULES[custody_settings_get().province]


@transaction.atomic
def custody_province_set(*, province: str, by: User) -> CustodySettings:
    if province not in RULES:
        raise ValidationError({"province": "Choose British Columbia, Alberta or Ontario."})
    row = custody_settings_get()
    row = CustodySettings.objects.select_for_update().get(pk=row.pk)
    row.province = province
    row.updated_by = by
    row.save()
    return row


@transaction.atomic
def legal_hold_place(*, patient: Patient, reason: str, by: User) -> LegalHold:
    if DestructionRecord.objects.filter(patient=patient).exists():
        raise ValidationError({"patient": "This patient's records were already destroyed."})
    hold = LegalHold(patient=patient, reason=reason.strip(), placed_by=by)
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, reason: str, by: User) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.in_force:
        raise ValidationError({"lift_reason": "This hold was already lifted."})
    if not reason.strip():
        raise ValidationError({"lift_reason": "Say why the hold is lifted."})
    hold.lift_reason = reason.strip()
    hold.lifted_by = by
    hold.lifted_at = timezone.now()
    hold.full_clean()
    hold.save()
    return hold


def confirmation_phrase(patient: Patient) -> str:
    """What the admin types to confirm a destruction: the patient's legal name."""
    return f"{patient.legal_first_name} {patient.legal_last_name}".strip()


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _purge(model: type[models.Model], queryset: models.QuerySet, counts: dict, label: str) -> None:
    """Delete the rows, then the history rows django-simple-history kept of them (including
    the one its delete signal just wrote)."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    model.objects.filter(pk__in=ids).delete()
    history = getattr(model, "history", None)
    if history is not None:
        history.model.objects.filter(id__in=ids).delete()
    counts[label] = counts.get(label, 0) + len(ids)


def _files_of(querysets: Iterable[models.QuerySet]) -> list[str]:
    names = []
    for queryset in querysets:
        names.extend(name for name in queryset.values_list("file", flat=True) if name)
    return names


@transaction.atomic
def patient_records_destroy(
    *, patient: Patient, by: User, origin: Origin, confirmation: str, today: dt.date | None = None
) -> DestructionRecord:
    """Destroy `patient`'s clinical record at the end of its retention period (see the
    module docstring for what goes and what stays). Refused, with nothing written, unless
    the typed `confirmation` is the patient's legal name, the record is past retention
    under the clinic's rule today, no legal hold is in force and it was not destroyed yet.
    """
    from custody.selectors import last_entries

    today = today or timezone.localdate()
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if DestructionRecord.objects.filter(patient=patient).exists():
        raise DestructionError("This patient's records were already destroyed.")
    if LegalHold.objects.filter(patient=patient, lifted_at__isnull=True).exists():
        raise DestructionError("A legal hold is in force: lift it first.")
    if _normalised(confirmation) != _normalised(confirmation_phrase(patient)):
        raise ValidationError(
            {"confirmation": "Type the patient's legal name exactly as shown to confirm."}
        )
    rule = custody_rule()
    last_entry = last_entries(Patient.objects.filter(pk=patient.pk)).get().last_entry
    if not rule.is_past(last_entry=last_entry, date_of_birth=patient.date_of_birth, today=today):
        until = rule.retention_until(last_entry=last_entry, date_of_birth=patient.date_of_birth)
        raise DestructionError(
            "This record is not past retention under the clinic's rule "
            f"({rule.summary}): it must be kept until {until:%Y-%m-%d}."
        )

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Transaction-local: gone at commit or rollback (see the module docstring).
            cursor.execute("SELECT set_config(%s, %s, true)", [DESTROY_SETTING, str(patient.pk)])

    counts: dict[str, int] = {}
    sessions = TreatmentSession.objects.filter(patient=patient)
    assessments = Assessment.objects.filter(patient=patient)
    plans = CarePlan.objects.filter(patient=patient)
    document_sets = (
        VisitSummary.objects.filter(session__patient=patient),
        CourseSummary.objects.filter(patient=patient),
        RecordCopy.objects.filter(patient=patient),
        DischargeSummary.objects.filter(patient=patient),
    )
    files = _files_of(document_sets)
    releases = AccessRequest.objects.filter(patient=patient).exclude(release_file="")
    files.extend(releases.values_list("release_file", flat=True))

    _purge(
        IncidentReview,
        IncidentReview.objects.filter(event__session__patient=patient),
        counts,
        "incident reviews",
    )
    _purge(
        AdverseEvent,
        AdverseEvent.objects.filter(session__patient=patient),
        counts,
        "adverse events",
    )
    for queryset in document_sets:
        _purge(queryset.model, queryset, counts, "documents (PDF)")
    _purge(
        SessionAddendum,
        SessionAddendum.objects.filter(session__patient=patient),
        counts,
        "session addenda",
    )
    _purge(
        NeedlingSite,
        NeedlingSite.objects.filter(session__patient=patient),
        counts,
        "needling sites",
    )
    _purge(RomRetest, RomRetest.objects.filter(session__patient=patient), counts, "range re-tests")
    _purge(TreatmentSession, sessions, counts, "treatment sessions")
    _purge(
        AssessmentAddendum,
        AssessmentAddendum.objects.filter(assessment__patient=patient),
        counts,
        "assessment addenda",
    )
    for finding in (SignFinding, TautBand, RangeOfMotion):
        _purge(
            finding,
            finding.objects.filter(assessment__patient=patient),
            counts,
            "assessment findings",
        )
    _purge(Assessment, assessments, counts, "assessments")
    _purge(OutcomeScore, OutcomeScore.objects.filter(patient=patient), counts, "outcome scores")
    _purge(
        ScreeningClearance,
        ScreeningClearance.objects.filter(patient=patient),
        counts,
        "screening clearances",
    )
    _purge(Intake, Intake.objects.filter(patient=patient), counts, "intakes")
    _purge(SpacingAlert, SpacingAlert.objects.filter(patient=patient), counts, "spacing alerts")
    _purge(NeedlingDay, NeedlingDay.objects.filter(patient=patient), counts, "needling days")
    _purge(
        RemeasureReminder,
        RemeasureReminder.objects.filter(plan__patient=patient),
        counts,
        "re-measure reminders",
    )
    appointments = Appointment.objects.filter(patient=patient)
    appointments.update(plan=None, note="", spacing_override_reason="", cancel_reason="")
    Appointment.history.model.objects.filter(patient_id=patient.pk).delete()
    _purge(CarePlan, plans, counts, "plans of care")
    _purge(Consent, Consent.objects.filter(patient=patient), counts, "consents")
    _purge(
        CorrectionRequest,
        CorrectionRequest.objects.filter(patient=patient),
        counts,
        "correction requests",
    )
    released = releases.update(release_file="", release_manifest=[])
    if released:
        counts["released archives"] = released
    counts["files"] = len(files)

    Patient.history.model.objects.filter(id=patient.pk).delete()
    Patient.objects.filter(pk=patient.pk).update(
        **dict.fromkeys(STUB_BLANKED, ""),
        email_verified_at=None,
        search_text=Patient(
            legal_first_name=patient.legal_first_name, legal_last_name=patient.legal_last_name
        ).build_search_text(),
        updated_at=timezone.now(),
    )
    if patient.user_id:
        account = User.objects.get(pk=patient.user_id)
        account.is_active = False
        account.set_unusable_password()
        account.save(update_fields=["is_active", "password"])

    majority_on = rule.majority_on(patient.date_of_birth)
    record = DestructionRecord.objects.create(
        patient=patient,
        destroyed_by=by,
        province=rule.province,
        rule=rule.summary,
        rule_source=rule.source,
        last_entry=last_entry,
        majority_on=majority_on,
        retention_until=rule.retention_until(
            last_entry=last_entry, date_of_birth=patient.date_of_birth
        ),
        counts=counts,
    )
    access_log_write(
        by=by,
        origin=origin,
        patient=patient,
        what=f"clinical record destroyed at the end of retention ({rule.province} rule)",
        action=AccessLog.Action.VIEW,
    )
    # Files go only once the rows are gone for good: a rolled-back destruction keeps both.
    transaction.on_commit(lambda: _delete_files(files))
    return record


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
