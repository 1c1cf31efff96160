"""Celery tasks of the treatments app: take ids, call a service.

Each task imports its service inside its body and owns only its retry policy; the services
import these tasks at the top of their modules and send them after commit (clinic.queueing).

The render tasks run on the "pdf" queue (settings.CELERY_TASK_ROUTES). They keep the design's
reliability rules: acks_late and reject-on-worker-lost (a killed worker's task is delivered
again), retries with backoff for transient errors only, time limits, and an idempotent
service underneath, so a second delivery finds the row ready and does nothing.
"""

from __future__ import annotations

from celery import Task, shared_task

from treatments.models import CourseSummary, DischargeSummary, RecordCopy, VisitSummary

RENDER_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": 5,
    "soft_time_limit": 60,
    "time_limit": 90,
}


def _render(
    task: Task,
    model: type[VisitSummary | CourseSummary | RecordCopy | DischargeSummary],
    pk: int,
) -> bool:
    from treatments.services import summaries

    try:
        return summaries.document_render(model, pk)
    except summaries.TRANSIENT_ERRORS as error:
        if task.request.retries >= task.max_retries:
            summaries.document_fail(model, pk, f"Gave up after retries: {error}")
            return False
        # 2, 4, 8, 16, 32 seconds: a database or storage restart, not a bug.
        raise task.retry(exc=error, countdown=2 ** (task.request.retries + 1)) from error


@shared_task(**RENDER_OPTIONS)
def visit_summary_render_task(self: Task, summary_id: int) -> bool:
    """Render a visit summary PDF (safe to run twice: one stored file per version)."""
    return _render(self, VisitSummary, summary_id)


@shared_task(**RENDER_OPTIONS)
def course_summary_render_task(self: Task, summary_id: int) -> bool:
    """Render a course summary PDF for a referring physician."""
    return _render(self, CourseSummary, summary_id)


@shared_task(**RENDER_OPTIONS)
def record_copy_render_task(self: Task, copy_id: int) -> bool:
    """Render the PDF of a patient's whole record they asked for in the portal."""
    return _render(self, RecordCopy, copy_id)


@shared_task(**RENDER_OPTIONS)
def discharge_summary_render_task(self: Task, summary_id: int) -> bool:
    """Render the patient's discharge summary PDF at the end of a course of care."""
    return _render(self, DischargeSummary, summary_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def visit_summary_notify_task(summary_id: int) -> bool:
    """Tell a portal user their summary is ready (once per version)."""
    from treatments.services.summaries import visit_summary_notify

    return visit_summary_notify(summary_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def visit_summary_email_task(summary_id: int) -> bool:
    """Send the summary the front desk e-mailed to the patient."""
    from treatments.services.summaries import visit_summary_email_send

    return visit_summary_email_send(summary_id)


@shared_task
def summaries_sweep_task() -> int:
    """Beat, every two minutes: send again the summaries stuck in pending."""
    from treatments.services.summaries import summaries_sweep

    return summaries_sweep()


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def adverse_event_notify_task(event_id: int) -> bool:
    """Email the clinic admins about a significant or serious adverse event (once; safe to
    run twice)."""
    from treatments.services.sessions import adverse_event_notify

    return adverse_event_notify(event_id)
