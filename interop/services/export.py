"""The clinic's FHIR Bulk Data export (NDJSON): request it, run it, resume it.

The run streams: each resource type's rows are read in chunks (interop.fhir.sources uses
``iterator(chunk_size=...)``) and written line by line to a temporary file, which goes to
private storage when the type is finished; memory holds one chunk, never the clinic
(docs/PERFORMANCE.md, "FHIR bulk export", has the figures on 20,000 patients).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from clinic.queueing import send_after_commit
from interop import fhir
from interop.models import BulkExport
from interop.tasks import bulk_export_run_task

logger = logging.getLogger(__name__)

# A run that has not written for this long is taken to be dead, and another may take over.
LEASE = dt.timedelta(minutes=5)
# Progress is written to the row every this many resources (and at the end of each type).
PROGRESS_EVERY = 5000
ALREADY_RUNNING = "An export is already under way; it is listed below."


def storage_name(export: BulkExport, resource_type: str) -> str:
    """Fixed by the export's random token: a second run of a type replaces its file."""
    return f"fhir-bulk/{export.created_at:%Y/%m}/{export.token}/{resource_type}.ndjson"


@transaction.atomic
def bulk_export_request(*, by) -> BulkExport:
    """Ask for a new export; refused (ValidationError) while another is unfinished and
    alive, so two never compete for the worker."""
    busy = (
        BulkExport.objects.select_for_update()
        .filter(status__in=[BulkExport.Status.PENDING, BulkExport.Status.RUNNING])
        .exists()
    )
    if busy:
        raise ValidationError(ALREADY_RUNNING)
    export = BulkExport.objects.create(requested_by=by)
    send_after_commit(bulk_export_run_task, export.pk)
    return export


@transaction.atomic
def bulk_export_resume(*, export: BulkExport) -> BulkExport:
    """Send a stopped export to the worker again; it continues with its unfinished types."""
    export = BulkExport.objects.select_for_update().get(pk=export.pk)
    if export.status == BulkExport.Status.READY:
        raise ValidationError("This export is finished.")
    if export.status == BulkExport.Status.RUNNING and not _lease_expired(export):
        raise ValidationError("This export is running.")
    export.status = BulkExport.Status.PENDING
    export.error = ""
    export.save(update_fields=["status", "error"])
    send_after_commit(bulk_export_run_task, export.pk)
    return export


def _lease_expired(export: BulkExport, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return export.heartbeat_at is None or now - export.heartbeat_at > LEASE


@transaction.atomic
def _claim(pk: int) -> BulkExport | None:
    """Take the export for this run: None when it is finished, gone, or alive elsewhere."""
    export = BulkExport.objects.select_for_update().filter(pk=pk).first()
    if export is None or export.status == BulkExport.Status.READY:
        return None
    if export.status == BulkExport.Status.RUNNING and not _lease_expired(export):
        return None
    now = timezone.now()
    if not export.progress:
        export.progress = {
            name: {
                "order": order,
                "total": sum(source.count() for source in fhir.sources_of(name)),
                "done": 0,
            }
            for order, name in enumerate(fhir.RESOURCE_TYPES)
        }
        export.total = sum(part["total"] for part in export.progress.values())
    export.status = BulkExport.Status.RUNNING
    export.started_at = export.started_at or now
    export.heartbeat_at = now
    export.attempts += 1
    export.error = ""
    export.save()
    return export


def bulk_export_run(pk: int) -> bool:
    """Write every unfinished resource type of the export; True if this call finished it.
    Safe to run twice (a second delivery finds it finished, or running under a live lease)
    and resumable (finished types are not written again)."""
    export = _claim(pk)
    if export is None:
        return False
    audience = fhir.Audience()
    try:
        for resource_type in fhir.RESOURCE_TYPES:
            part = export.progress.get(resource_type) or {"total": 0, "done": 0}
            if part.get("finished"):
                continue
            _write_type(export, resource_type, audience)
    except Exception as error:  # noqa: BLE001 (recorded on the row; the admin may resume)
        logger.exception("FHIR bulk export %s stopped", pk)
        BulkExport.objects.filter(pk=pk).update(
            status=BulkExport.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            heartbeat_at=None,
        )
        return False
    now = timezone.now()
    BulkExport.objects.filter(pk=pk).update(
        status=BulkExport.Status.READY, finished_at=now, heartbeat_at=now, done=export.total
    )
    return True


def _write_type(export: BulkExport, resource_type: str, audience: fhir.Audience) -> None:
    """Write one type's file. Progress counts source rows (what `total` counted up front; a
    session gives several Observations), the file's `count` the resources in it."""
    rows_before = sum(
        part.get("done", 0) for part in export.progress.values() if part.get("finished")
    )
    rows = written = 0
    with tempfile.TemporaryFile(mode="w+b") as handle:
        for source in fhir.sources_of(resource_type):
            for row in source.all_rows():
                for resource in source.build(row, audience):
                    handle.write(fhir.dumps(resource).encode())
                    handle.write(b"\n")
                    written += 1
                rows += 1
                if rows % PROGRESS_EVERY == 0:
                    BulkExport.objects.filter(pk=export.pk).update(
                        done=rows_before + rows, heartbeat_at=timezone.now()
                    )
        handle.seek(0)
        name = storage_name(export, resource_type)
        if default_storage.exists(name):  # a run that stopped after saving, before recording
            default_storage.delete(name)
        saved = default_storage.save(name, File(handle, name=f"{resource_type}.ndjson"))
    export.progress[resource_type] = {
        **export.progress.get(resource_type, {}),
        "done": rows,
        "count": written,
        "file": saved,
        "finished": True,
    }
    BulkExport.objects.filter(pk=export.pk).update(
        progress=export.progress, done=rows_before + rows, heartbeat_at=timezone.now()
    )


def bulk_export_file_name(export: BulkExport, resource_type: str) -> str | None:
    """The stored file of one finished type, or None."""
    for part in export.files:
        if part["type"] == resource_type:
            return part["file"]
    return None
