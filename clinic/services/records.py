"""Patients' rights over their records: a copy of everything held about them (export) and
requests to correct it (logged and settled by staff)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from clinic.models import (
    AccessLog,
    Appointment,
    Consent,
    CorrectionRequest,
    Intake,
    OutcomeScore,
    Patient,
    User,
)

# name -> function(patient) giving that section of the export; apps above clinic register
# theirs (their records) in AppConfig.ready, so clinic never imports them.
ExportSection = Callable[[Patient], Any]
_sections: dict[str, ExportSection] = {}

SKIP_FIELDS = {"search_text", "password"}


def export_section_register(name: str, section: ExportSection) -> None:
    _sections[name] = section


def _value(obj: models.Model, field: models.Field) -> Any:
    if field.is_relation:
        related = getattr(obj, field.name)
        return str(related) if related is not None else None
    value = getattr(obj, field.attname)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def export_rows(objects: Iterable[models.Model], *, skip: Iterable[str] = ()) -> list[dict]:
    """Plain dictionaries of every concrete field (related rows by their display name)."""
    skipped = SKIP_FIELDS | set(skip)
    rows = []
    for obj in objects:
        rows.append(
            {
                field.name: _value(obj, field)
                for field in obj._meta.concrete_fields
                if field.name not in skipped
            }
        )
    return rows


def patient_export(patient: Patient) -> dict[str, Any]:
    """Everything the clinic holds about the patient, in one JSON-ready dictionary: their
    details, appointments, intake answers, consents, scores, who read their records, and
    each clinical app's records (signed notes only; drafts are not yet records)."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "clinic": settings.CLINIC_NAME,
        "patient": export_rows([patient], skip={"user"})[0],
        "appointments": export_rows(
            Appointment.objects.filter(patient=patient).order_by("start"),
            skip={"booked_by", "cancelled_by", "spacing_override_by"},
        ),
        "intakes": [
            {
                **export_rows([intake], skip={"submitted_by"})[0],
                "screening": [str(item) for item in intake.screening_items.all()],
            }
            for intake in Intake.objects.filter(patient=patient).order_by("created_at")
        ],
        "consents": export_rows(
            Consent.objects.filter(patient=patient).order_by("signed_at"), skip={"recorded_by"}
        ),
        "outcome_scores": export_rows(
            OutcomeScore.objects.filter(patient=patient).order_by("recorded_at")
        ),
        "correction_requests": export_rows(
            CorrectionRequest.objects.filter(patient=patient),
            skip={"requested_by", "resolved_by"},
        ),
        "record_reads": [
            {
                "at": log.at.isoformat(),
                "by": log.user.get_full_name() or "clinic staff",
                "what": log.what,
                "action": log.get_action_display(),
            }
            for log in AccessLog.objects.filter(patient=patient).select_related("user")
        ],  # fmt: skip
    }
    for name, section in sorted(_sections.items()):
        data[name] = section(patient)
    return data


# --- Correction requests ----------------------------------------------------------------


def correction_request_add(
    *, patient: Patient, by: User, record: str, requested_change: str, source: str
) -> CorrectionRequest:
    request = CorrectionRequest(
        patient=patient,
        requested_by=by,
        record=record.strip(),
        requested_change=requested_change.strip(),
        source=source,
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def correction_request_settle(
    *, request: CorrectionRequest, by: User, status: str, resolution: str
) -> CorrectionRequest:
    """Close a request as corrected or declined, saying what was done (or why not)."""
    current = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    if current.status != CorrectionRequest.Status.OPEN:
        raise ValidationError("This request is already settled.")
    if status not in (CorrectionRequest.Status.CORRECTED, CorrectionRequest.Status.DECLINED):
        raise ValidationError({"status": "Choose corrected or declined."})
    if not resolution.strip():
        raise ValidationError({"resolution": "Say what was corrected, or why it was declined."})
    current.status = status
    current.resolution = resolution.strip()
    current.resolved_by = by
    current.resolved_at = timezone.now()
    current.save()
    return current
