"""Assessment pages: physiotherapists only. Every page that shows an assessment writes an
AccessLog row; the htmx endpoints behind the entry page return fragments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from assessments import selectors, services
from assessments.forms import FINDING_FORMS, AddendumForm, AssessmentHeaderForm
from assessments.models import Assessment, Segment
from clinic.access import access_log_record
from clinic.autosave import save_valid_fields, status_context
from clinic.forms.common import form_add_errors
from clinic.inputs import parse_id
from clinic.models import Appointment, Patient
from clinic.permissions import Role, allow_roles, clinical_record
from clinic.reference_cache import ReferenceData
from clinic.signing import author_practitioner

FINDINGS_CHANGED = "findings-changed"
ROW_TEMPLATES = {
    "sign": "assessments/_sign_row.html",
    "band": "assessments/_band_row.html",
    "range": "assessments/_range_row.html",
}
ENTRY_TEMPLATE = "assessments/_entry_form.html"
# What a fresh entry line keeps from the row just added (the next finding is usually at
# the same level, side or joint).
KEPT_FOR_NEXT_ROW = {
    "sign": ("segment", "region", "side"),
    "band": ("muscle_segment", "side"),
    "range": ("joint", "side"),
}
KEPT_LABELS = {
    "sign": "Segment, region and side",
    "band": "Segment and side",
    "range": "Joint and side",
}


def _locked_response(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    messages.info(request, services.AssessmentLocked.message)
    url = reverse("assessments:detail", args=[assessment.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- Lists and starting -------------------------------------------------------------------


@allow_roles(Role.PHYSIO)
@clinical_record("patient_pk")
@require_GET
def patient_assessments(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The patient's assessments; as a full page or (htmx) a panel on another page."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    assessments = list(selectors.patient_assessments(patient))
    access_log_record(request=request, patient=patient, what="assessment list")
    template = (
        "assessments/_patient_panel.html" if request.htmx else "assessments/patient_list.html"
    )
    return render(request, template, {"patient": patient, "assessments": assessments})


@allow_roles(Role.PHYSIO)
@clinical_record("patient_pk")
@require_POST
def assessment_start(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_pk)
    practitioner = author_practitioner(request.user)
    appointment = None
    if raw := request.POST.get("appointment"):
        # An id that is not a number names no appointment: 404, as for an unknown one.
        appointment_id = parse_id(raw)
        if appointment_id is None:
            raise Http404("No such appointment.")
        appointment = get_object_or_404(Appointment, pk=appointment_id, patient=patient)
    assessment = services.assessment_start(
        patient=patient, practitioner=practitioner, appointment=appointment
    )
    return redirect("assessments:edit", pk=assessment.pk)


# --- Reading --------------------------------------------------------------------------------


def _detail_response(
    request: HttpRequest, pk: int, addendum_form: AddendumForm | None = None
) -> HttpResponse:
    # Segments, muscles, signs and tests from the per-process reference memo, its version
    # read with the assessment (clinic/reference_cache.py).
    try:
        record = selectors.assessment_record(pk, ReferenceData())
    except Assessment.DoesNotExist:
        raise Http404 from None
    assessment = record.assessment
    access_log_record(request=request, patient=assessment.patient, what="assessment")
    action = services.AssessmentSigning(assessment)
    can_edit = action.can_edit(request.user)
    context = {
        "assessment": assessment,
        "record": record,
        "patient": assessment.patient,
        "summary": record.summary,
        "addendum_form": (addendum_form or AddendumForm()) if assessment.is_signed else None,
        "can_edit": can_edit,
        "sign_problems": (
            action.check(request.user, has_findings=record.has_findings) if can_edit else []
        ),
    }
    return render(request, "assessments/detail.html", context, status=400 if addendum_form else 200)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The read-only assessment: signed or draft, with its segmental summary and addenda."""
    return _detail_response(request, pk)


