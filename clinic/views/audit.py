"""Privacy and audit: the break-the-glass page (physiotherapists) and the audit page (clinic
admins: who read which patient's records, every change, emergency accesses to review)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clinic import selectors
from clinic.access import emergency_access_open
from clinic.forms.audit import AccessReviewForm, AuditFilterForm, EmergencyAccessForm
from clinic.forms.common import form_add_errors
from clinic.inputs import safe_next
from clinic.models import AccessLog, Patient
from clinic.origin import Origin
from clinic.permissions import Role, allow_roles
from clinic.services import access_review_record, emergency_access_grant

AUDIT_PAGE_SIZE = 50


@allow_roles(Role.PHYSIO)
@require_http_methods(["GET", "POST"])
def emergency_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Break the glass: open a chart of a patient you do not treat, with a reason that the
    privacy officer reviews."""
    patient = get_object_or_404(Patient, pk=pk)
    form = EmergencyAccessForm(request.POST or None)
    target = safe_next(request, f"/treatments/patients/{patient.pk}/chart/")
    if request.method == "POST" and form.is_valid():
        try:
            emergency_access_grant(
                by=request.user,
                patient=patient,
                reason=form.cleaned_data["reason"],
                origin=Origin.of(request),
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            emergency_access_open(request, patient.pk)
            messages.warning(
                request,
                f"Emergency access to {patient.display_name}'s records is open for an hour. "
                "It has been logged for review.",
            )
            return redirect(target)
    return render(
        request,
        "clinic/emergency_access.html",
        {"patient": patient, "form": form, "next": target},
        status=200 if request.method == "GET" or form.is_valid() else 422,
    )


# --- The audit page ---------------------------------------------------------------------


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET"])
def audit(request: HttpRequest) -> HttpResponse:
    """Who read which patient's records and what changed, filtered by user, patient, date
    and action; emergency accesses not yet reviewed come first."""
    form = AuditFilterForm(request.GET or None)
    filters = selectors.AuditFilters(**form.cleaned_data) if form.is_valid() else None
    filters = filters or selectors.AuditFilters()
    reads = selectors.audit_reads(filters)
    page = Paginator(reads, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clinic/audit.html",
        {
            "form": form,
            "page": page,
            "to_review": selectors.emergency_accesses_to_review(),
            "changes": (
                selectors.audit_changes(filters) if request.GET.get("tab") == "changes" else []
            ),
            "tab": request.GET.get("tab", "reads"),
            "query": query.urlencode(),
        },
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def access_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an emergency access as reviewed (a new row; the log row itself never changes)."""
    log = get_object_or_404(AccessLog, pk=pk, action=AccessLog.Action.EMERGENCY)
    form = AccessReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not marked as reviewed: {form.errors['note'][0]}")
    else:
        if access_review_record(log=log, by=request.user, note=form.cleaned_data["note"]):
            messages.success(request, "Marked as reviewed.")
    return redirect(safe_next(request, reverse("clinic:audit")))
