"""The waitlist: patients who want an earlier visit, and the e-mailed offers of a freed slot.

Which entries match a slot, and the ranking, live in clinic.services.waitlist
(`waitlist_matches`); booking from an offer goes through the booking service under its
locks (clinic.services.scheduling.appointment_book), never around it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models.patients import Patient
from clinic.models.scheduling import Appointment, AppointmentType, Location, Practitioner
from clinic.validators import date_check


class TimeWindow(models.TextChoices):
    """Named parts of the day a patient can come; a slot fits by its start time."""

    MORNING = "morning", "Morning (before 12:00)"
    AFTERNOON = "afternoon", "Afternoon (12:00-17:00)"
    EVENING = "evening", "Evening (from 17:00)"


WINDOW_BOUNDS: dict[str, tuple[dt.time, dt.time]] = {
    TimeWindow.MORNING: (dt.time(0), dt.time(12)),
    TimeWindow.AFTERNOON: (dt.time(12), dt.time(17)),
    TimeWindow.EVENING: (dt.time(17), dt.time.max),
}

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class WaitlistEntry(models.Model):
    """A patient waiting for an earlier visit of one type: with whom (none chosen: anyone),
    where (empty: any location), on which weekdays, at which times (named windows and/or
    a from-to range; none: any time), from `earliest_date` (and up to `latest_date`)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked"
        REMOVED = "removed", "Removed"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist")
    type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+", verbose_name="visit type"
    )
    practitioners = models.ManyToManyField(
        Practitioner,
        blank=True,
        related_name="+",
        verbose_name="preferred practitioners",
        help_text="Leave empty for any practitioner.",
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for any location.",
    )
    # Weekday numbers (Monday 0 .. Sunday 6) as digits, e.g. "024" for Mon, Wed, Fri.
    weekdays = models.CharField(max_length=7, default="01234")
    # Named windows, comma separated (TimeWindow values); with time_from/time_to a slot
    # fits when it fits any of them; none at all: any time of day.
    windows = models.CharField(max_length=40, blank=True)
    time_from = models.TimeField(null=True, blank=True)
    time_to = models.TimeField(null=True, blank=True)
    earliest_date = models.DateField()
    latest_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        app_label = "clinic"
        ordering = ["created_at"]
        verbose_name_plural = "waitlist entries"
        indexes = [
            models.Index(fields=["status", "type", "earliest_date"], name="clinic_waitlist_match"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latest_date__isnull=True)
                | models.Q(latest_date__gte=models.F("earliest_date")),
                name="clinic_waitlist_dates_in_order",
            ),
            models.CheckConstraint(
                condition=(models.Q(time_from__isnull=True) & models.Q(time_to__isnull=True))
                | models.Q(time_to__gt=models.F("time_from")),
                name="clinic_waitlist_times_in_order",
            ),
            date_check("clinic_waitlist", "earliest_date"),
            date_check("clinic_waitlist", "latest_date", nullable=True),
        ]

    def __str__(self) -> str:
        return f"{self.patient} waiting for {self.type}"

    @property
    def weekday_list(self) -> list[int]:
        return sorted(int(d) for d in self.weekdays if d.isdigit())

    @property
    def window_list(self) -> list[str]:
        return [w for w in self.windows.split(",") if w in WINDOW_BOUNDS]

    @property
    def days_label(self) -> str:
        days = self.weekday_list
        if days == list(range(7)):
            return "Any day"
        if days == list(range(5)):
            return "Weekdays"
        return ", ".join(WEEKDAY_NAMES[d] for d in days)

    @property
    def times_label(self) -> str:
        labels = {w.value: w.label.split(" (")[0] for w in TimeWindow}
        parts = [labels[w] for w in self.window_list]
        if self.time_from and self.time_to:
            parts.append(f"{self.time_from:%H:%M}-{self.time_to:%H:%M}")
        return ", ".join(parts) or "Any time"

    def fits_time(self, start: dt.time, end: dt.time) -> bool:
        """Does a visit from `start` to `end` (clinic-local) suit the patient's times?"""
        windows = self.window_list
        ranged = self.time_from is not None and self.time_to is not None
        if not windows and not ranged:
            return True
        if any(low <= start < high for low, high in (WINDOW_BOUNDS[w] for w in windows)):
            return True
        return ranged and self.time_from <= start and end <= self.time_to


def _nonce() -> str:
    return secrets.token_urlsafe(16)


class WaitlistOffer(models.Model):
    """A freed slot offered by e-mail to one waitlist entry. The link's token is signed
    (clinic.services.waitlist.waitlist_offer_token) and names this row and its `nonce`;
    the row's status makes it one-time: only a pending, unexpired offer can be taken, and
    taking it books through the booking service (first to accept wins)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Sent, waiting for an answer"
        ACCEPTED = "accepted", "Accepted: booked"
        GONE = "gone", "Taken by someone else"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    nonce = models.CharField(max_length=32, default=_nonce, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    gone_sent_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        app_label = "clinic"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="clinic_offer_status_expiry"),
            models.Index(fields=["practitioner", "start"], name="clinic_offer_slot"),
        ]

    def __str__(self) -> str:
        return f"Offer to {self.entry.patient} for {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def end(self) -> dt.datetime:
        return self.start + self.type.duration

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()
