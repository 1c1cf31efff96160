"""Proof that a patient reads an e-mail address, before clinical documents go there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class EmailVerification(models.Model):
    """A link e-mailed to one address of one patient; clicking it (and confirming) proves
    the patient reads that address, and only then may documents be e-mailed to it.

    The link's token is a signature of this row's id and address (clinic.services), so
    nothing secret is stored and the e-mail task rebuilds the link from the id. Whether it
    still works is decided here: not used, not superseded, not expired. Rows are kept: with
    the patient's change history they are the audit trail of who asked for a link, when it
    was sent, and when (and from which network address) it was confirmed.
    """

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.CASCADE, related_name="email_verifications"
    )
    email = models.EmailField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_from = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="A newer link, or the address on file changed."
    )
    # Asked for (by whom), sent, confirmed: each a row on the audit page's change history.
    history = HistoricalRecords()

    class Meta:
        app_label = "clinic"
        verbose_name = "e-mail confirmation link"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="clinic_emailverif_patient"),
        ]

    def __str__(self) -> str:
        return f"E-mail verification for {self.patient} ({self.email})"

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_usable(self) -> bool:
        return self.state == "pending"
