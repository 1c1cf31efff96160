"""Front desk and physiotherapists: patient list and search, registration, the record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST

from clinic import fragments, selectors, services
from clinic.forms.patients import CareTeamForm, PatientForm, PatientSearchForm
from clinic.forms.records import CorrectionRequestForm, SettleForm
from clinic.inputs import safe_next
from clinic.models import Patient, Practitioner
from clinic.origin import Origin
from clinic.permissions import Role, allow_roles

PAGE_SIZE = 25
_PK = 987654321  # a stand-in primary key, to reverse a URL once for every row


def result_rows(patients: list[Patient]) -> SafeString:
    """The rows of the patient list (templates/clinic/patients/_results.html):
    clinic/jinja2/clinic/patients/result_rows.html (Jinja2, see clinic.fragments: a Django
    template per row would cost more than the search itself)."""
    detail = reverse("clinic:patient_detail", args=[_PK]).split(str(_PK), 1)
    return fragments.render(
        "clinic/patients/result_rows.html", {"patients": patients, "detail": detail}
    )


@allow_roles(Role.FRONT_DESK, Role.PHYSIO)
@require_http_methods(["GET"])
def patient_list(request: HttpRequest) -> HttpResponse:
    """All patients, or those matching the search, with intake and consent status."""
    form = PatientSearchForm(request.GET or None)
    query, dob = "", None
    invalid = form.is_bound and not form.is_valid()
    if invalid:
        # A search that cannot be read lists nobody (not everyone); the errors are shown
        # next to the search field, on the page and in the htmx results alike.
        page = Paginator(Patient.objects.none(), PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        if form.is_bound:
            query, dob = form.cleaned_data["q"], form.cleaned_data["dob"]
        page = selectors.patient_search_page(
            query=query, date_of_birth=dob, number=request.GET.get("page"), per_page=PAGE_SIZE
        )
    context = {
        "form": form,
        "page": page,
        "result_rows": result_rows(page.object_list),
        "query": query,
        "searching": bool(query or dob),
        "search_invalid": invalid,
    }
    template = "clinic/patients/_results.html" if request.htmx else "clinic/patients/list.html"
    return render(request, template, context)


@allow_roles(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    """Register a patient, warning about possible duplicates before creating one."""
    duplicates = []
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.patient_fields()
        duplicates = list(
            services.patient_possible_duplicates(
                legal_first_name=fields["legal_first_name"],
                legal_last_name=fields["legal_last_name"],
                date_of_birth=fields["date_of_birth"],
                email=fields["email"],
                phone=fields["phone"],
            )
        )
        # "Register as a different person" in the warning sends confirm_not_duplicate.
        if not duplicates or request.POST.get("confirm_not_duplicate"):
            try:
                patient = services.patient_create(by=request.user, **fields)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{patient.display_name} is registered.")
                return redirect("clinic:patient_detail", patient.pk)
    return render(request, "clinic/patients/form.html", {"form": form, "duplicates": duplicates})


@allow_roles(Role.FRONT_DESK, Role.PHYSIO)
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(patient=patient, by=request.user, **form.patient_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("clinic:patient_detail", patient.pk)
    # Unsaved edits must not leak into the page header.
    patient.refresh_from_db()
    return render(request, "clinic/patients/form.html", {"form": form, "patient": patient})


@allow_roles(Role.FRONT_DESK, Role.PHYSIO)
@require_http_methods(["GET"])
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The administrative record. Shows whether intake and consent are done, never the
    clinical answers: those are on the physiotherapist's intake page."""
    patient = get_object_or_404(Patient.objects.select_related("user"), pk=pk)
    latest = selectors.intake_latest(patient)
    upcoming, past = selectors.patient_appointments(patient, past_limit=5)
    context = {
        "patient": patient,
        "intake_state": latest.status if latest else None,
        "consent_status": selectors.consent_status(patient),
        "invitation": patient.invitations.first(),
        "email_link": services.email_verification_pending(patient),
        "is_physio": request.user.has_role(Role.PHYSIO),
        "upcoming": upcoming,
        "past": past,
        "ims": selectors.patient_ims_summary(patient),
        "attendance": selectors.patient_attendance(patient),
        "corrections": list(patient.correction_requests.select_related("requested_by")),
        "correction_form": CorrectionRequestForm(),
        "settle_form": SettleForm(),
        "care_team": selectors.care_team_for(patient),
        "care_plans": list(selectors.care_plans_for(patient)),
        "can_assign_care_team": request.user.has_role(Role.FRONT_DESK, Role.CLINIC_ADMIN),
        "care_team_form": CareTeamForm(),
    }
    return render(request, "clinic/patients/detail.html", context)


def _care_team_url(patient: Patient) -> str:
    return reverse("clinic:patient_detail", args=[patient.pk]) + "#care-team"


@allow_roles(Role.FRONT_DESK, Role.CLINIC_ADMIN)
@require_POST
def care_team_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign a practitioner to the patient's care team (audited)."""
    patient = get_object_or_404(Patient, pk=pk)
    form = CareTeamForm(request.POST)
    if form.is_valid():
        practitioner = form.cleaned_data["practitioner"]
        _member, created = services.care_team_add(
            patient=patient, practitioner=practitioner, by=request.user, origin=Origin.of(request)
        )
        if created:
            messages.success(request, f"{practitioner} is now on the care team.")
        else:
            messages.info(request, f"{practitioner} was already on the care team.")
    else:
        messages.error(request, form.errors["practitioner"][0])
    return redirect(safe_next(request, _care_team_url(patient)))


@allow_roles(Role.FRONT_DESK, Role.CLINIC_ADMIN)
@require_POST
def care_team_remove(request: HttpRequest, pk: int, practitioner_pk: int) -> HttpResponse:
    """Take a practitioner off the patient's care team (audited; their signed records stay,
    and they need break-the-glass to open the record again)."""
    patient = get_object_or_404(Patient, pk=pk)
    practitioner = get_object_or_404(Practitioner, pk=practitioner_pk)
    if services.care_team_remove(
        patient=patient, practitioner=practitioner, by=request.user, origin=Origin.of(request)
    ):
        messages.success(request, f"{practitioner} is no longer on the care team.")
    else:
        messages.info(request, f"{practitioner} was not on the care team.")
    return redirect(safe_next(request, _care_team_url(patient)))


@allow_roles(Role.FRONT_DESK)
@require_POST
def patient_invite(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    try:
        invitation = services.portal_invitation_create(patient=patient, by=request.user)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Invitation e-mailed to {invitation.email}. The link works once and expires on "
            f"{date_format(timezone.localtime(invitation.expires_at), 'j M Y')}.",
        )
    return redirect("clinic:patient_detail", patient.pk)
