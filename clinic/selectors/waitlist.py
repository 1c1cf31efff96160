"""Reads for the waitlist pages: the list with its filters, a patient's entries, the
slots freed by recent cancellations, and the offers sent. A fixed number of queries each."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from clinic.models import Appointment, Patient, Practitioner, WaitlistEntry, WaitlistOffer

FREED_DAYS = 14  # cancellations this recent, for slots still ahead, are listed


def waitlist_entries(
    *, status: str = WaitlistEntry.Status.WAITING, practitioner: Practitioner | None = None
) -> QuerySet[WaitlistEntry]:
    """The list, longest waiting first; `practitioner`: entries naming them or anyone."""
    entries = WaitlistEntry.objects.select_related("patient", "type", "location").prefetch_related(
        Prefetch("practitioners", queryset=Practitioner.objects.order_by("display_name"))
    )
    if status:
        entries = entries.filter(status=status)
    if practitioner is not None:
        anyone = ~Exists(
            WaitlistEntry.practitioners.through.objects.filter(waitlistentry_id=OuterRef("pk"))
        )
        entries = entries.filter(
            anyone
            | Exists(
                WaitlistEntry.practitioners.through.objects.filter(
                    waitlistentry_id=OuterRef("pk"), practitioner_id=practitioner.pk
                )
            )
        )
    return entries.order_by("created_at", "pk")


def waitlist_for_patient(patient: Patient) -> list[WaitlistEntry]:
    return list(waitlist_entries(status=WaitlistEntry.Status.WAITING).filter(patient=patient))


def freed_slots(*, limit: int = 20) -> list[Appointment]:
    """Visits cancelled in the last FREED_DAYS days whose time is still ahead and still free
    for their practitioner (nothing booked over it since), soonest first. One query."""
    now = timezone.now()
    taken = Appointment.objects.filter(
        practitioner_id=OuterRef("practitioner_id"),
        start__lt=OuterRef("end"),
        end__gt=OuterRef("start"),
        status__in=Appointment.HOLDS_SLOT,
    )
    return list(
        Appointment.objects.filter(
            status=Appointment.Status.CANCELLED,
            start__gt=now,
            cancelled_at__gte=now - dt.timedelta(days=FREED_DAYS),
        )
        .exclude(Exists(taken))
        .select_related("practitioner", "location", "type")
        .order_by("start")[:limit]
    )


def waitlist_offers_recent(*, limit: int = 20) -> list[WaitlistOffer]:
    """The newest offers with their patients, for the desk to follow up."""
    return list(
        WaitlistOffer.objects.select_related(
            "entry__patient", "practitioner", "location", "type"
        ).order_by("-created_at")[:limit]
    )


def waitlist_offers_for_slot(*, practitioner: Practitioner, start: dt.datetime) -> dict[int, str]:
    """Entry id -> the status of its newest offer of this slot (the matches page shows it)."""
    found: dict[int, str] = {}
    for entry_id, status in (
        WaitlistOffer.objects.filter(practitioner=practitioner, start=start)
        .order_by("created_at")
        .values_list("entry_id", "status")
    ):
        found[entry_id] = status
    return found
