"""Celery tasks of records custody. Each imports its service in its body and owns only its
retry policy."""

from __future__ import annotations

from celery import shared_task


# Acknowledged on receipt: a long backup must not be handed to a second worker when the
# broker's visibility timeout (one hour) passes; a lost run is tomorrow's run.
@shared_task(acks_late=False, soft_time_limit=6 * 60 * 60, time_limit=6 * 60 * 60 + 300)
def backup_nightly_task() -> int:
    """Beat, nightly: one archive into CLINIC_BACKUP_DIR (and the bucket, if configured),
    keeping the newest CLINIC_BACKUP_KEEP. A failure is recorded on its BackupRun row and
    /healthz warns once the last good backup is older than 26 hours; the task is not
    retried (tomorrow's run is the retry, an operator is told by the warning)."""
    from custody.services import backup_nightly

    return backup_nightly().pk
