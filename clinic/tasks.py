"""Celery tasks of the front office. Each takes plain values and calls one service."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

WORKER_HEARTBEAT_KEY = "clinic:worker-heartbeat"
PROBE_KEY = "clinic:probe:{token}"

logger = logging.getLogger(__name__)


def send_after_commit(task: Task, *args: Any) -> None:
    """Send `task` once the current transaction commits, like `task.delay_on_commit`, but a
    broker that cannot be reached does not turn the committed request into an error page.

    Use it for work a database row tracks (e.g. a summary left `pending`): the row is the
    record that the work is owed, and a beat sweeper sends it again later.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 (kombu raises many kinds when the broker is down)
            logger.warning(
                "Could not send %s%r to the broker; the sweeper will send it later",
                task.name,
                args,
                exc_info=True,
            )

    transaction.on_commit(send)


@shared_task
def worker_heartbeat_task() -> None:
    """Beat sends this every minute; /healthz reports when a worker last ran it."""
    cache.set(WORKER_HEARTBEAT_KEY, timezone.now().isoformat(), timeout=60 * 60)


@shared_task
def sessions_clear_expired_task() -> int:
    """Delete expired sign-in sessions (daily), so the table holds live sessions only."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def broker_probe_task(token: str) -> None:
    """Mark `token` as run in the shared cache: proves a round trip through the broker
    to a worker (used by the worker tests and by `manage.py celery_probe`)."""
    cache.set(PROBE_KEY.format(token=token), timezone.now().isoformat(), timeout=600)


@shared_task
def portal_invitation_send_task(invitation_id: int) -> None:
    from clinic.services.invitations import portal_invitation_send

    portal_invitation_send(invitation_id=invitation_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def email_verification_send_task(verification_id: int) -> bool:
    """E-mail a link that confirms a patient's address (safe to run twice)."""
    from clinic.services.email_verification import email_verification_send

    return email_verification_send(verification_id=verification_id)


@shared_task
def appointment_reminders_task() -> int:
    from clinic.services.reminders import appointment_reminders_send

    return appointment_reminders_send()


@shared_task
def spacing_audit_task() -> int:
    from clinic.services.reminders import spacing_audit

    return len(spacing_audit())


@shared_task
def recall_task() -> int:
    from clinic.services.reminders import recall_send

    return recall_send()
