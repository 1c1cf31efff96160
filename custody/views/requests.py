"""Access requests on the clinic side: recorded for a patient, extended once, answered."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.forms.common import form_add_errors
from clinic.models import Patient
from clinic.origin import Origin
from clinic.permissions import Role, allow_roles
from custody import services
from custody.forms import AccessRequestForm, ExtendForm, RefuseForm, ReleaseForm
from custody.models import AccessRequest


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def requests_list(request: HttpRequest) -> HttpResponse:
    rows = AccessRequest.objects.select_related("patient").order_by("status", "due_on", "pk")
    return render(request, "custody/requests.html", {"requests": rows[:200]})


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """Record a request the patient made by phone, letter or at the desk."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.access_request_create(
                patient=patient,
                by=request.user,
                channel=AccessRequest.Channel.STAFF,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, f"Request recorded; due {created.due_on:%Y-%m-%d}.")
            return redirect("custody:request_detail", pk=created.pk)
    return render(request, "custody/request_new.html", {"patient": patient, "form": form})


def _detail(request: HttpRequest, access_request: AccessRequest, **forms) -> HttpResponse:
    context = {
        "item": access_request,
        "extend_form": ExtendForm(),
        "release_form": ReleaseForm(),
        "refuse_form": RefuseForm(),
    }
    context.update(forms)
    status = 400 if any(form.errors for form in forms.values()) else 200
    return render(request, "custody/request_detail.html", context, status=status)


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(
        request, get_object_or_404(AccessRequest.objects.select_related("patient"), pk=pk)
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def request_extend(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest, pk=pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_extend(
                request=access_request, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, "Deadline extended.")
            return redirect("custody:request_detail", pk=pk)
    return _detail(request, access_request, extend_form=form)


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def request_release(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest, pk=pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_release(
                request=access_request, by=request.user, origin=Origin.of(request)
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, "Released: the patient can download it in their portal.")
            return redirect("custody:request_detail", pk=pk)
    return _detail(request, access_request, release_form=form)


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest, pk=pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_refuse(
                request=access_request,
                by=request.user,
                origin=Origin.of(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, "Refusal recorded.")
            return redirect("custody:request_detail", pk=pk)
    return _detail(request, access_request, refuse_form=form)
