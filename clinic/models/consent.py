"""Informed consent to IMS: versioned text, and who agreed to which version, when and how."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models.patients import Patient
from clinic.validators import DOCUMENT_MAX, LimitedTextField, moment_check, validate_past_moment


class ConsentVersion(models.Model):
    """A version of the consent text. Published versions are never edited: a change is a
    new version, and publishing it makes every earlier signature stale."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="Consent to intramuscular stimulation (IMS)")
    body = LimitedTextField(
        max_length=DOCUMENT_MAX, help_text="Plain paragraphs separated by blank lines."
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while a draft; set when published."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "clinic"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class Consent(models.Model):
    """A patient's signature (typed full name) on one consent version."""

    class Channel(models.TextChoices):
        PORTAL = "portal", "Patient portal"
        CLINIC = "clinic", "In clinic, with a physiotherapist"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="consents")
    typed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now, validators=[validate_past_moment])
    channel = models.CharField(max_length=10, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The account that was signed in: the patient, or the physiotherapist.",
    )

    class Meta:
        app_label = "clinic"
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "version"], name="clinic_consent_once_per_version"
            ),
            moment_check("clinic_consent", "signed_at"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} consented to v{self.version.version} on {self.signed_at:%Y-%m-%d}"
