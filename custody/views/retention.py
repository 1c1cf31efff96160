"""The records-custody home, retention list, legal holds and the reviewed destruction."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.forms.common import form_add_errors
from clinic.models import Patient
from clinic.origin import Origin
from clinic.permissions import Role, allow_roles
from clinic.selectors import patient_search
from custody import selectors, services
from custody.forms import DestroyForm, LegalHoldForm, LiftForm, PatientLookupForm, ProvinceForm
from custody.models import DestructionRecord, LegalHold
from custody.retention import RULES
from custody.services.retention import confirmation_phrase

PER_PAGE = 50


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    settings_row = services.custody_settings_get()
    return render(
        request,
        "custody/home.html",
        {
            "settings": settings_row,
            "rule": RULES[settings_row.province],
            "rules": RULES.values(),
            "province_form": ProvinceForm(initial={"province": settings_row.province}),
            "open_requests": selectors.access_requests_open().count(),
            "overdue_requests": len(selectors.access_requests_overdue()),
            "holds": selectors.legal_holds_in_force().count(),
        },
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def province_set(request: HttpRequest) -> HttpResponse:
    form = ProvinceForm(request.POST)
    if form.is_valid():
        services.custody_province_set(province=form.cleaned_data["province"], by=request.user)
        messages.success(request, "Retention rule changed.")
    else:
        messages.error(request, "Choose a province.")
    return redirect("custody:home")


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    """Patients whose records are past retention under the clinic's rule (no legal hold),
    one page at a time. Names and dates only: no clinical content is shown."""
    rule = RULES[services.custody_settings_get().province]
    page = Paginator(selectors.past_retention(rule, timezone.localdate()), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "custody/retention.html",
        {"rule": rule, "page": page, "rows": selectors.retention_rows(rule, page.object_list)},
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def patient_lookup(request: HttpRequest) -> HttpResponse:
    """Find a patient to place a legal hold on or to record an access request for."""
    form = PatientLookupForm(request.GET or None)
    found = []
    if form.is_valid():
        found = list(patient_search(query=form.cleaned_data["q"])[:20])
    return render(
        request,
        "custody/patient_lookup.html",
        {"form": form, "found": found, "holds": selectors.legal_holds_in_force()},
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def legal_hold_new(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_pk)
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_place(
                patient=patient, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, f"Legal hold placed on {patient.legal_name}'s records.")
            return redirect("custody:patient_lookup")
    return render(request, "custody/legal_hold_new.html", {"patient": patient, "form": form})


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def legal_hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=pk)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_lift(
                hold=hold, reason=form.cleaned_data["lift_reason"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Legal hold lifted.")
    else:
        messages.error(request, "Say why the hold is lifted.")
    return redirect("custody:patient_lookup")


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def destroy(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The review before a destruction: what will go, what stays, the rule and the dates;
    the admin types the patient's legal name to confirm."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    rule = RULES[services.custody_settings_get().province]
    row = selectors.retention_rows(rule, [patient])[0]
    form = DestroyForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_records_destroy(
                patient=patient,
                by=request.user,
                origin=Origin.of(request),
                confirmation=form.cleaned_data["confirmation"],
            )
        except services.DestructionError as error:
            problem = str(error)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, f"{patient.legal_name}'s clinical record was destroyed.")
            return redirect("custody:destructions")
    return render(
        request,
        "custody/destroy.html",
        {
            "patient": patient,
            "rule": rule,
            "row": row,
            "form": form,
            "problem": problem,
            "phrase": confirmation_phrase(patient),
            "past": rule.is_past(
                last_entry=row.last_entry,
                date_of_birth=patient.date_of_birth,
                today=timezone.localdate(),
            ),
            "on_hold": LegalHold.objects.filter(patient=patient, lifted_at__isnull=True).exists(),
            "destroyed": DestructionRecord.objects.filter(patient=patient).first(),
        },
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def destructions(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        DestructionRecord.objects.select_related("patient", "destroyed_by"), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "custody/destructions.html", {"page": page})
