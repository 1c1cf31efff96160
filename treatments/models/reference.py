"""Treatment reference data, clinic-edited: needle sizes, home-care advice, and the
physiotherapists' needling credentials."""

from __future__ import annotations

import datetime as dt

from django.db import models
from simple_history.models import HistoricalRecords

from clinic.validators import NOTE_MAX, LimitedTextField, date_check, validate_reference_date


class NeedleSize(models.Model):
    """A needle the clinic stocks: gauge (diameter) and length. Sites pick from these."""

    diameter_mm = models.DecimalField(max_digits=4, decimal_places=2)
    length_mm = models.PositiveSmallIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["diameter_mm", "length_mm"]
        constraints = [
            models.UniqueConstraint(fields=["diameter_mm", "length_mm"], name="treat_needle_once")
        ]

    def __str__(self) -> str:
        return f"{self.diameter_mm:.2f} × {self.length_mm} mm"


class HomeCareSnippet(models.Model):
    """A piece of home-care advice the physiotherapist ticks instead of typing."""

    title = models.CharField(max_length=80, unique=True)
    text = LimitedTextField(
        max_length=NOTE_MAX, help_text="Plain words, as the patient will read them."
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title


class NeedlingCredential(models.Model):
    """A physiotherapist's registration to needle (their college's dry-needling / IMS
    roster), with its validity. Signing a session needs one valid on the session's date."""

    practitioner = models.ForeignKey(
        "clinic.Practitioner", on_delete=models.PROTECT, related_name="needling_credentials"
    )
    college = models.CharField(max_length=120)
    roster_number = models.CharField(max_length=40)
    valid_from = models.DateField(validators=[validate_reference_date])
    expires_on = models.DateField(validators=[validate_reference_date])
    history = HistoricalRecords()

    class Meta:
        ordering = ["-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("valid_from")),
                name="treat_credential_dates",
            ),
            date_check("treat_credential", "valid_from"),
            date_check("treat_credential", "expires_on"),
        ]

    def __str__(self) -> str:
        return f"{self.college} roster {self.roster_number} (to {self.expires_on:%Y-%m-%d})"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.expires_on
