"""Patient documents on the web: the patient's Documents page and downloads, the staff list
of a patient's summaries (download and retry for physiotherapists, e-mail for the front
desk), and course summaries for referring physicians.

Documents are named in URLs by their random token, and every view also checks ownership
(a patient's own summaries only) or role. Every download writes an AccessLog row. The
front desk sees that a summary exists and its state, never its content.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic.access import access_log_record
from clinic.forms.common import form_add_errors
from clinic.inputs import parse_id, safe_next
from clinic.models import AccessLog, CarePlan, Patient
from clinic.permissions import Role, allow_roles, clinical_record, own_patient
from clinic.services import document_email_refusal, email_verification_pending
from treatments import selectors
from treatments.forms import CourseSummaryForm
from treatments.models import CourseSummary, DischargeSummary, TreatmentSession, VisitSummary
from treatments.services import summaries

POLL_SECONDS = 2


def _pdf_response(request: HttpRequest, document, patient: Patient, what: str) -> FileResponse:
    """Hand out a stored PDF: logged first, never cached, always as a download."""
    if not document.is_ready or not document.file.name:
        raise Http404("This document is not ready.")
    try:
        handle = default_storage.open(document.file.name, "rb")
    except FileNotFoundError:
        raise Http404("This document's file is missing.") from None
    access_log_record(request=request, patient=patient, what=what, action=AccessLog.Action.DOWNLOAD)
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- The patient portal ---------------------------------------------------------------------


@allow_roles(Role.PATIENT)
@require_GET
def portal_documents(request: HttpRequest) -> HttpResponse:
    patient = own_patient(request)
    rows = selectors.portal_documents(patient)
    discharges = list(DischargeSummary.objects.filter(patient=patient).select_related("care_plan"))
    return render(
        request,
        "treatments/portal_documents.html",
        {
            "patient": patient,
            "rows": rows,
            "discharges": discharges,
            "poll": any(row.newest.is_pending for row in rows)
            or any(d.is_pending for d in discharges),
            "poll_seconds": POLL_SECONDS * 3,
        },
    )


@allow_roles(Role.PATIENT)
@require_GET
@never_cache
def portal_document_download(request: HttpRequest, token: str) -> FileResponse:
    """The patient's own summary. Another patient's token, a wrong token and one that is
    not ready all give the same 404, so a token reveals nothing."""
    patient = own_patient(request)
    summary = get_object_or_404(
        VisitSummary.objects.select_related("session"), token=token, session__patient=patient
    )
    return _pdf_response(request, summary, patient, f"visit summary v{summary.version}")


@allow_roles(Role.PATIENT)
@require_GET
@never_cache
def portal_discharge_download(request: HttpRequest, token: str) -> FileResponse:
    """The patient's own discharge summary; any other token answers 404, as for visits."""
    patient = own_patient(request)
    summary = get_object_or_404(DischargeSummary, token=token, patient=patient)
    return _pdf_response(request, summary, patient, "discharge summary")


# --- Staff: a patient's documents ---------------------------------------------------------


def _is_physio(request: HttpRequest) -> bool:
    return Role.PHYSIO in request.user.roles


@allow_roles(Role.PHYSIO, Role.FRONT_DESK)
@clinical_record("patient_pk")
@require_GET
def patient_documents(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_pk)
    return _documents_page(request, patient)


def _documents_page(request, patient, course_form=None, status=200) -> HttpResponse:
    visits, courses = selectors.patient_documents(patient)
    is_physio = _is_physio(request)
    # "Write the course summary" after a discharge links here with ?plan=<id>: the form
    # starts from the plan's dates (a plan of another patient is ignored).
    plan = (
        CarePlan.objects.filter(
            pk=parse_id(request.GET.get("plan")),
            patient=patient,
            status=CarePlan.Status.DISCHARGED,
        ).first()
        if request.GET.get("plan")
        else None
    )
    if course_form is None and is_physio and plan is not None:
        course_form = CourseSummaryForm(
            initial={
                "date_from": plan.started_on,
                "date_to": plan.discharged_on,
                "recipient": patient.referring_physician,
            }
        )
    if course_form is None and is_physio:
        first = (
            TreatmentSession.objects.filter(patient=patient, status=TreatmentSession.Status.SIGNED)
            .order_by("session_date")
            .values_list("session_date", flat=True)
            .first()
        )
        course_form = CourseSummaryForm(
            initial={
                "date_from": first or timezone.localdate(),
                "date_to": timezone.localdate(),
                "recipient": patient.referring_physician,
            }
        )
    access_log_record(request=request, patient=patient, what="document list")
    discharges = list(DischargeSummary.objects.filter(patient=patient).select_related("care_plan"))
    return render(
        request,
        "treatments/patient_documents.html",
        {
            "patient": patient,
            "visits": visits,
            "courses": courses,
            "discharges": discharges,
            "is_physio": is_physio,
            "email_refusal": document_email_refusal(patient),
            "email_link": email_verification_pending(patient),
            "course_form": course_form,
            "poll": any(d.is_pending for d in [*visits, *courses, *discharges]),
            "poll_seconds": POLL_SECONDS,
        },
        status=status,
    )


