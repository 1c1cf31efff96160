"""Celery tasks of the treatments app: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from treatments import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def adverse_event_notify_task(event_id: int) -> bool:
    """Email the clinic admins about a serious adverse event (once; safe to run twice)."""
    return services.adverse_event_notify(event_id)
