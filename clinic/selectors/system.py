"""Reads of the front office, shaped for one page each."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count

from clinic.celery import app as celery_app
from clinic.models import User
from clinic.permissions import Role
from clinic.tasks import WORKER_HEARTBEAT_KEY

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    database: str  # "ok" | "error"
    broker: str  # "ok" | "eager" | "error"
    worker_last_seen: str | None

    @property
    def ok(self) -> bool:
        return self.database == "ok"

    def as_dict(self) -> dict[str, str | None]:
        if not self.ok:
            status = "error"
        elif self.broker == "error":
            status = "degraded"  # serves pages; background work waits for the broker
        else:
            status = "ok"
        return {
            "status": status,
            "database": self.database,
            "broker": self.broker,
            "worker_last_seen": self.worker_last_seen,
        }


def health_status() -> Health:
    """Database and broker reachability for load balancers. Details of a failure go to
    the log, not to the (public) response."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:
        logger.exception("health check: database unreachable")
        database = "error"

    if settings.CELERY_TASK_ALWAYS_EAGER:
        broker = "eager"
    else:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            broker = "ok"
        except Exception:
            logger.exception("health check: broker unreachable")
            broker = "error"

    try:
        last_seen = cache.get(WORKER_HEARTBEAT_KEY)
    except Exception:
        logger.exception("health check: cache unreachable")
        last_seen = None
    return Health(database=database, broker=broker, worker_last_seen=last_seen)


def staff_by_role() -> list[tuple[Role, int]]:
    """How many active accounts hold each role, for the clinic admin's home page."""
    counts = dict(
        User.objects.filter(is_active=True)
        .values_list("groups__name")
        .annotate(n=Count("id"))
        .values_list("groups__name", "n")
    )
    return [(role, counts.get(role.group_name, 0)) for role in Role]
