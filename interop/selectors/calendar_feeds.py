"""Reads for calendar feeds: the link behind a token, and the visits a feed shows."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from clinic.models import Appointment, Patient, Practitioner
from interop.models import CalendarFeed

# The window a feed covers: a month of history (so last week's visits stay put in the
# calendar) and a year ahead (the booking horizon is shorter).
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=366)


def live_feed_by_digest(digest: str) -> CalendarFeed | None:
    """The live link with this token hash, with what serving it needs (one query); None
    for an unknown or revoked link, and for one whose holder can no longer sign in (a
    practitioner who left, an account switched off): their link dies with their access."""
    holder_active = Q(
        kind=CalendarFeed.Kind.PRACTITIONER,
        practitioner__active=True,
        practitioner__user__is_active=True,
    ) | Q(kind=CalendarFeed.Kind.PATIENT, patient__user__is_active=True)
    return (
        CalendarFeed.objects.select_related("practitioner__user", "patient__user")
        .filter(holder_active, token_hash=digest, revoked_at__isnull=True)
        .first()
    )


def _window(queryset):
    now = timezone.now()
    return (
        queryset.filter(start__gte=now - FEED_PAST, start__lt=now + FEED_AHEAD)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("start", "pk")
    )


def practitioner_feed_appointments(practitioner_id: int) -> list[Appointment]:
    """The practitioner's visits in the window, cancelled ones left out, with only the
    columns the event shows (type, place, room and the patient's names for initials):
    one query."""
    queryset = Appointment.objects.filter(practitioner_id=practitioner_id).select_related(
        "type", "location", "room", "patient"
    )
    return list(
        _window(queryset).only(
            "start",
            "end",
            "status",
            "room_id",
            "type__name",
            "location__name",
            "room__name",
            "patient__preferred_name",
            "patient__legal_first_name",
            "patient__legal_last_name",
        )
    )


def patient_feed_appointments(patient_id: int) -> list[Appointment]:
    """The patient's own visits in the window, cancelled ones left out: one query."""
    queryset = Appointment.objects.filter(patient_id=patient_id).select_related(
        "type", "location", "practitioner"
    )
    return list(
        _window(queryset).only(
            "start",
            "end",
            "status",
            "type__name",
            "location__name",
            "location__address",
            "practitioner__display_name",
        )
    )


def live_feed_of(*, practitioner: Practitioner | None = None, patient: Patient | None = None):
    """The holder's live link (for the settings page), or None."""
    holder = {"practitioner": practitioner} if practitioner else {"patient": patient}
    return CalendarFeed.objects.filter(revoked_at__isnull=True, **holder).first()
