"""Patients' access requests: recorded, extended once, answered by a release or a refusal.

The deadline: 30 days after the request is received, PIPEDA (SC 2000 c. 5) s. 8(3); one
extension of at most 30 days, with notice to the patient of the new date and the reason,
s. 8(4). Ontario's PHIPA (SO 2004 c. 3 Sch. A) s. 54(2)-(4) sets the same 30 days and one
extension of up to 30 days, and BC's PIPA (SBC 2003 c. 63) s. 29 and 31 the same. Sources
differ for Alberta private practice: Alberta PIPA s. 28 allows 45 days, while the Health
Information Act s. 12 (which covers physiotherapists as custodians) allows 30; the shorter
30 days is used for every province.

Every step leaves a trace: the request's change history (django-simple-history: who
recorded, extended, released or refused it, when), and the release, which hands out
clinical content, an access-log row.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from clinic.models import AccessLog, Patient, User
from clinic.origin import Origin
from clinic.services import access_log_write, patient_export
from custody.models import AccessRequest
from treatments.models import CourseSummary, DischargeSummary, RecordCopy, VisitSummary

ACCESS_RESPONSE_DAYS = 30
EXTENSION_MAX_DAYS = 30


@dataclass(frozen=True)
class ReleaseItem:
    """One file of a release: its name in the archive and its bytes."""

    name: str
    content: bytes


def release_items(patient: Patient) -> list[ReleaseItem]:
    """What a release hands to the patient, in one list: the JSON export of everything held
    about them (clinic.services.patient_export), the same record as a FHIR R4 Bundle (the
    interop app's, as the portal's "My records" gives it, its documents linked to the
    portal's downloads) for another clinic's software, and each of their ready PDFs."""
    from interop.fhir.bundle import dumps, patient_bundle
    from interop.fhir.documents import Audience

    export = json.dumps(patient_export(patient), cls=DjangoJSONEncoder, indent=2)
    bundle = patient_bundle(patient.pk, Audience(base_url=settings.SITE_URL, portal=True))
    items = [
        ReleaseItem("record.json", export.encode()),
        ReleaseItem("record.fhir.json", dumps(bundle).encode()),
    ]
    documents = (
        ("visit-summaries", VisitSummary.objects.filter(session__patient=patient)),
        ("course-summaries", CourseSummary.objects.filter(patient=patient)),
        ("record-copies", RecordCopy.objects.filter(patient=patient)),
        ("discharge-summaries", DischargeSummary.objects.filter(patient=patient)),
    )
    for folder, queryset in documents:
        for document in queryset.filter(status="ready").exclude(file="").order_by("created_at"):
            with default_storage.open(document.file.name, "rb") as handle:
                content = handle.read()
            items.append(
                ReleaseItem(f"{folder}/{document.created_at:%Y-%m-%d}-{document.pk}.pdf", content)
            )
    return items


def _archive(items: list[ReleaseItem]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            archive.writestr(item.name, item.content)
    return buffer.getvalue()


@transaction.atomic
def access_request_create(
    *,
    patient: Patient,
    by: User,
    details: str,
    channel: str,
    received_on: dt.date | None = None,
) -> AccessRequest:
    received_on = received_on or timezone.localdate()
    request = AccessRequest(
        patient=patient,
        requested_by=by,
        details=details.strip(),
        channel=channel,
        received_on=received_on,
        due_on=received_on + dt.timedelta(days=ACCESS_RESPONSE_DAYS),
    )
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "A request cannot be received in the future."})
    request.full_clean()
    request.save()
    return request


def _locked_open(request: AccessRequest) -> AccessRequest:
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(
            f"This request was already answered ({request.get_status_display().lower()})."
        )
    return request


@transaction.atomic
def access_request_extend(
    *, request: AccessRequest, by: User, days: int | None, reason: str
) -> AccessRequest:
    """Extend the deadline once, by 1 to 30 days, with a written reason (PIPEDA s. 8(4))."""
    request = _locked_open(request)
    if request.was_extended:
        raise ValidationError(
            {"days": "This request was already extended once; it cannot be extended again."}
        )
    errors = {}
    if days is None or not 1 <= days <= EXTENSION_MAX_DAYS:
        errors["days"] = f"Extend by 1 to {EXTENSION_MAX_DAYS} days."
    if not reason.strip():
        errors["reason"] = "Write the reason the patient will be told."
    if errors:
        raise ValidationError(errors)
    request.extension_days = days
    request.extension_reason = reason.strip()
    request.extended_by = by
    request.extended_at = timezone.now()
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def access_request_release(*, request: AccessRequest, by: User, origin: Origin) -> AccessRequest:
    """Answer by releasing the export and the PDFs to the patient's portal: one archive in
    private storage, downloaded through the portal (custody.views.portal)."""
    request = _locked_open(request)
    items = release_items(request.patient)
    name = default_storage.save(
        f"custody/releases/{request.token}.zip", ContentFile(_archive(items))
    )
    # A failure below removes the archive again, so no file is left without its row.
    request.release_file = name
    request.release_manifest = [item.name for item in items]
    request.status = AccessRequest.Status.RELEASED
    request.answered_by = by
    request.answered_at = timezone.now()
    try:
        request.save()
        access_log_write(
            by=by,
            origin=origin,
            patient=request.patient,
            what=f"access request {request.pk}: record released to the portal ({len(items)} files)",
            action=AccessLog.Action.DOWNLOAD,
        )
    except Exception:
        default_storage.delete(name)
        raise
    return request


@transaction.atomic
def access_request_refuse(
    *, request: AccessRequest, by: User, origin: Origin, reason: str
) -> AccessRequest:
    request = _locked_open(request)
    if not reason.strip():
        raise ValidationError({"reason": "Write the reason for the refusal."})
    request.status = AccessRequest.Status.REFUSED
    request.refusal_reason = reason.strip()
    request.answered_by = by
    request.answered_at = timezone.now()
    request.full_clean()
    request.save()
    access_log_write(
        by=by,
        origin=origin,
        patient=request.patient,
        what=f"access request {request.pk}: refused",
        action=AccessLog.Action.VIEW,
    )
    return request
