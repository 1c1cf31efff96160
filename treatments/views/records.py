"""The patient's readable record in the portal ("My records", issue 19): the whole record
as a printable page, and a PDF of it prepared in the background like the visit summaries.

The patient is always the signed-in one (`own_patient`), never an id from the URL; a PDF is
named by its random token and must also belong to the patient asking, so another
patient's token answers 404. Every read and download writes an AccessLog row.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.access import access_log_record
from clinic.permissions import Role, allow_roles, own_patient
from treatments import selectors
from treatments.models import RecordCopy
from treatments.services import summaries
from treatments.views.documents import POLL_SECONDS, _pdf_response


def _latest_copy(patient) -> RecordCopy | None:
    return RecordCopy.objects.filter(patient=patient).order_by("-created_at").first()


@allow_roles(Role.PATIENT)
@require_GET
@never_cache
def portal_record(request: HttpRequest) -> HttpResponse:
    """The whole record in plain words; htmx polls only the PDF card while it is prepared."""
    patient = own_patient(request)
    latest = _latest_copy(patient)
    context = {"latest": latest, "poll_seconds": POLL_SECONDS * 2}
    if request.htmx:
        return render(request, "treatments/_record_pdf.html", context)
    access_log_record(request=request, patient=patient, what="readable record")
    return render(
        request, "treatments/portal_record.html", {**selectors.patient_record(patient), **context}
    )


@allow_roles(Role.PATIENT)
@require_POST
def portal_record_pdf(request: HttpRequest) -> HttpResponse:
    """Ask for a PDF of the record (one at a time: a copy being prepared is reused)."""
    summaries.record_copy_request(patient=own_patient(request), by=request.user)
    return redirect("treatments:portal_record")


@allow_roles(Role.PATIENT)
@require_GET
@never_cache
def portal_record_download(request: HttpRequest, token: str) -> FileResponse:
    """The patient's own record PDF; a token of someone else's, a wrong one and one not
    ready give the same 404."""
    patient = own_patient(request)
    copy = get_object_or_404(RecordCopy, token=token, patient=patient)
    return _pdf_response(request, copy, patient, "record copy (PDF)")