# --- Entry ----------------------------------------------------------------------------------


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_GET
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry page at the treatment table: header, body chart, finding rows (added,
    edited and removed in place) and the live segmental summary."""
    reference = ReferenceData()
    try:
        assessment = selectors.assessment_detail(pk, reference)
    except Assessment.DoesNotExist:
        raise Http404 from None
    if assessment.is_signed:
        return redirect("assessments:detail", pk=pk)
    if not services.AssessmentSigning(assessment).is_author(request.user):
        messages.info(request, services.NotTheAuthor.message)
        return redirect("assessments:detail", pk=pk)
    access_log_record(request=request, patient=assessment.patient, what="assessment")
    context = {
        "assessment": assessment,
        "patient": assessment.patient,
        "header_form": AssessmentHeaderForm(instance=assessment),
        "entries": {kind: _entry_context(assessment, kind) for kind in FINDING_FORMS},
        "summary": selectors.segmental_summary(assessment, reference),
        "sign_problems": services.AssessmentSigning(assessment).check(request.user),
    }
    return render(request, "assessments/edit.html", context)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_POST
def assessment_header_save(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """Autosave part of the header ("text" fields or the "chart"): every valid field is
    stored, each invalid one keeps its last saved value and is marked next to itself."""
    if part not in ("text", "chart"):
        raise Http404
    assessment = services.AssessmentSigning.of_author(pk, request.user).note
    if assessment.is_signed:
        return _locked_response(request, assessment)
    form = AssessmentHeaderForm(request.POST, instance=assessment)
    names = (
        ["body_marks"]
        if part == "chart"
        else [name for name in AssessmentHeaderForm.Meta.fields if name != "body_marks"]
    )
    for name in list(form.fields):
        if name not in names:
            del form.fields[name]
    form.is_valid()
    try:
        saved = save_valid_fields(
            lambda **fields: services.assessment_update(
                assessment=assessment, by=request.user, **fields
            ),
            form,
            names,
        )
    except services.AssessmentLocked:
        return _locked_response(request, assessment)
    return render(request, "assessments/_header_status.html", status_context(form, names, saved))


def _entry_context(assessment: Assessment, kind: str, form=None, finding=None) -> dict:
    form_class = FINDING_FORMS[kind]
    if form is None:
        form = form_class(
            instance=finding,
            prefix=_prefix(kind, finding),
            segment=getattr(finding, "segment", None),
            refresh_url=_refresh_url(assessment, kind),
        )
    return {
        "assessment": assessment,
        "kind": kind,
        "form": form,
        "finding": finding,
        "prefix": _prefix(kind, finding),
    }


def _refresh_url(assessment: Assessment, kind: str) -> str:
    return reverse("assessments:finding_refresh", args=[assessment.pk, kind])


def _prefix(kind: str, finding=None) -> str:
    return f"{kind}-{finding.pk}" if finding is not None else f"{kind}-new"


def _segment_from(data, prefix: str) -> Segment | None:
    """The segment chosen in a row (or its 'filter muscles by segment' picker)."""
    raw = data.get(f"{prefix}-segment") or data.get(f"{prefix}-muscle_segment")
    segment_id = parse_id(raw)
    return None if segment_id is None else Segment.objects.filter(pk=segment_id).first()


def _finding_or_404(assessment: Assessment, kind: str, finding_pk: int):
    model = services.FINDING_MODELS[kind]
    return get_object_or_404(model, pk=finding_pk, assessment=assessment)


def _kind_or_404(kind: str) -> str:
    if kind not in FINDING_FORMS:
        raise Http404
    return kind


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_POST
def finding_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add a finding row. Valid: the row is appended to its list (out of band) and a
    fresh entry form comes back, keeping the segment, region and side for the next row.
    Invalid: the entry form comes back with errors next to its fields; nothing saved."""
    kind = _kind_or_404(kind)
    assessment = services.AssessmentSigning.of_author(pk, request.user).note
    if assessment.is_signed:
        return _locked_response(request, assessment)
    prefix = _prefix(kind)
    segment = _segment_from(request.POST, prefix)
    refresh_url = _refresh_url(assessment, kind)
    form = FINDING_FORMS[kind](
        request.POST, prefix=prefix, segment=segment, refresh_url=refresh_url
    )
    if form.is_valid():
        try:
            finding = services.finding_save(
                assessment=assessment, by=request.user, finding=form.save(commit=False)
            )
        except services.AssessmentLocked:
            return _locked_response(request, assessment)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            keep = {
                f"{prefix}-{name}": request.POST.get(f"{prefix}-{name}", "")
                for name in KEPT_FOR_NEXT_ROW[kind]
            }
            fresh = FINDING_FORMS[kind](
                initial=_unprefixed(keep, prefix),
                prefix=prefix,
                segment=segment,
                refresh_url=refresh_url,
            )
            context = _entry_context(assessment, kind, form=fresh)
            context.update(added=finding, row_template=ROW_TEMPLATES[kind], kept=KEPT_LABELS[kind])
            response = render(request, ENTRY_TEMPLATE, context)
            return trigger_client_event(response, FINDINGS_CHANGED)
    return render(request, ENTRY_TEMPLATE, _entry_context(assessment, kind, form=form))


