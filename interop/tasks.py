"""Celery tasks of the interop app: take ids, call a service.

The bulk export runs on the default queue, with acks_late and reject-on-worker-lost: a
worker killed mid-export has its task delivered again, and the service continues from the
types it finished (its lease keeps a second delivery off a run that is still alive).
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_export_run_task(export_id: int) -> bool:
    """Write the clinic's FHIR NDJSON export (resumable; safe to run twice)."""
    from interop.services.export import bulk_export_run

    return bulk_export_run(export_id)
