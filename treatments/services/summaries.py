"""Services for patient documents: asking for a visit or course summary, rendering it in the
background, retrying, sweeping stuck work, and telling or e-mailing the patient.

Invariants kept here:
- A summary row is written in the caller's transaction and its rendering is sent to the
  queue only after commit (`send_after_commit`); if the broker is down the row stays
  pending and `summaries_sweep` sends it again later. Nothing is lost, nothing is sent
  for work that rolled back.
- `document_render` is safe to run any number of times, concurrently too: it claims the row
  with a lock, does nothing if the row is already ready, and writes the file under a name
  fixed by the row's token (an earlier partial write is replaced), so a version has exactly
  one stored file.
- Only transient errors (database or broker connection, time-outs) propagate, for the task
  to retry with backoff; anything else marks the row failed with its message for staff to
  see and retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Side
from assessments.selectors import segmental_summary
from clinic.models import Appointment, OutcomeScore, Patient, User
from clinic.selectors.intake import outcome_tracks
from clinic.selectors.scheduling import ims_next_eligible, min_interval
from clinic.services import email_verification as email_services
from clinic.tasks import send_after_commit
from clinic.validators import validate_past_date
from treatments import charts, pdf
from treatments.models import (
    AdverseEvent,
    CourseSummary,
    DocumentStatus,
    NeedlingSite,
    TreatmentSession,
    VisitSummary,
)

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)
Document = VisitSummary | CourseSummary
SIDE_WORDS = {Side.LEFT: "left", Side.RIGHT: "right", Side.BOTH: "both sides", Side.MIDLINE: ""}


# --- Asking for documents ----------------------------------------------------------------


def visit_summary_request(*, session: TreatmentSession, reason: str) -> VisitSummary:
    """Add the next version of the session's visit summary, pending, and send it to be
    rendered once the caller's transaction commits. The caller holds the session's row lock
    (signing and addenda do), so two versions cannot get the same number."""
    latest = session.summaries.aggregate(latest=Max("version"))["latest"] or 0
    summary = VisitSummary.objects.create(session=session, version=latest + 1, reason=reason)
    _send_render(summary)
    return summary


@transaction.atomic
def course_summary_request(
    *, patient: Patient, date_from: dt.date, date_to: dt.date, recipient: str, by: User
) -> CourseSummary:
    """Ask for a course summary of the patient's signed sessions between two dates."""
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        try:
            validate_past_date(day)
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from error
    if date_from > date_to:
        raise ValidationError({"date_to": "The end date must be on or after the start date."})
    if date_to > timezone.localdate():
        raise ValidationError({"date_to": "The end date cannot be in the future."})
    signed = TreatmentSession.objects.filter(
        patient=patient,
        status=TreatmentSession.Status.SIGNED,
        session_date__range=(date_from, date_to),
    )
    if not signed.exists():
        raise ValidationError(
            {"date_from": "No signed sessions between these dates; choose another range."}
        )
    summary = CourseSummary.objects.create(
        patient=patient,
        date_from=date_from,
        date_to=date_to,
        recipient=recipient.strip(),
        requested_by=by,
    )
    _send_render(summary)
    return summary


def _send_render(document: Document) -> None:
    from treatments import tasks

    task = (
        tasks.visit_summary_render_task
        if isinstance(document, VisitSummary)
        else tasks.course_summary_render_task
    )
    send_after_commit(task, document.pk)


@transaction.atomic
def document_retry(document: Document) -> Document:
    """Staff asked to try a failed (or long-pending) document again."""
    current = type(document).objects.select_for_update().get(pk=document.pk)
    if current.is_ready:
        raise ValidationError("This summary is already ready.")
    current.status = DocumentStatus.PENDING
    current.queued_at = timezone.now()
    current.save(update_fields=["status", "queued_at"])
    _send_render(current)
    return current


def summaries_sweep(*, stuck_after: dt.timedelta | None = None) -> int:
    """Send again every summary pending for longer than `stuck_after` (the broker was down
    when it was asked for, or its message was lost). Marks each as re-queued, so a row is
    sent at most once per period. Rows a worker is rendering right now are skipped."""
    if stuck_after is None:
        stuck_after = dt.timedelta(minutes=settings.SUMMARY_STUCK_MINUTES)
    cutoff = timezone.now() - stuck_after
    sent = 0
    for model in (VisitSummary, CourseSummary):
        with transaction.atomic():
            stuck = list(
                model.objects.select_for_update(skip_locked=True)
                .filter(status=DocumentStatus.PENDING, queued_at__lt=cutoff)
                .order_by("queued_at")[:500]
            )
            for document in stuck:
                document.queued_at = timezone.now()
                document.save(update_fields=["queued_at"])
                _send_render(document)
            sent += len(stuck)
    if sent:
        logger.warning("Re-sent %d summaries stuck in pending", sent)
    return sent


