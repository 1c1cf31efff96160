"""Confirming a patient's e-mail address in tests, the way the patient does: a link is
made for the address on file and followed."""

from __future__ import annotations

from clinic import services
from clinic.models import EmailVerification, Patient, User


def confirm_email(patient: Patient, by: User) -> Patient:
    """Confirm `patient`'s address on file through the services (no e-mail is sent: the
    send task is only enqueued, and tests record rather than run enqueued tasks)."""
    verification = services.email_verification_create(patient=patient, by=by)
    services.email_verification_confirm(verification=verification)
    patient.refresh_from_db()
    return patient


def link_token(verification: EmailVerification) -> str:
    from clinic.services.email_verification import email_verification_token

    return email_verification_token(verification)
