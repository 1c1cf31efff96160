"""Celery tasks of the front office. Each takes plain values (ids), imports its service
inside its body and calls it; a task owns only its retry policy. Services enqueue tasks
after commit (clinic.queueing), importing them at the top of their module."""

from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

WORKER_HEARTBEAT_KEY = "clinic:worker-heartbeat"
PROBE_KEY = "clinic:probe:{token}"


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


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def appointment_confirmation_task(appointment_id: int) -> bool:
    from clinic.services.reminders import appointment_confirmation_send

    return appointment_confirmation_send(appointment_id)


@shared_task
def spacing_audit_task() -> int:
    from clinic.services.reminders import spacing_audit

    return len(spacing_audit())


@shared_task
def dashboard_facts_rebuild_task() -> None:
    from clinic.services.dashboard_facts import dashboard_facts_rebuild

    dashboard_facts_rebuild()


@shared_task
def recall_task() -> int:
    from clinic.services.reminders import recall_send

    return recall_send()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def desk_notice_email_task(appointment_id: int, kind: str) -> bool:
    """E-mail the desk that a patient booked, confirmed or cancelled online."""
    from clinic.services.desk_notices import desk_notice_email_send

    return desk_notice_email_send(appointment_id=appointment_id, kind=kind)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def waitlist_offer_send_task(offer_id: int) -> bool:
    """E-mail one waitlist offer's link (safe to run twice: sends only while pending)."""
    from clinic.services.waitlist import waitlist_offer_send

    return waitlist_offer_send(offer_id=offer_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def waitlist_offer_gone_task(offer_id: int) -> bool:
    """Tell one patient the slot they were offered has been taken (once)."""
    from clinic.services.waitlist import waitlist_offer_gone_send

    return waitlist_offer_gone_send(offer_id=offer_id)


@shared_task
def waitlist_slot_freed_task(appointment_id: int) -> int:
    """A visit was cancelled: offer its slot automatically when the clinic says so."""
    from clinic.services.waitlist import waitlist_slot_freed

    return waitlist_slot_freed(appointment_id=appointment_id)


@shared_task
def waitlist_offers_expire_task() -> int:
    """Beat's sweep: offers past their time are marked expired."""
    from clinic.services.waitlist import waitlist_offers_expire

    return waitlist_offers_expire()


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def remeasure_reminder_send_task(reminder_id: int) -> bool:
    """E-mail a patient the link to the questionnaire due before their visit (once)."""
    from clinic.services.remeasure import remeasure_reminder_send

    return remeasure_reminder_send(reminder_id)


@shared_task
def remeasure_reminders_task() -> int:
    """Beat, daily: ask the patients who owe a re-measure before their next visit."""
    from clinic.services.remeasure import remeasure_reminders_send

    return remeasure_reminders_send()