# --- Rendering ------------------------------------------------------------------------------


def storage_name(document: Document) -> str:
    """Where a document's file lives: fixed by its random token, so a second run of the
    same work replaces rather than adds a file, and the name reveals nothing."""
    folder = "visit-summaries" if isinstance(document, VisitSummary) else "course-summaries"
    return f"{folder}/{document.created_at:%Y/%m}/{document.token}.pdf"


def document_render(model: type[Document], pk: int) -> bool:
    """Render one document into private storage and mark it ready; True if this call did.

    Transient errors propagate (the task retries them); any other error marks the row
    failed with its message and returns False.
    """
    try:
        return _render(model, pk)
    except TRANSIENT_ERRORS:
        raise
    except SoftTimeLimitExceeded:
        _fail(model, pk, "Rendering took too long and was stopped.")
    except Exception as error:  # noqa: BLE001 (a permanent failure is recorded, not raised)
        logger.exception("Rendering %s %s failed", model.__name__, pk)
        _fail(model, pk, f"{type(error).__name__}: {error}")
    return False


def _render(model: type[Document], pk: int) -> bool:
    with transaction.atomic():
        document = model.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if document is None or document.is_ready:
            return False
        started = time.perf_counter()
        if isinstance(document, VisitSummary):
            document = _visit_summary_with_relations(pk)
            _, content = pdf.render_pdf("pdf/visit_summary.html", visit_summary_context(document))
        else:
            _, content = pdf.render_pdf("pdf/course_summary.html", course_summary_context(document))
        name = storage_name(document)
        if default_storage.exists(name):  # a run that died after writing, before commit
            default_storage.delete(name)
        document.file.name = default_storage.save(name, ContentFile(content))
        document.status = DocumentStatus.READY
        document.error = ""
        document.attempts += 1
        document.rendered_at = timezone.now()
        document.render_seconds = time.perf_counter() - started
        document.save()
        if isinstance(document, VisitSummary):
            from treatments import tasks

            send_after_commit(tasks.visit_summary_notify_task, document.pk)
    return True


def _fail(model: type[Document], pk: int, message: str) -> None:
    with transaction.atomic():
        document = model.objects.select_for_update().filter(pk=pk).first()
        if document is None or document.is_ready:
            return
        document.status = DocumentStatus.FAILED
        document.error = message[:2000]
        document.attempts += 1
        document.save(update_fields=["status", "error", "attempts"])


def document_fail(model: type[Document], pk: int, message: str) -> None:
    """Give up on a document after its retries ran out (the task calls this)."""
    _fail(model, pk, message)


# --- What the documents say -----------------------------------------------------------------


@dataclass
class TreatedArea:
    region: str
    muscles: list[str] = field(default_factory=list)


def _side_phrase(sides: set[str]) -> str:
    if Side.BOTH in sides or {Side.LEFT, Side.RIGHT} <= sides:
        return "both sides"
    words = [SIDE_WORDS[s] for s in (Side.LEFT, Side.RIGHT) if s in sides]
    return " and ".join(words)


def treated_areas(sites: list[NeedlingSite]) -> list[TreatedArea]:
    """Sites in plain words, grouped by body region in the order they were needled: each
    muscle once, with the sides treated ("Forearm, wrist and hand: muscles that lift the
    wrist (right)"). No anatomical names, segment codes or techniques."""
    by_region: OrderedDict[str, OrderedDict[str, set[str]]] = OrderedDict()
    for site in sites:
        region = site.muscle.get_body_region_display()
        by_region.setdefault(region, OrderedDict()).setdefault(site.muscle.lay_name, set()).add(
            site.side
        )
    areas = []
    for region, muscles in by_region.items():
        area = TreatedArea(region=region)
        for lay_name, sides in muscles.items():
            phrase = _side_phrase(sides)
            area.muscles.append(f"{lay_name} ({phrase})" if phrase else lay_name)
        areas.append(area)
    return areas


def _visit_summary_with_relations(pk: int) -> VisitSummary:
    return VisitSummary.objects.select_related(
        "session__patient", "session__practitioner", "session__signed_by"
    ).get(pk=pk)


