"""The privacy breach register."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.validators import NOTE_MAX, LimitedTextField, date_check, validate_past_date


class Breach(models.Model):
    """One privacy incident: what happened, when it was discovered, who was affected,
    whether it posed a real risk of significant harm (PIPEDA s. 10.1(7): the sensitivity of
    the information and the probability of misuse) and whom the clinic notified when.

    Kept at least 24 months (PIPEDA Breach of Security Safeguards Regulations,
    SOR/2018-64, s. 6(1)); the app never deletes one (no delete view, the Django admin may
    not, and on PostgreSQL a trigger refuses DELETE: custody migration 0003). The
    categories are those of the Ontario IPC's annual statistics for health information
    custodians (PHIPA s. 6.4 of O. Reg. 329/04).
    """

    class Category(models.TextChoices):
        STOLEN = "stolen", "Stolen"
        LOST = "lost", "Lost"
        USED = "used", "Used without authority"
        DISCLOSED = "disclosed", "Disclosed without authority"

    what = LimitedTextField("what happened", max_length=NOTE_MAX)
    category = models.CharField(max_length=10, choices=Category.choices)
    occurred_on = models.DateField(null=True, blank=True, validators=[validate_past_date])
    discovered_on = models.DateField(validators=[validate_past_date])
    patients_affected = models.PositiveIntegerField(
        help_text="How many patients' information was involved."
    )
    real_risk = models.BooleanField(
        "real risk of significant harm",
        help_text="The sensitivity of the information and how likely it is to be misused.",
    )
    risk_reasoning = LimitedTextField("why (or why not)", max_length=NOTE_MAX)
    commissioner_notified_on = models.DateField(
        "commissioner notified on", null=True, blank=True, validators=[validate_past_date]
    )
    patients_notified_on = models.DateField(
        "patients notified on", null=True, blank=True, validators=[validate_past_date]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-discovered_on", "-id"]
        verbose_name_plural = "breaches"
        constraints = [
            date_check("custody_breach", "discovered_on"),
            date_check("custody_breach", "occurred_on", nullable=True),
            date_check("custody_breach", "commissioner_notified_on", nullable=True),
            date_check("custody_breach", "patients_notified_on", nullable=True),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} discovered {self.discovered_on:%Y-%m-%d}"
