"""The clinic's FHIR Bulk Data export: one row per export, tracking its work."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class BulkExport(models.Model):
    """One export of the whole clinic as FHIR NDJSON, one file per resource type.

    Written `pending` by the request (interop.services.bulk_export_request) and sent to a
    worker after commit; the worker (bulk_export_run) marks it `running`, writes the
    types one after the other into private storage, recording each type's count and file in
    `progress` as it finishes, and ends `ready` (or `failed` with the error). A run that
    stops (a killed worker, a deploy) is taken up again by the next delivery of the task
    or the admin's "Resume": finished types are kept, the unfinished one is written again
    from its start. `heartbeat_at` is the lease: a second delivery leaves alone an export
    whose worker has written within the last few minutes.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Stopped"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {resource type: {"order": n, "total": rows, "done": rows, "count": resources,
    # "file": storage name, "finished": bool}}; "order" is the order the types are written
    # in. Progress (`total`, `done`) counts source rows: a session row gives several
    # Observations, so the resources in a file (`count`) may be more.
    progress = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last run stopped.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"FHIR bulk export of {self.created_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))

    @property
    def is_unfinished(self) -> bool:
        return self.status != self.Status.READY

    @property
    def files(self) -> list[dict]:
        """The finished types: [{"type", "count", "file"}], in export order (a jsonb column
        keeps no key order, so each part carries its own)."""
        parts = sorted(self.progress.items(), key=lambda item: item[1].get("order", 0))
        return [
            {"type": name, "count": part.get("count", 0), "file": part["file"]}
            for name, part in parts
            if part.get("finished") and part.get("file")
        ]
