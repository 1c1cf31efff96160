"""Plans of care (physiotherapists write them; the front desk reads what booking needs).

A plan is written from the patient page or from an assessment, edited, put on hold and
resumed, and discharged with a reason, each through clinic.services.care_plans; a refusal
comes back as errors next to the fields and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import selectors, services
from clinic.access import access_log_record
from clinic.forms.care import CarePlanDischargeForm, CarePlanForm
from clinic.forms.common import form_add_errors
from clinic.inputs import parse_id
from clinic.models import CarePlan, Patient
from clinic.permissions import Role, allow_roles, clinical_record
from clinic.signing import author_practitioner

PLAN_RECORD = ("pk", "clinic.CarePlan")


def _plan(pk: int) -> CarePlan:
    return get_object_or_404(
        CarePlan.objects.select_related("patient", "practitioner", "created_by"), pk=pk
    )


def _fields(form: CarePlanForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@allow_roles(Role.PHYSIO)
@clinical_record("pk")
@require_http_methods(["GET", "POST"])
def care_plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a plan of care for the patient (from the patient page, or from an assessment,
    whose page links here with ?assessment=<id> so "Back" returns to it)."""
    patient = get_object_or_404(Patient, pk=pk)
    practitioner = author_practitioner(request.user)
    assessment_id = parse_id(request.GET.get("assessment"))
    form = CarePlanForm(request.POST or None, initial={"practitioner": practitioner.pk})
    if request.method == "POST" and form.is_valid():
        data = _fields(form)
        try:
            plan = services.care_plan_create(patient=patient, by=request.user, **data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, f"Care plan written: {plan.condition}.")
            return redirect("clinic:care_plan_detail", plan.pk)
    access_log_record(request=request, patient=patient, what="care plan form")
    return render(
        request,
        "clinic/care/plan_form.html",
        {
            "form": form,
            "patient": patient,
            "plan": None,
            "assessment_id": assessment_id,
            "active": selectors.care_plan_active(patient),
        },
    )


@allow_roles(Role.PHYSIO, Role.FRONT_DESK)
@clinical_record(*PLAN_RECORD, patient="patient")
@require_GET
def care_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan. The front desk reads what booking needs (condition, region, sessions,
    frequency, status, the visits), not the goals, scores or clinical reasons."""
    plan = _plan(pk)
    is_physio = request.user.has_role(Role.PHYSIO)
    access_log_record(request=request, patient=plan.patient, what="care plan")
    visits = list(plan.appointments.select_related("practitioner", "type").order_by("start"))
    return render(
        request,
        "clinic/care/plan_detail.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "is_physio": is_physio,
            "visits": visits,
            "discharge_form": CarePlanDischargeForm() if is_physio else None,
        },
    )


@allow_roles(Role.PHYSIO)
@clinical_record(*PLAN_RECORD, patient="patient")
@require_http_methods(["GET", "POST"])
def care_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    if plan.status == CarePlan.Status.DISCHARGED:
        messages.info(request, "A discharged plan is closed; write a new plan instead.")
        return redirect("clinic:care_plan_detail", plan.pk)
    form = CarePlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_plan_update(plan=plan, by=request.user, **_fields(form))
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, "Care plan saved.")
            return redirect("clinic:care_plan_detail", plan.pk)
    access_log_record(request=request, patient=plan.patient, what="care plan form")
    return render(
        request,
        "clinic/care/plan_form.html",
        {"form": form, "patient": plan.patient, "plan": plan, "assessment_id": None},
    )


@allow_roles(Role.PHYSIO)
@clinical_record(*PLAN_RECORD, patient="patient")
@require_POST
def care_plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the plan on hold (?action=hold) or resume it (action=resume)."""
    plan = _plan(pk)
    action = request.POST.get("action")
    change = {"hold": services.care_plan_hold, "resume": services.care_plan_resume}.get(action)
    if change is None:
        messages.error(request, "Choose to put the plan on hold or to resume it.")
        return redirect("clinic:care_plan_detail", plan.pk)
    try:
        changed = change(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Care plan {changed.get_status_display().lower()}.")
    return redirect("clinic:care_plan_detail", plan.pk)


@allow_roles(Role.PHYSIO)
@clinical_record(*PLAN_RECORD, patient="patient")
@require_http_methods(["GET", "POST"])
def care_plan_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    """Discharge with a reason (goals met, plateau, patient choice, referred on, other with
    a note) and the day."""
    plan = _plan(pk)
    if plan.status == CarePlan.Status.DISCHARGED:
        messages.info(request, "This plan is already discharged.")
        return redirect("clinic:care_plan_detail", plan.pk)
    booked = selectors.care_plan_booked_ahead(plan)
    form = CarePlanDischargeForm(request.POST or None, booked=booked)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.care_plan_discharge(
                plan=plan,
                by=request.user,
                reason=data["reason"],
                note=data["note"],
                on=data["on"],
                cancel_booked=bool(data.get("cancel_booked")),
            )
        except ValidationError as error:
            # The model's field names, on this form's fields.
            if hasattr(error, "error_dict"):
                renamed = {"discharge_reason": "reason", "discharge_note": "note"}
                error = ValidationError(
                    {
                        renamed.get(k, "on" if k == "discharged_on" else k): v
                        for k, v in error.error_dict.items()
                    }
                )
            form_add_errors(form, error)
        else:
            cancelled = len(booked) if data.get("cancel_booked") else 0
            also = (
                f" {cancelled} booked visit{pluralize(cancelled)} cancelled." if cancelled else ""
            )
            messages.success(request, f"Discharged. The plan is closed.{also}")
            return redirect("clinic:care_plan_detail", plan.pk)
    access_log_record(request=request, patient=plan.patient, what="care plan")
    return render(
        request,
        "clinic/care/plan_discharge.html",
        {"form": form, "plan": plan, "patient": plan.patient},
    )
