"""The care team: who may open a patient's clinical record without breaking the glass."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CareTeamMember(models.Model):
    """One practitioner on one patient's care team, from `added_at` until `removed_at`.

    A practitioner joins only explicitly: the front desk or a clinic admin assigns them
    (ASSIGNED), or they sign an assessment or session note for the patient (SIGNED_RECORD).
    Booking an appointment, starting a draft or writing an addendum grants nothing. Rows
    are never deleted: a removal fills `removed_at`/`removed_by`, and joining again is a
    new row, so the table is the team's history. Every change also writes an AccessLog
    row (action CARE_TEAM) that the audit page lists. At most one open row per pair.
    """

    class Source(models.TextChoices):
        ASSIGNED = "assigned", "Assigned by the clinic"
        SIGNED_RECORD = "signed_record", "Signed a record"

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="care_team"
    )
    practitioner = models.ForeignKey(
        "clinic.Practitioner", on_delete=models.PROTECT, related_name="care_teams"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        app_label = "clinic"
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "practitioner"],
                condition=models.Q(removed_at__isnull=True),
                name="care_team_one_open_membership",
            ),
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True) | models.Q(removed_by__isnull=False),
                name="care_team_removal_has_remover",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practitioner", "patient"],
                condition=models.Q(removed_at__isnull=True),
                name="care_team_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} on the care team of patient {self.patient_id}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None