def _unprefixed(data: dict, prefix: str) -> dict:
    return {key.removeprefix(f"{prefix}-"): value for key, value in data.items() if value}


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_POST
def finding_refresh(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Re-render the pickers that depend on other fields of a row, without saving: the
    muscle list for the chosen segment, the tests of the chosen sign."""
    kind = _kind_or_404(kind)
    assessment = services.AssessmentSigning.of_author(pk, request.user).note
    if assessment.is_signed:
        return _locked_response(request, assessment)
    prefix = request.POST.get("prefix", _prefix(kind))
    if not prefix.startswith(f"{kind}-"):
        raise Http404
    segment = _segment_from(request.POST, prefix)
    data = _unprefixed(
        {k: v for k, v in request.POST.items() if k.startswith(f"{prefix}-")}, prefix
    )
    form = FINDING_FORMS[kind](
        initial=data, prefix=prefix, segment=segment, refresh_url=_refresh_url(assessment, kind)
    )
    context = {"form": form, "kind": kind, "prefix": prefix, "assessment": assessment}
    return render(request, "assessments/_entry_refresh.html", context)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
def finding_edit(request: HttpRequest, pk: int, kind: str, finding_pk: int) -> HttpResponse:
    """GET: the row as a form, in place. POST: save it and return the read-only row."""
    kind = _kind_or_404(kind)
    assessment = services.AssessmentSigning.of_author(pk, request.user).note
    if assessment.is_signed:
        return _locked_response(request, assessment)
    finding = _finding_or_404(assessment, kind, finding_pk)
    prefix = _prefix(kind, finding)
    if request.method == "POST":
        segment = _segment_from(request.POST, prefix)
        form = FINDING_FORMS[kind](
            request.POST,
            instance=finding,
            prefix=prefix,
            segment=segment,
            refresh_url=_refresh_url(assessment, kind),
        )
        if form.is_valid():
            try:
                finding = services.finding_save(
                    assessment=assessment, by=request.user, finding=form.save(commit=False)
                )
            except services.AssessmentLocked:
                return _locked_response(request, assessment)
            except ValidationError as error:
                form_add_errors(form, error)
            else:
                response = render(
                    request,
                    ROW_TEMPLATES[kind],
                    {"finding": finding, "assessment": assessment, "editable": True},
                )
                return trigger_client_event(response, FINDINGS_CHANGED)
    else:
        form = FINDING_FORMS[kind](
            instance=finding,
            prefix=prefix,
            segment=getattr(finding, "segment", None),
            refresh_url=_refresh_url(assessment, kind),
        )
    return render(
        request, ENTRY_TEMPLATE, _entry_context(assessment, kind, form=form, finding=finding)
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_GET
def finding_row(request: HttpRequest, pk: int, kind: str, finding_pk: int) -> HttpResponse:
    """The read-only row (to cancel an edit)."""
    kind = _kind_or_404(kind)
    assessment = services.AssessmentSigning.of_author(pk, request.user).note
    finding = _finding_or_404(assessment, kind, finding_pk)
    return render(
        request,
        ROW_TEMPLATES[kind],
        {"finding": finding, "assessment": assessment, "editable": not assessment.is_signed},
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_POST
def finding_remove(request: HttpRequest, pk: int, kind: str, finding_pk: int) -> HttpResponse:
    kind = _kind_or_404(kind)
    assessment = services.AssessmentSigning.of_author(pk, request.user).note
    if assessment.is_signed:
        return _locked_response(request, assessment)
    try:
        services.finding_remove(assessment=assessment, by=request.user, kind=kind, pk=finding_pk)
    except services.AssessmentLocked:
        return _locked_response(request, assessment)
    return trigger_client_event(HttpResponse(""), FINDINGS_CHANGED)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_GET
def segmental_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary card, refreshed on the entry page whenever findings change."""
    services.AssessmentSigning.of_author(pk, request.user)
    reference = ReferenceData()
    assessment = selectors.assessment_detail(pk, reference)
    return render(
        request,
        "assessments/_summary_card.html",
        {
            "assessment": assessment,
            "summary": selectors.segmental_summary(assessment, reference),
            "sign_problems": services.AssessmentSigning(assessment).check(request.user),
            "live": True,
        },
    )


# --- Signing and addenda --------------------------------------------------------------


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_POST
def assessment_sign(request: HttpRequest, pk: int) -> HttpResponse:
    action = services.AssessmentSigning.of_author(pk, request.user)
    assessment = action.note
    if assessment.is_signed:
        return _locked_response(request, assessment)
    try:
        action.execute(request.user)  # checks again under the row lock
    except services.AssessmentLocked:
        return _locked_response(request, assessment)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("assessments:edit", pk=pk)
    messages.success(request, "Assessment signed and locked.")
    return redirect("assessments:detail", pk=pk)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "assessments.Assessment", patient="patient")
@require_POST
def addendum_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an addendum to a signed assessment; a blank one is shown again with its error."""
    assessment = get_object_or_404(Assessment, pk=pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_addendum_add(
                assessment=assessment, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, "Addendum added.")
            return redirect(f"{reverse('assessments:detail', args=[pk])}#addenda")
    return _detail_response(request, pk, addendum_form=form)
