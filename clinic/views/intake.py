"""Intake, screening and consent: filled in by the patient in the portal or by a
physiotherapist with the patient in clinic; read by physiotherapists only.

The step views serve both audiences. Which patient is being edited comes from the signed-in
patient's own account in the portal, never from the URL, so a patient cannot reach another
patient's intake by changing an id.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clinic import outcomes, selectors, services
from clinic.access import access_log_record
from clinic.forms.consent import ConsentForm
from clinic.forms.intake import INTAKE_STEP_FORMS, ClearanceForm, OutstandingScreeningForm
from clinic.models import AccessLog, Consent, Intake, Patient, ScreeningItem
from clinic.origin import Origin
from clinic.permissions import Role, allow_roles, clinical_record
from clinic.services.intake import STEP_BY_SLUG, STEPS, intake_missing


@dataclass(frozen=True)
class IntakeContext:
    """Who fills the intake in, and where its pages live."""

    patient: Patient
    channel: str
    in_portal: bool

    def step_url(self, slug: str) -> str:
        if self.in_portal:
            return reverse("clinic:portal_intake_step", args=[slug])
        return reverse("clinic:intake_step", args=[self.patient.pk, slug])

    def review_url(self) -> str:
        if self.in_portal:
            return reverse("clinic:portal_intake_review")
        return reverse("clinic:intake_review", args=[self.patient.pk])

    def done_url(self) -> str:
        if self.in_portal:
            return reverse("clinic:portal_home")
        return reverse("clinic:intake_detail", args=[self.patient.pk])


def _portal_patient(request: HttpRequest) -> Patient:
    patient = getattr(request.user, "patient", None)
    if patient is None:
        raise Http404("No patient record is linked to this account.")
    return patient


def _steps_nav(ctx: IntakeContext, intake: Intake, current: str) -> list[dict]:
    missing = intake_missing(intake)
    return [
        {
            "slug": step.slug,
            "title": step.title,
            "url": ctx.step_url(step.slug),
            "done": not missing[step.slug],
            "current": step.slug == current,
            "number": number,
        }
        for number, step in enumerate(STEPS, start=1)
    ]


def _intake_step(request: HttpRequest, ctx: IntakeContext, slug: str) -> HttpResponse:
    if slug not in STEP_BY_SLUG:
        raise Http404("No such step.")
    intake = services.intake_start(patient=ctx.patient, by=request.user, channel=ctx.channel)
    form_class = INTAKE_STEP_FORMS[slug]
    complete = request.POST.get("action") == "continue"
    kwargs = {"instance": intake, "complete": complete}
    if slug == "function" and request.method == "GET" and "region" in request.GET:
        kwargs["region"] = request.GET["region"]
    form = form_class(request.POST or None, **kwargs)

    if request.method == "GET" and request.htmx and slug == "function":
        # The region select swapped: send back just the questionnaire for the new region.
        return render(request, "clinic/intake/_region_questions.html", {"form": form})

    if request.method == "POST":
        if request.POST.get("action") == "region":
            # Without JavaScript, changing region reloads the page with its questions.
            return render(
                request, "clinic/intake/step.html", _step_context(ctx, intake, slug, form)
            )
        if form.is_valid():
            try:
                services.intake_save_step(
                    intake=intake, step=slug, data=form.step_data(), by=request.user
                )
            except services.IntakeError as error:
                messages.error(request, str(error))
                return redirect(ctx.done_url())
            if complete:
                following = [s.slug for s in STEPS]
                index = following.index(slug)
                if index + 1 < len(following):
                    return redirect(ctx.step_url(following[index + 1]))
                return redirect(ctx.review_url())
            messages.success(request, "Saved. You can come back and finish any time.")
            return redirect(ctx.done_url())
    return render(request, "clinic/intake/step.html", _step_context(ctx, intake, slug, form))


def _step_context(ctx: IntakeContext, intake: Intake, slug: str, form) -> dict:
    step = STEP_BY_SLUG[slug]
    # A bound ModelForm copies even invalid answers onto its instance; the step bar must
    # show what is saved.
    intake = Intake.objects.get(pk=intake.pk)
    if slug == "function" and "region" in form.fields:
        form.fields["region"].widget.attrs.update(
            {
                "hx-get": ctx.step_url("function"),
                "hx-target": "#region-questions",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        )
    return {
        "ctx": ctx,
        "patient": ctx.patient,
        "intake": intake,
        "step": step,
        "steps": _steps_nav(ctx, intake, slug),
        "form": form,
        "psfs_instructions": outcomes.PSFS_INSTRUCTIONS,
        "locked": intake.is_submitted,
    }


def _intake_review(request: HttpRequest, ctx: IntakeContext) -> HttpResponse:
    intake = services.intake_start(patient=ctx.patient, by=request.user, channel=ctx.channel)
    if request.method == "POST":
        try:
            services.intake_submit(intake=intake, by=request.user)
        except services.IntakeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Thank you, your intake is complete.")
            return redirect(ctx.done_url())
    missing = intake_missing(intake)
    return render(
        request,
        "clinic/intake/review.html",
        {
            "ctx": ctx,
            "patient": ctx.patient,
            "intake": intake,
            "steps": _steps_nav(ctx, intake, "review"),
            "missing": [(STEP_BY_SLUG[s], labels) for s, labels in missing.items() if labels],
            "answers": selectors.intake_answers(intake),
        },
    )


# --- Patient portal ----------------------------------------------------------------------


@allow_roles(Role.PATIENT)
@require_http_methods(["GET"])
def portal_intake(request: HttpRequest) -> HttpResponse:
    """Resume where the patient left off: the first step with something missing."""
    patient = _portal_patient(request)
    latest = selectors.intake_latest(patient)
    if latest and latest.is_submitted:
        messages.info(request, "Your intake is complete. Thank you!")
        return redirect("clinic:portal_home")
    intake = services.intake_start(patient=patient, by=request.user, channel=Intake.Channel.PORTAL)
    missing = intake_missing(intake)
    ctx = IntakeContext(patient, Intake.Channel.PORTAL, in_portal=True)
    for step in STEPS:
        if missing[step.slug]:
            return redirect(ctx.step_url(step.slug))
    return redirect(ctx.review_url())


@allow_roles(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_intake_step(request: HttpRequest, step: str) -> HttpResponse:
    ctx = IntakeContext(_portal_patient(request), Intake.Channel.PORTAL, in_portal=True)
    return _intake_step(request, ctx, step)


@allow_roles(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_intake_review(request: HttpRequest) -> HttpResponse:
    ctx = IntakeContext(_portal_patient(request), Intake.Channel.PORTAL, in_portal=True)
    return _intake_review(request, ctx)


@allow_roles(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_consent(request: HttpRequest) -> HttpResponse:
    return _consent(request, _portal_patient(request), Consent.Channel.PORTAL)


# --- Physiotherapist --------------------------------------------------------------------


@allow_roles(Role.PHYSIO)
@clinical_record("pk")
@require_http_methods(["GET", "POST"])
def intake_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    access_log_record(request=request, patient=patient, what=f"intake ({step})")
    ctx = IntakeContext(patient, Intake.Channel.CLINIC, in_portal=False)
    return _intake_step(request, ctx, step)


@allow_roles(Role.PHYSIO)
@clinical_record("pk")
@require_http_methods(["GET", "POST"])
def intake_review(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    access_log_record(request=request, patient=patient, what="intake review")
    return _intake_review(request, IntakeContext(patient, Intake.Channel.CLINIC, in_portal=False))


@allow_roles(Role.PHYSIO)
@clinical_record("pk")
@require_http_methods(["GET"])
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The physiotherapist's view of intake answers, screening, consent and scores."""
    patient = get_object_or_404(Patient, pk=pk)
    intake = selectors.intake_latest(patient)
    screening = selectors.screening_for(patient)
    consent = selectors.consent_current(patient)
    access_log_record(request=request, patient=patient, what="intake and screening")
    instrument = outcomes.REGION_INSTRUMENT.get(intake.region) if intake else None
    context = {
        "patient": patient,
        "intake": intake,
        "screening": screening,
        # Built from what this page already read, rather than reading it all again.
        "readiness": selectors.NeedlingReadiness(
            consent_ok=consent is not None, screening=screening
        ),
        "consent": consent,
        "consent_status": selectors.consent_status(patient),
        "consent_history": selectors.consent_history(patient),
        "scores": selectors.outcome_history(patient),
        "instrument": instrument,
        "region_rows": _region_rows(intake, instrument),
        "clearance_form": ClearanceForm(),
        "outstanding_form": OutstandingScreeningForm(items=screening.unanswered),
    }
    return render(request, "clinic/intake/detail.html", context)


