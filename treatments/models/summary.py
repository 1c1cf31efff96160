"""Patient documents rendered in the background: the visit summary of a signed session and
the course summary a physiotherapist sends to a referring physician.

A row tracks each piece of work (DESIGN.md "Side effects and Celery"): it is written in the
same transaction as the change that asks for it (signing, an addendum, a request), as
`pending`; a Celery task claims it, renders the PDF into private storage and marks it
`ready`, or `failed` with the error. Rows are never deleted: an addendum adds a new version
of a visit summary and the older versions stay for staff.

URLs name a document by its random `token` (a UUID), never by its sequential id, and every
view also checks that the document belongs to the person asking.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.validators import date_check, validate_past_date


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class RenderedDocument(models.Model):
    """What every rendered PDF tracks: its state, its file and how the work went."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    file = models.FileField(max_length=200, blank=True, editable=False)
    error = models.TextField(blank=True, help_text="Why the last attempt failed.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # When the work was last sent to the queue; the sweeper re-sends rows pending for long.
    queued_at = models.DateTimeField(default=timezone.now)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(
        null=True, blank=True, help_text="Wall time of the last successful render."
    )

    class Meta:
        abstract = True

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY

    @property
    def is_pending(self) -> bool:
        return self.status == DocumentStatus.PENDING

    @property
    def is_failed(self) -> bool:
        return self.status == DocumentStatus.FAILED


class VisitSummary(RenderedDocument):
    """Version `version` of the patient's summary of one signed session."""

    session = models.ForeignKey(
        "treatments.TreatmentSession", on_delete=models.PROTECT, related_name="summaries"
    )
    version = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField(max_length=100, default="Session signed")
    patient_notified_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the front desk last e-mailed it to the patient."
    )
    emailed_to = models.EmailField(blank=True)
    # What the e-mail task did with the last request: sent, or why not (the address the
    # patient confirmed changed between the desk's click and the send).
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_problem = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["session", "version"], name="treat_summary_version")
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="treat_summary_status")]
        verbose_name_plural = "visit summaries"

    def __str__(self) -> str:
        return f"Visit summary v{self.version} of {self.session}"

    @property
    def filename(self) -> str:
        return f"visit-summary-{self.session.session_date:%Y-%m-%d}-v{self.version}.pdf"


class CourseSummary(RenderedDocument):
    """A summary of the patient's sessions between two dates, for a referring physician."""

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="course_summaries"
    )
    date_from = models.DateField("from", validators=[validate_past_date])
    date_to = models.DateField("to", validators=[validate_past_date])
    recipient = models.CharField(
        "for", max_length=120, blank=True, help_text="e.g. Dr. Lee, family physician"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_from__lte=models.F("date_to")),
                name="treat_course_dates_ordered",
            ),
            date_check("treat_course", "date_from"),
            date_check("treat_course", "date_to"),
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="treat_course_status")]
        verbose_name_plural = "course summaries"

    def __str__(self) -> str:
        return f"Course summary for {self.patient} {self.date_from} to {self.date_to}"

    @property
    def filename(self) -> str:
        return f"course-summary-{self.date_from:%Y-%m-%d}-to-{self.date_to:%Y-%m-%d}.pdf"


class RecordCopy(RenderedDocument):
    """A readable PDF of the patient's whole record, asked for by the patient in the portal
    ("My records"): their details, intake, consents, questionnaires, appointments, each
    signed visit in plain words and their documents, as it stood when it was rendered."""

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="record_copies"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "queued_at"], name="treat_record_status")]
        verbose_name = "record copy"
        verbose_name_plural = "record copies"

    def __str__(self) -> str:
        return f"Record copy for {self.patient} ({self.created_at:%Y-%m-%d})"

    @property
    def filename(self) -> str:
        return f"my-clinic-record-{timezone.localtime(self.created_at):%Y-%m-%d}.pdf"


class DischargeSummary(RenderedDocument):
    """The patient's summary of a finished course of care, in plain words: asked for when the
    physiotherapist discharges the plan (clinic.services.care_plan_discharge runs the hook),
    listed in the patient's portal documents. One per plan."""

    care_plan = models.OneToOneField(
        "clinic.CarePlan", on_delete=models.PROTECT, related_name="discharge_summary"
    )
    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="discharge_summaries"
    )
    patient_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "queued_at"], name="treat_discharge_status")]
        verbose_name_plural = "discharge summaries"

    def __str__(self) -> str:
        return f"Discharge summary of plan {self.care_plan_id}"

    @property
    def filename(self) -> str:
        return f"discharge-summary-{timezone.localtime(self.created_at):%Y-%m-%d}.pdf"
