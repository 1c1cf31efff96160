"""One row per backup attempt: when it ran, whether it finished, where the archive is."""

from __future__ import annotations

from django.db import models


class BackupRun(models.Model):
    """A backup written by `manage.py backup` or the nightly beat job. The row is written
    when the run starts (so a run that dies stays visible as unfinished) and completed when
    the archive is closed. /healthz and the admin home read the last good one."""

    class Trigger(models.TextChoices):
        COMMAND = "command", "manage.py backup"
        NIGHTLY = "nightly", "Nightly job"

    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.COMMAND)
    path = models.CharField(max_length=500, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    encrypted = models.BooleanField(default=False)
    documents = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["-finished_at"], condition=models.Q(ok=True), name="custody_backup_ok_idx"
            )
        ]

    def __str__(self) -> str:
        state = "ok" if self.ok else ("failed" if self.finished_at else "running")
        return f"Backup {self.started_at:%Y-%m-%d %H:%M} ({state})"
