"""Patients' requests for access to their records (PIPEDA s. 8; Ontario PHIPA s. 53-54)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.validators import NOTE_MAX, LimitedTextField


class AccessRequest(models.Model):
    """A request by a patient (or made for them by staff) for a copy of their records.

    It is due 30 days after it was received; the clinic may extend that once, by at most
    30 days, with a written reason (custody.services.requests, where the sources are cited).
    It is answered by a release (an archive of the export and the patient's PDFs, shown in
    their portal) or by a refusal with its reason.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RELEASED = "released", "Released"
        REFUSED = "refused", "Refused"

    class Channel(models.TextChoices):
        PORTAL = "portal", "Patient portal"
        STAFF = "staff", "Recorded by staff"

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="access_requests"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    details = LimitedTextField(
        "what is asked for",
        max_length=NOTE_MAX,
        help_text="E.g. 'my whole record', 'the notes of my visits in March'.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_reason = LimitedTextField(max_length=NOTE_MAX, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = LimitedTextField(max_length=NOTE_MAX, blank=True)
    # The release: one archive in private storage, fetched by the patient through the
    # portal with the token; its manifest lists what it held.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    release_file = models.FileField(max_length=200, blank=True, editable=False)
    release_manifest = models.JSONField(default=list, blank=True)

    history = HistoricalRecords(excluded_fields=["release_manifest"])

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="custody_request_open_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extension_days__isnull=True)
                | models.Q(extension_days__gte=1, extension_days__lte=30),
                name="custody_request_extension_30_days",
            )
        ]

    def __str__(self) -> str:
        return f"Access request {self.pk} of {self.patient}"

    @property
    def effective_due_on(self) -> dt.date:
        return self.due_on + dt.timedelta(days=self.extension_days or 0)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.localdate() > self.effective_due_on

    @property
    def was_extended(self) -> bool:
        return self.extension_days is not None