@allow_roles(Role.PHYSIO)
@clinical_record("token", "treatments.VisitSummary", field="token", patient="session__patient")
@require_GET
@never_cache
def summary_download(request: HttpRequest, token: str) -> FileResponse:
    """Any version of a visit summary, for the clinical team."""
    summary = get_object_or_404(
        VisitSummary.objects.select_related("session__patient"), token=token
    )
    return _pdf_response(
        request, summary, summary.session.patient, f"visit summary v{summary.version}"
    )


@allow_roles(Role.PHYSIO)
@clinical_record("token", "treatments.DischargeSummary", field="token", patient="patient")
@require_GET
@never_cache
def discharge_summary_download(request: HttpRequest, token: str) -> FileResponse:
    """The patient's discharge summary, for the clinical team (to see what the patient got)."""
    summary = get_object_or_404(DischargeSummary.objects.select_related("patient"), token=token)
    return _pdf_response(request, summary, summary.patient, "discharge summary")


@allow_roles(Role.PHYSIO, Role.FRONT_DESK)
@clinical_record("pk", "treatments.VisitSummary", patient="session__patient")
@require_POST
def summary_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Render a failed summary again. Named by its id, not its token: the front desk's page
    posts here and must not carry a token that names a download."""
    summary = get_object_or_404(VisitSummary.objects.select_related("session"), pk=pk)
    try:
        summaries.document_retry(summary)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, f"Trying version {summary.version} again.")
    return redirect(safe_next(request, _documents_url(summary.session.patient_id)))


@allow_roles(Role.FRONT_DESK, Role.PHYSIO)
@clinical_record("pk", "treatments.VisitSummary", patient="session__patient")
@require_POST
def summary_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a ready summary to the address the patient confirmed (never merely the address
    on file: see summaries.visit_summary_email). Named by its id, not its download token."""
    summary = get_object_or_404(VisitSummary.objects.select_related("session__patient"), pk=pk)
    patient = summary.session.patient
    try:
        sent = summaries.visit_summary_email(summary=summary, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        access_log_record(
            request=request,
            patient=patient,
            what=f"visit summary v{summary.version} to {sent.emailed_to}",
            action=AccessLog.Action.EMAIL,
        )
        messages.success(request, f"The summary is on its way to {sent.emailed_to}.")
    return redirect(_documents_url(patient.pk))


def _documents_url(patient_pk: int) -> str:
    return reverse("treatments:patient_documents", args=[patient_pk])


# --- Course summaries -----------------------------------------------------------------------


@allow_roles(Role.PHYSIO)
@clinical_record("patient_pk")
@require_POST
def course_summary_new(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_pk)
    form = CourseSummaryForm(request.POST)
    if form.is_valid():
        try:
            summary = summaries.course_summary_request(
                patient=patient, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return redirect("treatments:course_summary", token=summary.token)
    return _documents_page(request, patient, course_form=form, status=422)


def _course(token: str) -> CourseSummary:
    return get_object_or_404(
        CourseSummary.objects.select_related("patient", "requested_by"), token=token
    )


@allow_roles(Role.PHYSIO)
@clinical_record("token", "treatments.CourseSummary", field="token", patient="patient")
@require_GET
def course_summary(request: HttpRequest, token: str) -> HttpResponse:
    """The course summary's page: its progress while it renders (htmx polls the status
    card) and the download once ready."""
    summary = _course(token)
    context = {"summary": summary, "patient": summary.patient, "poll_seconds": POLL_SECONDS}
    if request.htmx:
        return render(request, "treatments/_course_status.html", context)
    return render(request, "treatments/course_summary.html", context)


@allow_roles(Role.PHYSIO)
@clinical_record("token", "treatments.CourseSummary", field="token", patient="patient")
@require_GET
@never_cache
def course_summary_download(request: HttpRequest, token: str) -> FileResponse:
    summary = _course(token)
    return _pdf_response(request, summary, summary.patient, "course summary")


@allow_roles(Role.PHYSIO)
@clinical_record("token", "treatments.CourseSummary", field="token", patient="patient")
@require_POST
def course_summary_retry(request: HttpRequest, token: str) -> HttpResponse:
    summary = _course(token)
    try:
        summaries.document_retry(summary)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    return redirect("treatments:course_summary", token=summary.token)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_GET
def session_summaries(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit summary card under a signed note (htmx polls it while one is pending)."""
    session = get_object_or_404(TreatmentSession, pk=pk)
    versions = selectors.session_summaries(session)
    return render(
        request,
        "treatments/_session_summaries.html",
        {"session": session, "versions": versions, "poll_seconds": POLL_SECONDS},
    )
