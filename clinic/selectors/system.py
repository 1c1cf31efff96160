"""Reads of the front office, shaped for one page each."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
class HealthCheck:
    """What one app above clinic adds to /healthz: a JSON-safe detail, and a warning (a
    short sentence) when the node serves but something needs an operator."""

    detail: dict[str, Any]
    warning: str = ""


HealthCheckProvider = Callable[[], HealthCheck]

_health_checks: dict[str, HealthCheckProvider] = {}


def health_check_register(name: str, provider: HealthCheckProvider) -> None:
    """Add a section `name` to /healthz (custody's last good backup, for example). The
    layers forbid clinic from importing the apps above it, so they register in their
    AppConfig.ready; registering a name again replaces its provider."""
    _health_checks[name] = provider


@dataclass(frozen=True)
class Health:
    database: str  # "ok" | "error"
    broker: str  # "ok" | "eager" | "error"
    worker_last_seen: str | None
    checks: dict[str, HealthCheck] = field(default_factory=dict)

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
        body: dict[str, Any] = {
            "status": status,
            "database": self.database,
            "broker": self.broker,
            "worker_last_seen": self.worker_last_seen,
        }
        for name, check in self.checks.items():
            body[name] = check.detail
        warnings = [check.warning for check in self.checks.values() if check.warning]
        if warnings:
            body["warnings"] = warnings
        return body


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
    checks = {}
    if database == "ok":
        for name, provider in _health_checks.items():
            try:
                checks[name] = provider()
            except Exception:
                logger.exception("health check: %s failed", name)
                checks[name] = HealthCheck({"status": "error"}, warning=f"{name}: check failed")
    return Health(database=database, broker=broker, worker_last_seen=last_seen, checks=checks)


def staff_by_role() -> list[tuple[Role, int]]:
    """How many active accounts hold each role, for the clinic admin's home page."""
    counts = dict(
        User.objects.filter(is_active=True)
        .values_list("groups__name")
        .annotate(n=Count("id"))
        .values_list("groups__name", "n")
    )
    return [(role, counts.get(role.group_name, 0)) for role in Role]
