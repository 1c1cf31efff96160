"""Calendar feeds: a secret URL a calendar app subscribes to (issue 21, calendar feeds)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CalendarFeed(models.Model):
    """One subscription link: a practitioner's schedule or a patient's own visits.

    The link's token is the credential (a calendar app cannot sign in), so only its SHA-256
    is stored: a copy of the database does not open anyone's calendar, and the link is
    shown once, when it is made. Revoking keeps the row (who made and ended it, and when)
    and makes the link answer 404; a holder has at most one live link.
    """

    class Kind(models.TextChoices):
        PRACTITIONER = "practitioner", "Practitioner's schedule"
        PATIENT = "patient", "Patient's appointments"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    practitioner = models.ForeignKey(
        "clinic.Practitioner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    patient = models.ForeignKey(
        "clinic.Patient",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When a calendar app last fetched it (kept to the quarter hour), so the holder can
    # tell a link that is in use from a forgotten one.
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "interop"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="practitioner", practitioner__isnull=False, patient__isnull=True)
                    | Q(kind="patient", patient__isnull=False, practitioner__isnull=True)
                ),
                name="interop_feed_one_holder",
            ),
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(revoked_at__isnull=True, practitioner__isnull=False),
                name="interop_feed_one_live_per_practitioner",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(revoked_at__isnull=True, patient__isnull=False),
                name="interop_feed_one_live_per_patient",
            ),
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "live"
        return f"{self.get_kind_display()} feed {self.pk} ({state})"

    @property
    def live(self) -> bool:
        return self.revoked_at is None
