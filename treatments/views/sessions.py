"""The patient chart and IMS session notes (physiotherapists). Every page showing clinical
content writes an AccessLog row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from assessments.forms import AddendumForm
from clinic import fragments
from clinic.access import access_log_record
from clinic.autosave import save_valid_fields, status_context
from clinic.forms.common import form_add_errors
from clinic.inputs import parse_id
from clinic.models import Appointment, Patient
from clinic.permissions import Role, allow_roles, clinical_record
from clinic.reference_cache import ReferenceData
from clinic.selectors import consent_status, needling_readiness
from clinic.signing import author_practitioner
from treatments import selectors, services
from treatments.forms import PART_FORMS, AdverseEventForm, SessionForm
from treatments.models import NeedlingSite, TreatmentSession
from treatments.views.documents import POLL_SECONDS

ROW_TEMPLATES = {"site": "treatments/_site_row.html", "retest": "treatments/_retest_row.html"}
PARTS_CHANGED = "parts-changed"


def _locked(request: HttpRequest, session: TreatmentSession) -> HttpResponse:
    messages.info(request, services.SessionLocked.message)
    url = reverse("treatments:session", args=[session.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- The chart ---------------------------------------------------------------------------


@allow_roles(Role.PHYSIO)
@clinical_record("patient_pk")
@require_GET
def chart(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """One page for the patient: status, scores, assessments, sessions and progress."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    data = selectors.chart_for_patient(patient, page=request.GET.get("page", 1))
    access_log_record(request=request, patient=patient, what="chart")
    # The IMS readiness and consent badges come right after the page, from readiness()
    # (hx-trigger="load"): issue 18, figures there.
    return render(
        request,
        "treatments/chart.html",
        {
            "patient": patient,
            "chart": data,
            "session_rows": chart_session_rows(data.sessions.object_list),
            "course": selectors.chart_plan(patient),
        },
    )


@allow_roles(Role.PHYSIO)
@clinical_record("patient_pk")
@require_GET
def chart_scores(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The chart's outcome scores (tracks with their change from baseline, and the scores
    chart, swapped into the Progress card out of band), latest assessments and notes still
    owed (the "Unsigned and missing notes" card, swapped into its slot at the top out of
    band), which the chart loads as soon as it shows (hx-trigger="load"). Split off the
    chart in issue 18: CPU time per request in process, bench data, median of 4x40, as
    ratios to the floor (~4 ms) measured alongside: the chart 2.95x -> 2.54x with the
    scores and assessments here, -> 2.29x with the notes owed too (and 0.2 ms of _day);
    this partial 1.80x, then 1.97x. The read is logged like the chart's."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    access_log_record(request=request, patient=patient, what="chart scores")
    return render(
        request,
        "treatments/_chart_scores.html",
        {"patient": patient, "chart": selectors.chart_scores(patient)},
    )


READINESS_TEMPLATES = {
    "chart": "treatments/_readiness_chart.html",
    "session": "treatments/_readiness_session.html",
}