def _pain_points(patient: Patient, *, until: dt.date, since: dt.date | None = None):
    sessions = TreatmentSession.objects.filter(
        patient=patient, status=TreatmentSession.Status.SIGNED, session_date__lte=until
    )
    if since:
        sessions = sessions.filter(session_date__gte=since)
    rows = sessions.order_by("session_date", "created_at").values_list(
        "session_date", "nprs_before", "nprs_after"
    )
    return [charts.PainPoint(*row) for row in rows]


def _clinic() -> dict[str, str]:
    return {
        "name": settings.CLINIC_NAME,
        "phone": settings.CLINIC_PHONE,
        "email": settings.CLINIC_EMAIL,
        "address": settings.CLINIC_ADDRESS,
    }


def visit_summary_context(summary: VisitSummary) -> dict:
    """Everything the patient's visit summary shows, and nothing about anyone else: every
    query below is filtered by this session or this patient."""
    session = summary.session
    patient = session.patient
    sites = list(
        NeedlingSite.objects.filter(session=session)
        .select_related("muscle")
        .order_by("created_at", "pk")
    )
    points = _pain_points(patient, until=session.session_date)
    next_appointment = (
        Appointment.objects.filter(
            patient=patient,
            status=Appointment.Status.BOOKED,
            local_date__gt=session.session_date,
        )
        .select_related("practitioner", "location", "type")
        .order_by("start")
        .first()
    )
    return {
        "summary": summary,
        "session": session,
        "patient": patient,
        "clinic": _clinic(),
        "areas": treated_areas(sites),
        "home_care": list(session.home_care.all()),
        "addenda": list(session.addenda.order_by("created_at")),
        "chest_wall": any(site.muscle.chest_wall for site in sites),
        "pain_chart": charts.pain_chart(points) if len(points) > 1 else "",
        "sessions_so_far": len(points),
        # The booking rule itself, counting needling up to this visit (a later booking
        # is shown as `next_appointment`, not as a reason to wait longer).
        "earliest_next_ims": ims_next_eligible(
            patient,
            on_or_after=session.session_date + dt.timedelta(days=1),
            counted_until=session.session_date,
        ),
        "min_interval": min_interval(),
        "next_appointment": next_appointment,
        "title": f"Visit summary, {session.session_date:%B} {session.session_date.day}, "
        f"{session.session_date:%Y}",
    }


@dataclass
class CourseSessionRow:
    session: TreatmentSession
    levels: list[str]
    muscles: list[str]
    events: list[AdverseEvent]


def _course_site(site: NeedlingSite) -> str:
    """'Rhomboid major (R)', with depth and direction for a chest-wall site:
    'Rhomboid major (R; 15 mm deep, tangential / oblique ...)'."""
    detail = "; ".join(filter(None, [site.side, site.depth_direction]))
    return f"{site.muscle.name} ({detail})"


def course_summary_context(summary: CourseSummary) -> dict:
    """The course summary for a referring physician: clinical terms are fine here (segment
    levels, muscle names), but only this patient's sessions in the chosen range."""
    patient = summary.patient
    sessions = list(
        TreatmentSession.objects.filter(
            patient=patient,
            status=TreatmentSession.Status.SIGNED,
            session_date__range=(summary.date_from, summary.date_to),
        )
        .select_related("practitioner")
        .prefetch_related(
            Prefetch("sites", queryset=NeedlingSite.objects.select_related("muscle", "segment")),
            "adverse_events",
        )
        .order_by("session_date", "created_at")
    )
    rows = []
    for session in sessions:
        sites = list(session.sites.all())
        levels = sorted({s.segment for s in sites}, key=lambda seg: seg.position)
        rows.append(
            CourseSessionRow(
                session=session,
                levels=[seg.code for seg in levels],
                muscles=list(dict.fromkeys(_course_site(s) for s in sites)),
                events=list(session.adverse_events.all()),
            )
        )
    points = [charts.PainPoint(s.session_date, s.nprs_before, s.nprs_after) for s in sessions]
    assessment = (
        Assessment.objects.filter(
            patient=patient, status=Assessment.Status.SIGNED, assessed_on__lte=summary.date_to
        )
        .prefetch_related("sign_findings__segment", "sign_findings__sign")
        .order_by("-assessed_on", "-created_at")
        .first()
    )
    # Baseline: the patient's first score on each measure (no lower date bound), so the
    # change shown is from the start of care, up to the end of the summary's period.
    tracks = outcome_tracks(
        OutcomeScore.objects.filter(
            patient=patient,
            recorded_at__date__lte=summary.date_to,
        ).order_by("recorded_at", "pk")
    )
    first_pain = next((p.before for p in points if p.before is not None), None)
    last_pain = next((p.after for p in reversed(points) if p.after is not None), None)
    return {
        "summary": summary,
        "patient": patient,
        "clinic": _clinic(),
        "rows": rows,
        "practitioners": sorted({s.practitioner.display_name for s in sessions}),
        "pain_chart": charts.pain_chart(points) if points else "",
        "first_pain": first_pain,
        "last_pain": last_pain,
        "assessment": assessment,
        "segments": segmental_summary(assessment) if assessment else [],
        "scores": tracks,
        "adverse_events": [e for row in rows for e in row.events],
        "plan": sessions[-1].plan if sessions else "",
        "title": f"Course summary, {summary.date_from:%Y-%m-%d} to {summary.date_to:%Y-%m-%d}",
    }


