"""Portal invitations: the front desk invites, the patient sets a password and is in."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient, PortalInvitation, User
from clinic.permissions import Role
from clinic.services.accounts import user_set_roles
from clinic.services.email_verification import patient_email_confirmed_by_invitation
from clinic.tasks import portal_invitation_send_task

_SALT = "clinic.portal-invitation"


class InvitationError(Exception):
    """The invitation cannot be made or used; the message is for the user."""


def invitation_token(invitation: PortalInvitation) -> str:
    """The link's token: the invitation id, signed with SECRET_KEY. Holding it proves the
    link came from us; whether it still works is the row's business (used, expired)."""
    return signing.dumps(invitation.pk, salt=_SALT, compress=False)


def invitation_for_token(token: str) -> PortalInvitation | None:
    try:
        pk = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return PortalInvitation.objects.select_related("patient").filter(pk=pk).first()


def invitation_url(invitation: PortalInvitation) -> str:
    path = reverse("clinic:portal_invitation", args=[invitation_token(invitation)])
    return settings.SITE_URL + path


@transaction.atomic
def portal_invitation_create(*, patient: Patient, by: User) -> PortalInvitation:
    """Invite `patient` to the portal at the e-mail address on file.

    Earlier pending invitations are revoked, so only the newest link works. The e-mail is
    sent by a task after commit.
    """
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.user_id:
        raise InvitationError(f"{patient.display_name} already has a portal account.")
    if not patient.email:
        raise InvitationError("Add an e-mail address to the record before inviting.")
    if User.objects.filter(username__iexact=patient.email).exists():
        raise InvitationError(
            f"Another account already uses {patient.email}; check the address on file."
        )
    now = timezone.now()
    patient.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    invitation = PortalInvitation.objects.create(
        patient=patient,
        email=patient.email,
        created_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.PORTAL_INVITATION_DAYS),
    )
    portal_invitation_send_task.delay_on_commit(invitation.pk)
    return invitation


def portal_invitation_send(*, invitation_id: int) -> bool:
    """E-mail the link of a still-usable invitation; returns whether it sent. Safe to run
    twice (a second run re-sends the same link, which is harmless)."""
    invitation = PortalInvitation.objects.select_related("patient").get(pk=invitation_id)
    if not invitation.is_usable:
        return False
    context = {
        "patient": invitation.patient,
        "url": invitation_url(invitation),
        "expires_at": invitation.expires_at,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    send_mail(
        subject=f"Your {settings.CLINIC_NAME} patient portal",
        message=render_to_string("clinic/email/portal_invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    PortalInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


def validate_invitation_password(invitation: PortalInvitation, password: str) -> None:
    """Django's password validators, judged against the account about to be created."""
    patient = invitation.patient
    candidate = User(
        username=invitation.email,
        email=invitation.email,
        first_name=patient.legal_first_name,
        last_name=patient.legal_last_name,
    )
    password_validation.validate_password(password, user=candidate)


@transaction.atomic
def portal_invitation_accept(*, invitation: PortalInvitation, password: str) -> User:
    """Create the patient's account (username = invited e-mail), link it to exactly this
    patient and use up the invitation. Locks the invitation so a double submit cannot
    create two accounts."""
    invitation = (
        PortalInvitation.objects.select_for_update().select_related("patient").get(pk=invitation.pk)
    )
    if not invitation.is_usable:
        raise InvitationError("This invitation link has already been used or has expired.")
    patient = Patient.objects.select_for_update().get(pk=invitation.patient_id)
    if patient.user_id:
        raise InvitationError("This patient already has a portal account.")
    validate_invitation_password(invitation, password)
    user = User(
        username=invitation.email.lower(),
        email=invitation.email.lower(),
        first_name=patient.first_name,
        last_name=patient.legal_last_name,
    )
    user.set_password(password)
    user.save()
    user_set_roles(user=user, roles={Role.PATIENT})
    patient.user = user
    # The invitation went to this address and the link came back: the address is proven.
    patient_email_confirmed_by_invitation(patient, invitation.email)
    patient._history_user = user
    patient.save(update_fields=["user", "email_verified", "email_verified_at", "updated_at"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user