@allow_roles(Role.PHYSIO)
@clinical_record("patient_pk")
@require_GET
def readiness(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The patient's IMS readiness (consent, safety screening, contraindications), which the
    chart and the session form load as soon as they show (hx-trigger="load"): on the chart
    the badges with the consent's state (?on=chart, the default), on the session form the
    "Needling blocked" / precautions banner with the re-screen checklist (?on=session; the
    checklist swapped into its place out of band). Split off both pages in issue 18: CPU
    time per request in process, bench data, median of 4x40 (floor 4.0 ms): the session
    form (with its sign panel) 19.9 -> 13.2 ms, the chart 15.6 -> 10.8 ms, this
    partial 7.9 ms. The read is logged like the pages'."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    on = "session" if request.GET.get("on") == "session" else "chart"
    access_log_record(request=request, patient=patient, what="needling readiness")
    readiness = needling_readiness(patient, request=request)
    context = {"patient": patient, "readiness": readiness}
    if on == "chart":
        context["consent_status"] = consent_status(patient, current=readiness.consent)
    return render(request, READINESS_TEMPLATES[on], context)


# --- Sessions ----------------------------------------------------------------------------


@allow_roles(Role.PHYSIO)
@clinical_record("patient_pk")
@require_POST
def session_start(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_pk)
    practitioner = author_practitioner(request.user)
    appointment = None
    if raw := request.POST.get("appointment"):
        # An id that is not a number names no appointment: 404, as for an unknown one.
        appointment_id = parse_id(raw)
        if appointment_id is None:
            raise Http404("No such appointment.")
        appointment = get_object_or_404(Appointment, pk=appointment_id, patient=patient)
    session = services.session_start(
        patient=patient, practitioner=practitioner, appointment=appointment
    )
    if session.is_signed or session.practitioner_id != practitioner.pk:
        return redirect("treatments:session", pk=session.pk)
    return redirect("treatments:session_edit", pk=session.pk)


def _sign_context(
    session, user, *, readiness=None, credential=services.UNREAD, reason=None, reason_error=""
) -> dict:
    """The sign panel: every reason the user cannot sign yet (SessionSigning.check), and
    for a session that needled both sides of the thorax the warning with its reason field
    (the missing reason, or `reason_error` from a refused one, is shown next to the field
    rather than in the list). A page that has just read the readiness and the credential
    passes them in."""
    problems = services.SessionSigning(session).check(
        user, readiness=readiness, credential=credential
    )
    missing = services.BILATERAL_THORAX_PROBLEM in problems
    return {
        "sign_problems": [p for p in problems if p != services.BILATERAL_THORAX_PROBLEM],
        "sign_blocked": bool(problems) or bool(reason_error),
        "bilateral_thorax": session.needled_both_sides_of_thorax,
        "bilateral_reason": session.bilateral_thorax_reason if reason is None else reason,
        "bilateral_error": reason_error or (services.BILATERAL_THORAX_PROBLEM if missing else ""),
    }


def _detail_response(
    request, pk, addendum_form=None, event_form=None, status=200, sign_context=None
):
    try:
        session = selectors.session_detail(pk)
    except TreatmentSession.DoesNotExist:
        raise Http404 from None
    access_log_record(request=request, patient=session.patient, what="session note")
    own_draft = services.SessionSigning(session).can_edit(request.user)
    return render(
        request,
        "treatments/session_detail.html",
        {
            "session": session,
            "patient": session.patient,
            "can_edit": own_draft,
            **(
                (sign_context or _sign_context(session, request.user))
                if own_draft
                else {"sign_problems": []}
            ),
            "addendum_form": addendum_form or AddendumForm(),
            "event_form": event_form or AdverseEventForm(),
            "history": selectors.session_history(session),
            "summaries": selectors.session_summaries(session) if session.is_signed else [],
            "poll_seconds": POLL_SECONDS,
        },
        status=status,
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The note as read (and, for the author's draft, the place to sign it)."""
    return _detail_response(request, pk)


def _part_form(session, kind, *, data=None, instance=None, initial=None, reference=None):
    prefix = f"{kind}-{instance.pk}" if instance is not None else f"{kind}-new"
    refresh = reverse("treatments:part_refresh", args=[session.pk, kind])
    kwargs = {"prefix": prefix, "refresh_url": refresh, "instance": instance}
    kwargs["reference"] = reference
    if kind == "site":
        suggested, others = selectors.muscles_for_session(session, reference)
        kwargs |= {"suggested": suggested, "others": others}
    return PART_FORMS[kind](data, initial=initial, **kwargs)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_GET
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Charting the session at the table: re-screen, pain, sites, needles, advice."""
    try:
        session = selectors.session_for_edit(pk)
    except TreatmentSession.DoesNotExist:
        raise Http404 from None
    if not services.SessionSigning(session).can_edit(request.user):
        return redirect("treatments:session", pk=pk)
    access_log_record(request=request, patient=session.patient, what="session note")
    credential = services.credential_on(session.practitioner, session.session_date)
    # The advice from the per-process memo, checked against the reference version in one
    # query. The blank "add a site" form (needles, muscles, segments, the assessment's
    # suggested muscles) comes after the page, from session_entries (hx-trigger="load"):
    # about a quarter of this page's time (issue 18, figures there). So do the patient's
    # IMS readiness (banner and re-screen checklist, from readiness()) and the sign panel
    # (from sign_panel, which also refreshes it after each save): see readiness(). And the
    # range re-tests with their entry form, from session_retests (figures there).
    reference = ReferenceData()
    return render(
        request,
        "treatments/session_edit.html",
        {
            "session": session,
            "patient": session.patient,
            "form": SessionForm(instance=session, reference=reference),
            "credential": credential,
            "course": selectors.session_plan(session),
        },
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_GET
def session_entries(request: HttpRequest, pk: int) -> HttpResponse:
    """The session form's blank needling-site form (the muscle picker with the latest
    assessment's suggestions first, needles, segments), which the page loads as soon as it
    shows (hx-trigger="load"). Split off the page in issue 18: CPU time per request in
    process, bench data, median of 4x60 (floor 4.1 ms): the page 27.7 -> 20.4 ms, this
    partial 11.5 ms; the small re-test form stayed on the page, keeping this one within
    its 3x. Only the draft's author gets it, as the page itself; the read is logged like
    the page's."""
    session = services.SessionSigning.of_author(pk, request.user).note
    if session.is_signed:
        return _locked(request, session)
    access_log_record(request=request, patient=session.patient, what="session note")
    reference = ReferenceData()
    initial, copied = None, None
    if (copy_pk := parse_id(request.GET.get("copy"))) is not None:
        # "Copy": the form filled in with one of this draft's sites, every value editable.
        copied = get_object_or_404(
            NeedlingSite.objects.select_related("muscle"), session=session, pk=copy_pk
        )
        initial = {
            name: getattr(value, "pk", value)
            for name, value in services.site_copy_values(copied).items()
        }
    return render(
        request,
        "treatments/_session_entries.html",
        {
            "session": session,
            "entries": {"site": _part_form(session, "site", reference=reference, initial=initial)},
            "copied": copied,
        },
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_GET
def session_sites(request: HttpRequest, pk: int) -> HttpResponse:
    """The session form's needling sites (each with its copy and remove buttons, "Repeat
    last session's sites" while there are none), which the page loads as soon as it shows
    (hx-trigger="load"). Split off the page in issue 18: CPU time per request in process,
    bench data, median of 3x60 (floor 3.8-4.1 ms): the page 12.5 -> 10.3 ms (3.03x ->
    2.67x), this partial 6.8 ms (1.78x); the page reads no sites (14 -> 13 queries). Only
    the draft's author gets them, as the page itself; the read is logged like the page's."""
    session = services.SessionSigning.of_author(pk, request.user).note
    if session.is_signed:
        return _locked(request, session)
    access_log_record(request=request, patient=session.patient, what="session note")
    return render(
        request, "treatments/_session_sites.html", {"session": selectors.session_sites(session)}
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_GET
def session_retests(request: HttpRequest, pk: int) -> HttpResponse:
    """The session form's range re-tests (the rows, each with its remove button) and the
    blank re-test form, which the page loads as soon as it shows (hx-trigger="load").
    Split off the page in issue 18: CPU time per request in process, bench data, median
    of 4x40 (floor 4.1-4.2 ms): the page 13.8 -> 12.4 ms (3.38x -> 2.95x), this partial
    7.8 ms (1.84x); the page reads no re-tests (15 -> 14 queries). Only the draft's author
    gets them, as the page itself; the read is logged like the page's."""
    session = services.SessionSigning.of_author(pk, request.user).note
    if session.is_signed:
        return _locked(request, session)
    access_log_record(request=request, patient=session.patient, what="session note")
    return render(
        request,
        "treatments/_session_retests.html",
        {"session": session, "entries": {"retest": _part_form(session, "retest")}},
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_POST
def sites_repeat(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Repeat last session's sites" into this draft (services.sites_repeat_last), then
    back to the note's sites."""
    session = services.SessionSigning.of_author(pk, request.user).note
    if session.is_signed:
        return _locked(request, session)
    try:
        copies, skipped = services.sites_repeat_last(session=session, by=request.user)
    except services.SessionLocked:
        return _locked(request, session)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"Copied {len(copies)} site{'s' if len(copies) != 1 else ''} from the last session: "
            "check each one against today's findings.",
        )
        for note in skipped:
            messages.warning(request, note)
    url = reverse("treatments:session_edit", args=[session.pk]) + "#site-heading"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_POST
def session_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Autosave the note's fields: every valid one is stored, each invalid one keeps its
    last saved value and is marked next to itself and named in the status."""
    session = services.SessionSigning.of_author(pk, request.user).note
    if session.is_signed:
        return _locked(request, session)
    form = SessionForm(request.POST, instance=session)
    form.is_valid()
    names = SessionForm.Meta.fields
    try:
        saved = save_valid_fields(
            lambda **fields: services.session_update(session=session, by=request.user, **fields),
            form,
            names,
        )
    except services.SessionLocked:
        return _locked(request, session)
    response = render(request, "treatments/_save_status.html", status_context(form, names, saved))
    return trigger_client_event(response, PARTS_CHANGED) if saved else response


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_POST
def part_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in PART_FORMS:
        raise Http404
    session = services.SessionSigning.of_author(pk, request.user).note
    if session.is_signed:
        return _locked(request, session)
    form = _part_form(session, kind, data=request.POST)
    if form.is_valid():
        try:
            part = services.part_save(
                session=session, by=request.user, part=form.save(commit=False)
            )
        except services.SessionLocked:
            return _locked(request, session)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            keep = {}
            if kind == "site":
                keep = {
                    name: form.cleaned_data[name]
                    for name in ("needle", "technique", "side")
                    if form.cleaned_data.get(name)
                }
            context = {
                "session": session,
                "kind": kind,
                "form": _part_form(
                    session, kind, initial={k: getattr(v, "pk", v) for k, v in keep.items()}
                ),
                "added": part,
                "row_template": ROW_TEMPLATES[kind],
            }
            response = render(request, "treatments/_part_form.html", context)
            return trigger_client_event(response, PARTS_CHANGED)
    return render(
        request, "treatments/_part_form.html", {"session": session, "kind": kind, "form": form}
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_POST
def part_refresh(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Re-render the site row's dependent pickers (segments of the chosen muscle, its
    region, the pneumothorax precaution) without saving."""
    if kind != "site":
        raise Http404
    session = services.SessionSigning.of_author(pk, request.user).note
    prefix = request.POST.get("prefix", "site-new")
    initial = {
        key.removeprefix(f"{prefix}-"): value
        for key, value in request.POST.items()
        if key.startswith(f"{prefix}-") and value
    }
    form = _part_form(session, kind, initial=initial)
    form.prefix = prefix
    return render(request, "treatments/_site_refresh.html", {"form": form, "session": session})


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_POST
def part_remove(request: HttpRequest, pk: int, kind: str, part_pk: int) -> HttpResponse:
    if kind not in PART_FORMS:
        raise Http404
    session = services.SessionSigning.of_author(pk, request.user).note
    try:
        services.part_remove(session=session, by=request.user, kind=kind, pk=part_pk)
    except services.SessionLocked:
        return _locked(request, session)
    return trigger_client_event(HttpResponse(""), PARTS_CHANGED)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_GET
def sign_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The live list of what still stops signing, refreshed as the note changes."""
    session = selectors.session_sign_sites(services.SessionSigning.of_author(pk, request.user).note)
    return render(
        request,
        "treatments/_sign_panel.html",
        {"session": session, **_sign_context(session, request.user)},
    )


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_POST
def session_sign(request: HttpRequest, pk: int) -> HttpResponse:
    action = services.SessionSigning.of_author(pk, request.user)
    session = action.note
    reason = request.POST.get("bilateral_thorax_reason")
    if reason is not None and not session.is_signed:
        # The reason field sits in the sign form: store it first, so it stays on the
        # draft even if another check still stops signing.
        reason = reason.strip()
        try:
            services.session_update(
                session=session, by=request.user, bilateral_thorax_reason=reason
            )
        except services.SessionLocked:
            return _locked(request, session)
        except ValidationError as error:
            detail = selectors.session_detail(pk)
            by_field = error.message_dict if hasattr(error, "error_dict") else {}
            shown = by_field.get("bilateral_thorax_reason", error.messages)
            context = _sign_context(
                detail, request.user, reason=reason, reason_error=" ".join(shown)
            )
            return _detail_response(request, pk, status=400, sign_context=context)
    try:
        action.execute(request.user)  # checks again under the row lock
    except services.SessionLocked:
        return _locked(request, session)
    except ValidationError as error:
        messages.error(
            request,
            f"Not signed: {len(error.messages)} check(s) in the sign panel still need attention.",
        )
        return redirect("treatments:session", pk=pk)
    messages.success(request, "Session signed and locked.")
    return redirect("treatments:session", pk=pk)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_POST
def session_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(TreatmentSession, pk=pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.session_addendum_add(
                session=session, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, "Addendum added.")
            return redirect(f"{reverse('treatments:session', args=[pk])}#addenda")
    return _detail_response(request, pk, addendum_form=form, status=400)


@allow_roles(Role.PHYSIO)
@clinical_record("pk", "treatments.TreatmentSession", patient="patient")
@require_POST
def adverse_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(TreatmentSession, pk=pk)
    form = AdverseEventForm(request.POST)
    if form.is_valid():
        try:
            event = services.adverse_event_record(
                session=session, by=request.user, event=form.save(commit=False)
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            note = " The clinic admins are being notified." if event.significant else ""
            messages.success(request, f"Adverse event recorded.{note}")
            return redirect(f"{reverse('treatments:session', args=[pk])}#events")
    return _detail_response(request, pk, event_form=form, status=400)


# --- The chart's session lines -----------------------------------------------------------

_PK = 987654321  # a stand-in primary key, to reverse a URL once for every line


def _day(day: dt.date) -> str:
    """What |date:"D j M Y" gives ("Wed 2 Dec 2026"), from the names Django's own date
    format reads for D and M (django.utils.dateformat), translated as there: 13 us a line
    against date_format's 34 us (0.2 ms a page of ten lines, issue 18; test_chart_golden
    compares the lines with the template's)."""
    return f"{WEEKDAYS_ABBR[day.weekday()]} {day.day} {MONTHS_3[day.month].title()} {day.year:04d}"


def _truncate(text: str, length: int) -> str:
    return Truncator(text).chars(length)  # what |truncatechars gives


def chart_session_rows(lines: Sequence[selectors.SessionLine]) -> SafeString:
    """The chart's session lines (templates/treatments/chart.html): Jinja2,
    treatments/jinja2/treatments/chart_sessions.html (see clinic.fragments). The Django
    template loop took 1.1 ms of the 2.6 ms chart render for a page of ten sessions, the
    fragment 0.2 ms (process time on the bench chart, issue 18)."""
    url = reverse("treatments:session", args=[_PK]).split(str(_PK), 1)
    return fragments.render(
        "treatments/chart_sessions.html",
        {"sessions": lines, "url": url, "day": _day, "truncate": _truncate},
    )
