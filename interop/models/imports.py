"""Imports from other clinic software (Cliniko, Jane): the admin's saved column mappings, the
job that tracks one uploaded file through its dry run and its import, and the link from a
source system's id to the row it became, which makes a second run create nothing new."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportSource(models.TextChoices):
    CLINIKO = "cliniko", "Cliniko"
    JANE = "jane", "Jane"
    OTHER = "other", "Other software"


class ImportKind(models.TextChoices):
    PATIENTS = "patients", "Patients"
    APPOINTMENTS = "appointments", "Appointments"


class ImportPreset(models.Model):
    """A column mapping the clinic admin adjusted and saved: which header of the file feeds
    which field (`mapping`: field key -> header as written in the file)."""

    name = models.CharField(max_length=80, unique=True)
    source = models.CharField(max_length=10, choices=ImportSource.choices)
    kind = models.CharField(max_length=15, choices=ImportKind.choices)
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One uploaded file: its mapping, the dry run's report, then the import. A Celery task
    does the work and writes its progress here; the page polls this row."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Dry run in progress"
        CHECKED = "checked", "Dry run ready"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=10, choices=ImportSource.choices)
    kind = models.CharField(max_length=15, choices=ImportKind.choices)
    file_name = models.CharField(max_length=200)
    # The uploaded file, in private storage (clinic.storage): it holds patient data.
    file = models.FileField(upload_to="imports/", max_length=200)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # The dry run's (then the import's) report: counts, invalid rows with line numbers and
    # reasons, possible duplicates of existing patients (interop.services.imports.Report).
    report = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.get_kind_display().lower()}: {self.file_name}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class ImportedRecord(models.Model):
    """Source system's id -> the patient or appointment it became. Unique per source, kind
    and id, so an import run twice finds its rows instead of creating them again."""

    source = models.CharField(max_length=10, choices=ImportSource.choices)
    kind = models.CharField(max_length=15, choices=ImportKind.choices)
    source_id = models.CharField(max_length=64)
    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(
        "clinic.Appointment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    job = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="interop_imported_unique_source_id"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="patients", patient__isnull=False)
                | models.Q(kind="appointments", appointment__isnull=False),
                name="interop_imported_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id}"
