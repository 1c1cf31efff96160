"""Confirming a patient's e-mail address by a link, before documents may go to it.

The front desk may type any address into the record; clinical documents go only to an
address the patient proved they read (Patient.email_verified). Changing the address on file
sends a link to the new address (patient_update calls email_verification_create); the desk
can send it again from the patient's page. The e-mail carries no clinical content.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import EmailVerification, Patient, User
from clinic.origin import Origin
from clinic.queueing import send_after_commit
from clinic.tasks import email_verification_send_task

_SALT = "clinic.email-verification"
LINK_DAYS = 7  # like a portal invitation: long enough to find the e-mail after a weekend


class EmailVerificationError(Exception):
    """The link cannot be made or used; the message is for the user."""


def email_verification_token(verification: EmailVerification) -> str:
    """The link's token: the row id and the address, signed with SECRET_KEY. Holding it
    proves the link came from us and names the address it was sent to."""
    return signing.dumps([verification.pk, verification.email], salt=_SALT, compress=False)


def email_verification_for_token(token: str) -> EmailVerification | None:
    """The verification a token names, or None for a forged, mangled or stale token."""
    try:
        pk, email = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(email, str):
        return None
    return (
        EmailVerification.objects.select_related("patient")
        .filter(pk=pk, email__iexact=email)
        .first()
    )


def email_verification_url(verification: EmailVerification) -> str:
    path = reverse("clinic:email_verify", args=[email_verification_token(verification)])
    return settings.SITE_URL + path


def email_verification_pending(patient: Patient) -> EmailVerification | None:
    """The newest link for the address on file that still works (None if there is none)."""
    if not patient.email:
        return None
    latest = (
        EmailVerification.objects.filter(patient=patient, email__iexact=patient.email)
        .order_by("-created_at", "-id")
        .first()
    )
    return latest if latest and latest.is_usable else None


def email_verification_create(*, patient: Patient, by: User) -> EmailVerification:
    """Send a confirmation link to the patient's address on file (after commit).

    Earlier links still pending are revoked, so only the newest works. Must run inside the
    caller's transaction (it is called from patient_update); it is atomic on its own too.
    """
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        if not patient.email:
            raise EmailVerificationError("Add an e-mail address to the record first.")
        if patient.email_confirmed:
            raise EmailVerificationError(f"{patient.email} is already confirmed.")
        now = timezone.now()
        EmailVerification.objects.filter(
            patient=patient, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        verification = EmailVerification(
            patient=patient,
            email=patient.email.lower(),
            created_by=by,
            created_at=now,
            expires_at=now + dt.timedelta(days=LINK_DAYS),
        )
        verification._history_user = by
        verification.save()
        send_after_commit(email_verification_send_task, verification.pk)
    return verification


def email_verification_send(*, verification_id: int) -> bool:
    """E-mail the link of a still-usable verification; returns whether it sent. Safe to
    run twice (a second run re-sends the same link). No name, no clinical content: the
    address is not yet known to be the patient's."""
    verification = EmailVerification.objects.filter(pk=verification_id).first()
    if verification is None or not verification.is_usable:
        return False
    context = {
        "url": email_verification_url(verification),
        "expires_at": verification.expires_at,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    send_mail(
        subject=f"Please confirm your e-mail address - {settings.CLINIC_NAME}",
        message=render_to_string("clinic/email/email_verification.txt", context),
        from_email=None,
        recipient_list=[verification.email],
    )
    verification.sent_at = timezone.now()
    verification.save(update_fields=["sent_at"])  # saved, not updated: the history shows it
    return True


@transaction.atomic
def email_verification_confirm(
    *, verification: EmailVerification, origin: Origin = Origin.NONE
) -> Patient:
    """The patient followed the link: their address is confirmed and documents may go
    there. Locks the row so a double submit confirms once. Refuses a link whose address is
    no longer the one on file (the desk changed it since)."""
    verification = EmailVerification.objects.select_for_update().get(pk=verification.pk)
    if not verification.is_usable:
        raise EmailVerificationError(verification.state)
    patient = Patient.objects.select_for_update().get(pk=verification.patient_id)
    now = timezone.now()
    if patient.email.lower() != verification.email.lower():
        verification.revoked_at = now
        verification.save(update_fields=["revoked_at"])
        raise EmailVerificationError("revoked")
    patient.email_verified = verification.email
    patient.email_verified_at = now
    patient._history_user = None  # the patient, through the link; the history says when
    patient._change_reason = "E-mail address confirmed by link"
    patient.save(update_fields=["email_verified", "email_verified_at", "updated_at"])
    verification.used_at = now
    verification.used_from = origin.ip
    verification.save(update_fields=["used_at", "used_from"])
    return patient


def patient_email_confirmed_by_invitation(patient: Patient, email: str) -> None:
    """Accepting a portal invitation proves the address it was sent to, so it becomes the
    confirmed address (the caller holds the patient row locked and saves it)."""
    patient.email_verified = email.lower()
    patient.email_verified_at = timezone.now()


def document_email_refusal(patient: Patient) -> str:
    """Why no document can be e-mailed to `patient` now ("" when one can): the words the
    desk sees next to the greyed-out button and after a refused attempt."""
    if patient.document_email:
        return ""
    if not patient.email:
        return "The patient has no e-mail address on file; add one first."
    link = email_verification_pending(patient)
    if link is None:
        when = "no confirmation link is pending"
    elif link.sent_at:
        sent = date_format(timezone.localtime(link.sent_at), "j M Y")
        when = f"a confirmation link was sent on {sent}"
    else:
        when = "a confirmation link is waiting to be sent"
    return (
        f"The address {patient.email} has not been confirmed yet ({when}). Nothing was sent: "
        "documents go only to an address the patient confirmed. Resend the link from the "
        "patient's page if they cannot find it."
    )