# --- Telling the patient --------------------------------------------------------------------


def visit_summary_notify(summary_id: int) -> bool:
    """E-mail a portal user that a summary is ready: a link to the portal, never the PDF
    and never clinical content. Once per version; True if an e-mail went out."""
    with transaction.atomic():
        summary = (
            VisitSummary.objects.select_for_update(of=("self",))
            .select_related("session__patient__user")
            .get(pk=summary_id)
        )
        patient = summary.session.patient
        if summary.patient_notified_at or not summary.is_ready:
            return False
        if not (patient.user_id and patient.user.is_active and patient.email):
            return False
        updated = summary.version > 1
        body = render_to_string(
            "treatments/email/summary_ready.txt",
            {
                "patient": patient,
                "updated": updated,
                "clinic": _clinic(),
                "url": settings.SITE_URL + reverse("treatments:portal_documents"),
            },
        )
        subject = (
            "Your updated visit summary is ready" if updated else "Your visit summary is ready"
        )
        EmailMessage(
            subject=f"{subject} - {settings.CLINIC_NAME}", body=body, to=[patient.email]
        ).send()
        summary.patient_notified_at = timezone.now()
        summary.save(update_fields=["patient_notified_at"])
    return True


def visit_summary_email(*, summary: VisitSummary, by: User) -> VisitSummary:
    """The front desk sends a ready summary to the patient, attached (a patient without a
    portal account asks for a copy). It goes only to the address the patient confirmed
    (Patient.document_email), never to an address merely typed into the record: without
    one, nothing is queued and the ValidationError says why. Validates now; the e-mail
    leaves from a worker after commit, which checks the address again."""
    from treatments import tasks

    with transaction.atomic():
        current = (
            VisitSummary.objects.select_for_update(of=("self",))
            .select_related("session__patient")
            .get(pk=summary.pk)
        )
        if not current.is_ready:
            raise ValidationError("This summary is not ready yet.")
        patient = current.session.patient
        email = patient.document_email
        if not email:
            raise ValidationError(email_services.document_email_refusal(patient))
        current.emailed_at = timezone.now()
        current.emailed_to = email
        current.email_sent_at = None
        current.email_problem = ""
        current.save(update_fields=["emailed_at", "emailed_to", "email_sent_at", "email_problem"])
        send_after_commit(tasks.visit_summary_email_task, current.pk)
    return current


def visit_summary_email_send(summary_id: int) -> bool:
    """Send the summary the desk asked to e-mail, if the address it was asked for is still
    the patient's confirmed address (it may have changed since the click); otherwise record
    why and send nothing. Once per request: a second delivery of the task does nothing."""
    with transaction.atomic():
        summary = (
            VisitSummary.objects.select_for_update(of=("self",))
            .select_related("session__patient")
            .get(pk=summary_id)
        )
        patient = summary.session.patient
        if not (summary.is_ready and summary.emailed_to) or summary.email_sent_at:
            return False
        confirmed = patient.document_email
        if not confirmed or confirmed.lower() != summary.emailed_to.lower():
            summary.email_problem = (
                "Not sent: the patient's confirmed e-mail address changed before it could go out."
                if confirmed
                else "Not sent: the patient has no confirmed e-mail address any more."
            )
            summary.save(update_fields=["email_problem"])
            return False
        body = render_to_string(
            "treatments/email/summary_copy.txt", {"patient": patient, "clinic": _clinic()}
        )
        message = EmailMessage(
            subject=f"Your visit summary - {settings.CLINIC_NAME}",
            body=body,
            to=[confirmed],
        )
        with default_storage.open(summary.file.name, "rb") as handle:
            message.attach(summary.filename, handle.read(), "application/pdf")
        message.send()
        summary.email_sent_at = timezone.now()
        summary.save(update_fields=["email_sent_at"])
    return True
