"""The access log: who read which patient's records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.validators import NOTE_MAX, LimitedTextField


class AccessLog(models.Model):
    """One read of a patient's records: who, which patient, what, when, from where.

    Rows are written by clinic.access.access_log_record, called by every view that shows
    or hands out clinical content (chart, session notes, PDFs); emergency access and every
    care-team grant or removal (action CARE_TEAM, clinic.services.care_team) leave a row
    too. They are never edited.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        SEARCH = "search", "Searched"
        EMAIL = "email", "Emailed"
        EMERGENCY = "emergency", "Emergency access"
        CARE_TEAM = "care_team", "Care team changed"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_logs"
    )
    patient = models.ForeignKey(
        "clinic.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_logs",
    )
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.VIEW)
    what = models.CharField(max_length=200, help_text="What was read, e.g. 'chart'.")
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    reason = LimitedTextField(
        blank=True,
        max_length=NOTE_MAX,
        help_text="Emergency access: why the record was opened (for review).",
    )

    class Meta:
        app_label = "clinic"
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["patient", "-at"], name="clinic_acce_patient_c9cfb2_idx"),
            models.Index(fields=["user", "-at"], name="clinic_acce_user_id_7678fd_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.what}"


class AccessReview(models.Model):
    """A privacy officer's review of an emergency ("break-the-glass") access. A separate
    row, because access log rows are never changed (on PostgreSQL a trigger refuses)."""

    log = models.OneToOneField(AccessLog, on_delete=models.PROTECT, related_name="review")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        app_label = "clinic"

    def __str__(self) -> str:
        return f"Review of {self.log}"
