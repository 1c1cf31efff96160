"""Portal invitations: single-use, expiring, and bound to one patient."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic import services
from clinic.models import PortalInvitation, User
from clinic.permissions import Role
from clinic.tests.factories import make_patient

pytestmark = pytest.mark.django_db
PASSWORD = "quiet-river-stone"


@pytest.fixture
def invite(enqueued, django_capture_on_commit_callbacks):
    """Front desk presses "Invite"; the e-mail task is enqueued on commit and then run."""

    def do(client, patient) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("clinic:patient_invite", args=[patient.pk]))
        task = enqueued.pop()
        assert task.name == "clinic.tasks.portal_invitation_send_task"
        assert task.args == (PortalInvitation.objects.latest("created_at").pk,)
        task.run()
        return _link(mail.outbox[-1].body)

    return do


def _link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/portal/welcome/\S+/)", body).group(1)


def test_invitation_link_sets_a_password_and_lands_in_the_portal(
    client, client_for, front_desk, invite
):
    patient = make_patient(email="Robin.Lee@Example.com", legal_first_name="Robin")
    link = invite(client_for(front_desk), patient)
    assert mail.outbox[-1].to == ["robin.lee@example.com"]

    page = client.get(link)
    assert "Welcome, Robin" in page.content.decode()
    landed = client.post(link, {"password1": PASSWORD, "password2": PASSWORD}, follow=True)
    assert landed.redirect_chain[-1][0] == reverse("clinic:portal_home")
    assert "Welcome, Robin" in landed.content.decode()

    patient.refresh_from_db()
    user = patient.user
    assert user.username == "robin.lee@example.com"
    assert user.roles == frozenset({Role.PATIENT})
    assert user.check_password(PASSWORD)
    assert PortalInvitation.objects.get().state == "used"


def test_the_link_works_once(client, client_for, front_desk, invite):
    patient = make_patient(email="once@example.com")
    link = invite(client_for(front_desk), patient)
    client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    second = client.post(
        link, {"password1": "another-pass-phrase", "password2": "another-pass-phrase"}
    )
    assert second.status_code == 410
    assert User.objects.filter(username="once@example.com").count() == 1


def test_the_link_expires(client, client_for, front_desk, invite):
    patient = make_patient(email="late@example.com")
    link = invite(client_for(front_desk), patient)
    PortalInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    patient.refresh_from_db()
    assert patient.user is None


def test_a_new_invitation_revokes_the_old_link(client, client_for, front_desk, invite):
    patient = make_patient(email="twice@example.com")
    desk = client_for(front_desk)
    first = invite(desk, patient)
    second = invite(desk, patient)
    assert first != second
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_tampered_token_reaches_no_one(client, client_for, front_desk, invite):
    patient = make_patient(email="a@example.com")
    other = make_patient(email="b@example.com", legal_first_name="Other")
    link = invite(client_for(front_desk), patient)
    invitation_b = PortalInvitation.objects.create(
        patient=other,
        email=other.email,
        created_by=front_desk,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    # Swap the signed id for B's id without the signature: refused.
    forged = link.replace(link.split("/")[-2].split(":")[0], str(invitation_b.pk))
    assert client.get(forged).status_code == 410
    assert client.get("/portal/welcome/not-a-token/").status_code == 410


def test_the_new_account_reaches_only_its_own_record(client, client_for, front_desk, invite):
    mine = make_patient(email="mine@example.com", legal_first_name="Mina")
    theirs = make_patient(email="theirs@example.com", legal_first_name="Theo")
    link = invite(client_for(front_desk), mine)
    client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    home = client.get(reverse("clinic:portal_home")).content.decode()
    assert "Welcome, Mina" in home
    assert client.get(reverse("clinic:patient_detail", args=[theirs.pk])).status_code == 403
    theirs.refresh_from_db()
    assert theirs.user is None


def test_weak_or_mismatched_passwords_are_explained_and_nothing_is_created(
    client, client_for, front_desk, invite
):
    patient = make_patient(email="weak@example.com", legal_first_name="Wendy")
    link = invite(client_for(front_desk), patient)
    short = client.post(link, {"password1": "abc", "password2": "abc"})
    assert "too short" in str(short.context["form"].errors["password1"])
    mismatch = client.post(link, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert "not the same" in str(mismatch.context["form"].errors["password2"])
    assert not User.objects.filter(username="weak@example.com").exists()
    assert PortalInvitation.objects.get().state == "pending"


def test_invitations_need_an_email_and_no_existing_account(client_for, front_desk, patient_user):
    no_email = make_patient(email="")
    with pytest.raises(services.InvitationError, match="Add an e-mail address"):
        services.portal_invitation_create(patient=no_email, by=front_desk)
    with pytest.raises(services.InvitationError, match="already has a portal account"):
        services.portal_invitation_create(patient=patient_user.patient, by=front_desk)
    response = client_for(front_desk).post(
        reverse("clinic:patient_invite", args=[no_email.pk]), follow=True
    )
    assert "Add an e-mail address" in response.content.decode()


def test_only_front_desk_invites(client_for, physio):
    patient = make_patient(email="x@example.com")
    assert (
        client_for(physio).post(reverse("clinic:patient_invite", args=[patient.pk])).status_code
        == 403
    )
    assert not PortalInvitation.objects.exists()
