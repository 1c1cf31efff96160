"""Retention: which province's rule the clinic follows, legal holds that keep a record
whatever its age, and the register of records destroyed at the end of their retention."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.validators import NOTE_MAX, LimitedTextField


class Province(models.TextChoices):
    BC = "BC", "British Columbia"
    AB = "AB", "Alberta"
    ON = "ON", "Ontario"


class CustodySettings(models.Model):
    """The clinic's records-custody settings: one row (pk 1), created on first read by
    custody.services.custody_settings_get. Only the province for now: its retention rule
    (custody.retention.RULES) decides which records are past retention."""

    province = models.CharField(max_length=2, choices=Province.choices, default=Province.BC)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "records custody settings"
        verbose_name_plural = "records custody settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="custody_settings_singleton")
        ]

    def __str__(self) -> str:
        return f"Records custody: {self.get_province_display()}"


class LegalHold(models.Model):
    """A patient's records must be kept whatever their age (a claim, a complaint, a court
    order, an investigation). While a hold is in force (not lifted) the patient is never
    listed past retention and cannot be destroyed."""

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = LimitedTextField(max_length=NOTE_MAX)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = LimitedTextField("why it was lifted", max_length=NOTE_MAX, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["patient", "lifted_at"], name="custody_hold_patient_live")]

    def __str__(self) -> str:
        return f"Legal hold on {self.patient} since {self.placed_at:%Y-%m-%d}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class DestructionRecord(models.Model):
    """The register of destroyed records: who destroyed which patient's clinical record,
    when, under which rule and how much was removed. Kept for good (on PostgreSQL a trigger
    refuses UPDATE and DELETE, custody migration 0003); the patient row it points to is the
    identity stub left behind (name and date of birth)."""

    patient = models.OneToOneField(
        "clinic.Patient", on_delete=models.PROTECT, related_name="destruction"
    )
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    destroyed_at = models.DateTimeField(default=timezone.now)
    province = models.CharField(max_length=2, choices=Province.choices)
    rule = models.CharField(max_length=300, help_text="The rule applied, in words.")
    rule_source = models.CharField(max_length=300)
    last_entry = models.DateField()
    majority_on = models.DateField("age of majority reached on")
    retention_until = models.DateField()
    # {"treatment sessions": 3, "documents (files)": 4, ...}: what was removed, by kind.
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-destroyed_at"]

    def __str__(self) -> str:
        return f"Records of patient {self.patient_id} destroyed {self.destroyed_at:%Y-%m-%d}"

    @property
    def total_removed(self) -> int:
        return sum(self.counts.values())
