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

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.models import CarePlan, Patient, User
from clinic.queueing import send_after_commit
from clinic.services import email_verification as email_services
from clinic.validators import validate_past_date
from treatments import pdf
from treatments.models import (
    CourseSummary,
    DischargeSummary,
    DocumentStatus,
    RecordCopy,
    TreatmentSession,
    VisitSummary,
)
from treatments.selectors.documents import (
    clinic_details,
    course_summary_context,
    discharge_summary_context,
    visit_summary_context,
    visit_summary_with_relations,
)
from treatments.selectors.record import patient_record
from treatments.tasks import (
    course_summary_render_task,
    discharge_summary_render_task,
    record_copy_render_task,
    visit_summary_email_task,
    visit_summary_notify_task,
    visit_summary_render_task,
)

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)
Document = VisitSummary | CourseSummary | RecordCopy | DischargeSummary
RENDER_TASKS = {
    VisitSummary: visit_summary_render_task,
    CourseSummary: course_summary_render_task,
    RecordCopy: record_copy_render_task,
    DischargeSummary: discharge_summary_render_task,
}
FOLDERS = {
    VisitSummary: "visit-summaries",
    CourseSummary: "course-summaries",
    RecordCopy: "record-copies",
    DischargeSummary: "discharge-summaries",
}


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


@transaction.atomic
def record_copy_request(*, patient: Patient, by: User) -> RecordCopy:
    """The patient asked for a PDF of their whole record: a pending row now, rendered by a
    worker after commit (a long record takes seconds; the portal shows "being prepared").
    A copy already pending is returned instead of a second one, so a double click or a
    reload queues the work once. The patient row is locked so two tabs agree on that."""
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    pending = RecordCopy.objects.filter(patient=patient, status=DocumentStatus.PENDING).first()
    if pending is not None:
        return pending
    copy = RecordCopy.objects.create(patient=patient, requested_by=by)
    _send_render(copy)
    return copy


def discharge_summary_request_on_discharge(plan: CarePlan, by: User) -> DischargeSummary:
    """The discharge hook (registered in TreatmentsConfig.ready, run by
    clinic.services.care_plan_discharge inside its transaction): a pending discharge summary
    for the patient, rendered after commit. One per plan: a second call returns it."""
    summary, created = DischargeSummary.objects.get_or_create(
        care_plan=plan, defaults={"patient_id": plan.patient_id}
    )
    if created:
        _send_render(summary)
    return summary


def _send_render(document: Document) -> None:
    send_after_commit(RENDER_TASKS[type(document)], document.pk)


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
    for model in RENDER_TASKS:
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
    folder = FOLDERS[type(document)]
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
            document = visit_summary_with_relations(pk)
            _, content = pdf.render_pdf("pdf/visit_summary.html", visit_summary_context(document))
        elif isinstance(document, DischargeSummary):
            document = DischargeSummary.objects.select_related("care_plan", "patient").get(
                pk=document.pk
            )
            context = discharge_summary_context(document)
            _, content = pdf.render_pdf("pdf/discharge_summary.html", context)
        elif isinstance(document, RecordCopy):
            patient = Patient.objects.get(pk=document.patient_id)
            context = {**patient_record(patient), "copy": document}
            _, content = pdf.render_pdf("pdf/patient_record.html", context)
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
            send_after_commit(visit_summary_notify_task, document.pk)
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
                "clinic": clinic_details(),
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
        send_after_commit(visit_summary_email_task, current.pk)
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
            "treatments/email/summary_copy.txt", {"patient": patient, "clinic": clinic_details()}
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