def _region_rows(intake: Intake | None, instrument) -> list[tuple[str, str]]:
    if not intake or not instrument:
        return []
    answers = intake.region_answers or {}
    rows = []
    for item in instrument.items:
        value = answers.get(item.key)
        label = next((o.label for o in item.options if o.value == value), "—")
        rows.append((item.label, f"{value} · {label}" if value is not None else "—"))
    return rows


@allow_roles(Role.PHYSIO)
@clinical_record("pk")
@require_POST
def screening_clear(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    item = get_object_or_404(ScreeningItem, pk=item_pk)
    form = ClearanceForm(request.POST)
    if form.is_valid():
        try:
            services.screening_clear(
                patient=patient, item=item, reason=form.cleaned_data["reason"], by=request.user
            )
        except services.IntakeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Cleared: {item.label}.")
    else:
        messages.error(request, form.errors["reason"][0])
    return redirect(reverse("clinic:intake_detail", args=[patient.pk]) + "#screening")


@allow_roles(Role.PHYSIO)
@clinical_record("pk")
@require_POST
def screening_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A physiotherapist records the patient's answers to checklist items added after the
    intake was answered (nothing earlier is changed)."""
    patient = get_object_or_404(Patient, pk=pk)
    form = OutstandingScreeningForm(request.POST, items=selectors.screening_for(patient).unanswered)
    if form.is_valid():
        try:
            services.screening_answer_outstanding(
                patient=patient, applies=list(form.cleaned_data["applies"]), by=request.user
            )
        except services.IntakeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Screening answers recorded.")
    else:
        messages.error(request, next(iter(form.errors.values()))[0])
    return redirect(reverse("clinic:intake_detail", args=[patient.pk]) + "#screening")


@allow_roles(Role.PHYSIO)
@clinical_record("pk")
@require_http_methods(["GET", "POST"])
def consent_in_clinic(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    return _consent(request, patient, Consent.Channel.CLINIC)


def _consent(request: HttpRequest, patient: Patient, channel: str) -> HttpResponse:
    version = selectors.consent_version_current()
    current = selectors.consent_current(patient)
    form = ConsentForm(request.POST or None, patient=patient)
    if request.method == "POST" and version and form.is_valid():
        try:
            services.consent_sign(
                patient=patient,
                version=version,
                typed_name=form.cleaned_data["typed_name"],
                channel=channel,
                by=request.user,
                origin=Origin.of(request),
            )
        except services.ConsentError as error:
            form.add_error("typed_name", str(error))
        else:
            messages.success(request, "Consent recorded. Thank you.")
            if channel == Consent.Channel.PORTAL:
                return redirect("clinic:portal_home")
            return redirect("clinic:intake_detail", patient.pk)
    if channel == Consent.Channel.CLINIC:
        access_log_record(
            request=request, patient=patient, what="consent", action=AccessLog.Action.VIEW
        )
    template = "sign.html" if channel == Consent.Channel.PORTAL else "sign_in_clinic.html"
    return render(
        request,
        f"clinic/consent/{template}",
        {
            "patient": patient,
            "version": version,
            "current": current,
            "status": selectors.consent_status(patient),
            "form": form,
            "in_portal": channel == Consent.Channel.PORTAL,
        },
    )
