"""Celery tasks of the interop app: take ids, call a service (see treatments/tasks.py)."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # 20,000 patients take well under two minutes; the limits leave room for a slow disk.
    soft_time_limit=900,
    time_limit=960,
)
def import_job_run_task(job_id: int) -> bool:
    """Run an import job's dry run or import, as its row says. Safe to deliver twice: the
    import is one transaction, and a finished job is left alone."""
    from interop.services.imports import import_job_run

    return import_job_run(job_id)
