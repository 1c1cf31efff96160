"""The age of the last good backup, for /healthz and the clinic admin's home."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from custody.models import BackupRun


@dataclass(frozen=True)
class BackupAge:
    last_ok: BackupRun | None
    last_failed: BackupRun | None  # a failure after the last good one
    now: dt.datetime

    @property
    def max_age(self) -> dt.timedelta:
        return dt.timedelta(hours=settings.CLINIC_BACKUP_MAX_AGE_HOURS)

    @property
    def max_age_hours(self) -> int:
        return settings.CLINIC_BACKUP_MAX_AGE_HOURS

    @property
    def age(self) -> dt.timedelta | None:
        return self.now - self.last_ok.finished_at if self.last_ok else None

    @property
    def age_hours(self) -> float | None:
        return round(self.age.total_seconds() / 3600, 1) if self.age is not None else None

    @property
    def stale(self) -> bool:
        return self.age is None or self.age > self.max_age

    @property
    def warning(self) -> str:
        if self.last_ok is None:
            return "no backup has succeeded yet"
        if self.stale:
            return (
                f"the last good backup is {self.age_hours:g} hours old "
                f"(more than {settings.CLINIC_BACKUP_MAX_AGE_HOURS})"
            )
        return ""


def backup_age(now: dt.datetime | None = None) -> BackupAge:
    """Two indexed queries: the newest good run and a newer failed one, if any."""
    now = now or timezone.now()
    last_ok = BackupRun.objects.filter(ok=True).order_by("-finished_at").first()
    failed = BackupRun.objects.filter(ok=False, finished_at__isnull=False)
    if last_ok is not None:
        failed = failed.filter(finished_at__gt=last_ok.finished_at)
    return BackupAge(last_ok=last_ok, last_failed=failed.order_by("-finished_at").first(), now=now)


def backup_health():
    """/healthz's "backup" section (clinic.selectors.health_check_register): when the last
    good backup finished and how old it is; a warning past CLINIC_BACKUP_MAX_AGE_HOURS."""
    from clinic.selectors import HealthCheck

    age = backup_age()
    detail = {
        "status": "stale" if age.stale else "ok",
        "last_ok": age.last_ok.finished_at.isoformat() if age.last_ok else None,
        "age_hours": age.age_hours,
        "max_age_hours": settings.CLINIC_BACKUP_MAX_AGE_HOURS,
    }
    return HealthCheck(detail, warning=f"backup: {age.warning}" if age.warning else "")
