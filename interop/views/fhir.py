"""The FHIR export's pages and downloads.

- One patient's Bundle: from the chart (physiotherapists, care-team gate) and the portal's
  "My records" (the signed-in patient's own, never an id from the URL). The front desk
  gets 403: a Bundle is clinical. `?embed=1` puts the PDFs in the Bundle.
- The clinic's bulk NDJSON export: clinic admins only; the page lists exports with their
  progress (htmx polls it while one runs) and links each finished file.
Every download writes an AccessLog row before the response.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.access import access_log_record
from clinic.models import AccessLog, Patient
from clinic.permissions import Role, allow_roles, clinical_record, own_patient
from interop import fhir, services
from interop.models import BulkExport

POLL_SECONDS = 3


def _bundle_response(request: HttpRequest, patient: Patient, *, portal: bool) -> HttpResponse:
    embed = request.GET.get("embed") == "1"
    audience = fhir.Audience(
        base_url=request.build_absolute_uri("/").rstrip("/"), portal=portal, embed=embed
    )
    bundle = fhir.patient_bundle(patient.pk, audience)
    access_log_record(
        request=request,
        patient=patient,
        what="FHIR export" + (" with documents" if embed else ""),
        action=AccessLog.Action.DOWNLOAD,
    )
    response = HttpResponse(fhir.dumps(bundle), content_type=f"{fhir.CONTENT_TYPE}; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    name = (
        f"patient-{patient.pk}-fhir-{stamp}.json" if not portal else f"my-records-fhir-{stamp}.json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@allow_roles(Role.PHYSIO)
@clinical_record("patient_pk")
@require_GET
@never_cache
def patient_bundle(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The patient's whole record as a FHIR R4 Bundle (collection), for the clinical team."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    return _bundle_response(request, patient, portal=False)


@allow_roles(Role.PATIENT)
@require_GET
@never_cache
def portal_bundle(request: HttpRequest) -> HttpResponse:
    """The signed-in patient's own record as a FHIR R4 Bundle."""
    return _bundle_response(request, own_patient(request), portal=True)


# --- Bulk Data export (clinic admins) -------------------------------------------------------


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
@never_cache
def exports(request: HttpRequest) -> HttpResponse:
    rows = list(BulkExport.objects.select_related("requested_by")[:20])
    context = {
        "exports": rows,
        "polling": any(row.status in ("pending", "running") for row in rows),
        "poll_seconds": POLL_SECONDS,
        "types": fhir.RESOURCE_TYPES,
    }
    if request.htmx:
        return render(request, "interop/_export_rows.html", context)
    return render(request, "interop/exports.html", context)


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    try:
        services.bulk_export_request(by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Export started. It continues if you leave this page.")
    return redirect("interop:exports")


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def export_resume(request: HttpRequest, token: str) -> HttpResponse:
    export = get_object_or_404(BulkExport, token=token)
    try:
        services.bulk_export_resume(export=export)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Export resumed from the first unfinished resource type.")
    return redirect("interop:exports")


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
@never_cache
def export_file(request: HttpRequest, token: str, resource_type: str) -> FileResponse:
    """One resource type's NDJSON file (every patient's records of that type: logged)."""
    export = get_object_or_404(BulkExport, token=token)
    name = services.bulk_export_file_name(export, resource_type)
    if name is None:
        raise Http404("No such file in this export.")
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("This file is missing.") from None
    access_log_record(
        request=request,
        patient=None,
        what=f"FHIR bulk export {resource_type}.ndjson ({export.token})",
        action=AccessLog.Action.DOWNLOAD,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{resource_type}.ndjson",
        content_type="application/fhir+ndjson",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
@never_cache
def export_manifest(request: HttpRequest, token: str) -> JsonResponse:
    """The Bulk Data manifest of a finished export: one output entry per file."""
    export = get_object_or_404(BulkExport, token=token, status=BulkExport.Status.READY)
    output = [
        {
            "type": part["type"],
            "url": request.build_absolute_uri(
                reverse("interop:export_file", args=[export.token, part["type"]])
            ),
            "count": part["count"],
        }
        for part in export.files
    ]
    manifest = {
        "transactionTime": (export.started_at or export.created_at).isoformat(),
        "request": request.build_absolute_uri(reverse("interop:exports")),
        "requiresAccessToken": True,
        "output": output,
        "error": [],
    }
    return JsonResponse(manifest)
