"""Patients' rights over their records: the portal's "download my records" and the staff's
log of correction requests."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic import services
from clinic.access import access_log_record
from clinic.forms.common import form_add_errors
from clinic.forms.records import CorrectionRequestForm, SettleForm
from clinic.models import AccessLog, CorrectionRequest, Patient
from clinic.permissions import Role, allow_roles, own_patient


@allow_roles(Role.PATIENT)
@require_GET
def portal_records(request: HttpRequest) -> HttpResponse:
    """What the clinic holds about you, and a button to download all of it."""
    return render(request, "clinic/portal/records.html", {"patient": own_patient(request)})


@allow_roles(Role.PATIENT)
@require_GET
@never_cache
def portal_records_download(request: HttpRequest) -> HttpResponse:
    """Everything held about the signed-in patient, as one JSON file (logged)."""
    patient = own_patient(request)
    data = services.patient_export(patient)
    access_log_record(
        request=request, patient=patient, what="data export", action=AccessLog.Action.DOWNLOAD
    )
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-clinic-records-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@allow_roles(Role.FRONT_DESK, Role.PHYSIO)
@require_POST
def correction_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a request to correct the patient's record (no clinical content is shown)."""
    patient = get_object_or_404(Patient, pk=pk)
    form = CorrectionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_add(patient=patient, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, "Correction request logged.")
            return redirect("clinic:patient_detail", pk=patient.pk)
    messages.error(request, "The correction request was not logged: " + _errors(form))
    return redirect("clinic:patient_detail", pk=patient.pk)


@allow_roles(Role.PHYSIO, Role.CLINIC_ADMIN)
@require_POST
def correction_settle(request: HttpRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(CorrectionRequest, pk=pk)
    form = SettleForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_settle(
                request=correction, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Correction request settled.")
    else:
        messages.error(request, "Not settled: " + _errors(form))
    return redirect("clinic:patient_detail", pk=correction.patient_id)


def _errors(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".strip(": ")
        for name, errors in form.errors.items()
    )
