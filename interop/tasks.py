"""Celery tasks of the interop app: take ids, call a service (see treatments/tasks.py).

Both run with acks_late and reject-on-worker-lost: a worker killed mid-run has its task
delivered again. The bulk export continues from the types it finished (its lease keeps a
second delivery off a run that is still alive); an import is one transaction, and a
finished job is left alone.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_export_run_task(export_id: int) -> bool:
    """Write the clinic's FHIR NDJSON export (resumable; safe to run twice)."""
    from interop.services.export import bulk_export_run

    return bulk_export_run(export_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # 20,000 patients take well under two minutes; the limits leave room for a slow disk.
    soft_time_limit=900,
    time_limit=960,
)
def import_job_run_task(job_id: int) -> bool:
    """Run an import job's dry run or import, as its row says."""
    from interop.services.imports import import_job_run

    return import_job_run(job_id)
