"""Confirming a patient's e-mail address by a link (issue 16, acceptance 3): the public
page, its refusals (expired, used, superseded, forged), the desk's "send the link" button,
what the patient page says, and the audit trail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import selectors, services
from clinic.models import EmailVerification, Patient
from clinic.services.email_verification import email_verification_for_token
from clinic.tasks import email_verification_send_task
from clinic.tests.email_helpers import confirm_email, link_token
from clinic.tests.factories import make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(front_desk):
    return make_patient(legal_first_name="Dana", email="dana@example.org", by=front_desk)


def _link(verification: EmailVerification) -> str:
    return reverse("clinic:email_verify", args=[link_token(verification)])


def _unchanged(patient: Patient) -> None:
    patient.refresh_from_db()
    assert patient.email_verified == ""
    assert patient.email_verified_at is None


def test_the_link_confirms_once_from_a_post_and_is_audited(dana, front_desk, enqueued):
    verification = services.email_verification_create(patient=dana, by=front_desk)
    url = _link(verification)
    visitor = Client()
    page = visitor.get(url)
    assert page.status_code == 200
    assert "dana@example.org" in page.content.decode()
    _unchanged(dana)  # a mail scanner opening the link confirms nothing

    response = visitor.post(url, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert "dana@example.org</strong> is confirmed" in response.content.decode()
    dana.refresh_from_db()
    assert dana.email_verified == "dana@example.org"
    assert dana.email_confirmed
    verification.refresh_from_db()
    # The audit trail: who asked for the link and when, when and from where it was used,
    # and the change in the patient's history.
    assert verification.created_by == front_desk
    assert verification.used_at is not None
    assert verification.used_from == "203.0.113.9"
    # On the audit page's change history: the link asked for by the desk, then used.
    changes = [
        (c.what, c.kind, c.who)
        for c in selectors.audit_changes(selectors.AuditFilters())
        if c.what == "e-mail confirmation link"
    ]
    assert changes == [
        ("e-mail confirmation link", "changed", "system"),
        ("e-mail confirmation link", "created", front_desk.get_full_name() or "frontdesk"),
    ]
    latest = dana.history.first()
    assert latest.email_verified == "dana@example.org"
    assert latest.history_change_reason == "E-mail address confirmed by link"

    # Used: a clear page, not a second confirmation.
    again = visitor.post(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "W1sxLCJ4QHkueiJdXQ:forged:signature", "a" * 300, "%00", "..%2F"],
)
def test_a_forged_or_mangled_link_gets_a_clear_page(dana, front_desk, token, enqueued):
    services.email_verification_create(patient=dana, by=front_desk)
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/email/confirm/{token}/")
        assert response.status_code in {404, 410}, (token, method)
        if response.status_code == 410:
            assert "incomplete or incorrect" in response.content.decode()
    _unchanged(dana)


def test_a_token_for_another_address_is_refused(dana, front_desk, enqueued):
    """The token signs the address too: a valid id with another address is worthless."""
    from django.core import signing

    verification = services.email_verification_create(patient=dana, by=front_desk)
    forged = signing.dumps(
        [verification.pk, "attacker@example.org"], salt="clinic.email-verification"
    )
    response = Client().post(reverse("clinic:email_verify", args=[forged]))
    assert response.status_code == 410
    _unchanged(dana)


def test_an_expired_link_gets_a_clear_page(dana, front_desk, enqueued):
    verification = services.email_verification_create(patient=dana, by=front_desk)
    EmailVerification.objects.filter(pk=verification.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    for method in ("get", "post"):
        response = getattr(Client(), method)(_link(verification))
        assert response.status_code == 410
        assert "It has expired" in response.content.decode()
    _unchanged(dana)


def test_only_the_newest_link_works(dana, front_desk, client_for, enqueued):
    first = services.email_verification_create(patient=dana, by=front_desk)
    response = client_for(front_desk).post(
        reverse("clinic:patient_email_verification_send", args=[dana.pk]), follow=True
    )
    assert "confirmation link is on its way to dana@example.org" in response.content.decode()
    second = EmailVerification.objects.exclude(pk=first.pk).get()
    refused = Client().post(_link(first))
    assert refused.status_code == 410
    assert "newer link" in refused.content.decode()
    _unchanged(dana)
    assert Client().post(_link(second)).status_code == 200
    dana.refresh_from_db()
    assert dana.email_confirmed


def test_a_link_to_an_address_since_replaced_is_refused(dana, front_desk, enqueued):
    old = services.email_verification_create(patient=dana, by=front_desk)
    services.patient_update(patient=dana, by=front_desk, email="dana.new@example.org")
    response = Client().post(_link(old))
    assert response.status_code == 410
    _unchanged(dana)
    # The new address got its own link, automatically.
    new = EmailVerification.objects.get(email="dana.new@example.org")
    assert new.is_usable
    assert new.created_by == front_desk


def test_the_link_email_carries_no_clinical_content_and_is_sent_once_per_link(
    dana, front_desk, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        verification = services.email_verification_create(patient=dana, by=front_desk)
    [sent] = [t for t in enqueued if t.name == email_verification_send_task.name]
    mail.outbox.clear()
    sent.run()
    [message] = mail.outbox
    assert message.to == ["dana@example.org"]
    # The link's token is signed with a timestamp, so it is read back from the body (a
    # token made here a second later would differ) and must name this verification.
    [token] = re.findall(r"/email/confirm/([^/\s]+)/", message.body)
    assert email_verification_for_token(token) == verification
    assert "Dana" not in message.body
    assert message.attachments == []
    verification.refresh_from_db()
    assert verification.sent_at is not None
    # A used link is not sent again.
    services.email_verification_confirm(verification=verification)
    sent.run()
    assert len(mail.outbox) == 1


def test_editing_other_fields_or_keeping_the_confirmed_address_sends_no_link(
    dana, front_desk, enqueued
):
    confirm_email(dana, front_desk)
    enqueued.clear()
    services.patient_update(patient=dana, by=front_desk, phone="604-555-0199")
    services.patient_update(patient=dana, by=front_desk, email="DANA@example.org")
    assert [t for t in enqueued if t.name == email_verification_send_task.name] == []
    dana.refresh_from_db()
    assert dana.email_confirmed


def test_the_patient_page_shows_the_address_state_and_a_resend_button_for_the_desk(
    dana, front_desk, physio, client_for, enqueued
):
    url = reverse("clinic:patient_detail", args=[dana.pk])
    send = reverse("clinic:patient_email_verification_send", args=[dana.pk])
    desk = client_for(front_desk)
    page = desk.get(url).content.decode()
    assert "Not confirmed" in page
    assert "No confirmation link is pending" in page
    assert send in page
    assert "Send confirmation link" in page

    verification = services.email_verification_create(patient=dana, by=front_desk)
    services.email_verification_send(verification_id=verification.pk)
    page = desk.get(url).content.decode()
    assert "Confirmation link sent" in page
    assert "Resend confirmation link" in page
    # A physiotherapist sees the state but not the button, and may not send links.
    physio_page = client_for(physio).get(url).content.decode()
    assert "Not confirmed" in physio_page
    assert send not in physio_page
    assert client_for(physio).post(send).status_code == 403

    services.email_verification_confirm(verification=verification)
    page = desk.get(url).content.decode()
    assert "Confirmed" in page
    assert "Not confirmed" not in page
    assert send not in page


def test_sending_a_link_without_an_address_explains(front_desk, client_for, enqueued):
    patient = make_patient(by=front_desk)
    response = client_for(front_desk).post(
        reverse("clinic:patient_email_verification_send", args=[patient.pk]), follow=True
    )
    assert "Add an e-mail address to the record first" in response.content.decode()
    assert not EmailVerification.objects.exists()


def test_the_migration_confirms_addresses_of_accepted_invitations(front_desk, make_user):
    from importlib import import_module

    from django.apps import apps

    from clinic.models import PortalInvitation
    from clinic.permissions import Role

    migration = import_module("clinic.migrations.0011_patient_email_verification")
    invited = make_patient(legal_first_name="Ivy", email="ivy@example.org", by=front_desk)
    pending = make_patient(legal_first_name="Pat", email="pat@example.org", by=front_desk)
    now = timezone.now()
    for patient, used in ((invited, now), (pending, None)):
        PortalInvitation.objects.create(
            patient=patient, email=patient.email, created_by=front_desk,
            expires_at=now + dt.timedelta(days=7), used_at=used,
        )  # fmt: skip
    Patient.objects.filter(pk=invited.pk).update(user=make_user(Role.PATIENT, username="ivy"))
    migration.confirm_accepted_invitations(apps, None)
    invited.refresh_from_db()
    assert invited.email_confirmed
    _unchanged(pending)
