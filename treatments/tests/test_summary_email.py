"""Issue 16, acceptance 3: the front desk e-mails a summary only to an address the patient
confirmed. Changing the address on file does not redirect documents to the new address
until the patient follows the link sent to it; the send task checks again at send time;
the desk's Documents page carries no download token."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic import services as clinic_services
from clinic.models import AccessLog, EmailVerification, Patient
from clinic.permissions import Role
from clinic.tests.email_helpers import confirm_email
from treatments import tasks
from treatments.models import CourseSummary, VisitSummary
from treatments.services import summaries
from treatments.tests.factories import credential_for
from treatments.tests.summary_helpers import named_patient, signed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

EDIT = {
    "legal_first_name": "Cy",
    "legal_last_name": "Desk",
    "date_of_birth": "1980-01-01",
    "sex": "undisclosed",
    "preferred_contact": "email",
}


@pytest.fixture
def credentialed(physio):
    credential_for(physio)
    return physio


@pytest.fixture
def cy(credentialed):
    """A patient without a portal account whose address on file was never confirmed."""
    return named_patient(credentialed, "Cy", "Desk", "cy.old@example.org")


def _ready_summary(physio, patient) -> VisitSummary:
    session = signed_session(physio, patient)
    summary = VisitSummary.objects.get(session=session)
    summaries.document_render(VisitSummary, summary.pk)
    summary.refresh_from_db()
    assert summary.is_ready
    return summary


def _email_sends(enqueued) -> list:
    return [t for t in enqueued if t.name == tasks.visit_summary_email_task.name]


def _link_sends(enqueued) -> list:
    from clinic.tasks import email_verification_send_task

    return [t for t in enqueued if t.name == email_verification_send_task.name]


def _edit_email(client, patient: Patient, email: str) -> None:
    data = EDIT | {
        "legal_first_name": patient.legal_first_name,
        "legal_last_name": patient.legal_last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "email": email,
    }
    response = client.post(reverse("clinic:patient_edit", args=[patient.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _link_in(message) -> str:
    [url] = re.findall(r"https?://\S+/email/confirm/\S+/", message.body)
    return urlsplit(url).path


def test_a_changed_address_gets_no_summary_until_the_patient_confirms_it(
    credentialed, cy, front_desk, client_for, enqueued, django_capture_on_commit_callbacks
):
    summary = _ready_summary(credentialed, cy)
    desk = client_for(front_desk)

    # The desk changes the address: a confirmation link (and nothing clinical) goes there.
    with django_capture_on_commit_callbacks(execute=True):
        _edit_email(desk, cy, "Cy.New@Example.org")
    cy.refresh_from_db()
    assert (cy.email, cy.email_verified, cy.document_email) == ("cy.new@example.org", "", "")
    [link_send] = _link_sends(enqueued)
    mail.outbox.clear()
    link_send.run()
    [link_mail] = mail.outbox
    assert link_mail.to == ["cy.new@example.org"]
    assert link_mail.attachments == []
    # Words of the body, not inside the link's random token (which once held "Cy").
    words = re.sub(r"https?://\S+", " ", link_mail.body)
    assert "Supinator" not in words
    assert "Cy" not in words
    assert "/email/confirm/" in link_mail.body

    # E-mailing the summary now sends nothing, queues nothing, and says why.
    mail.outbox.clear()
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(reverse("treatments:summary_email", args=[summary.pk]), follow=True)
    page = response.content.decode()
    assert "The address cy.new@example.org has not been confirmed yet" in page
    assert "a confirmation link was sent on" in page
    assert mail.outbox == []
    assert enqueued == []
    summary.refresh_from_db()
    assert (summary.emailed_to, summary.emailed_at) == ("", None)
    assert not AccessLog.objects.filter(action=AccessLog.Action.EMAIL).exists()
    # The Documents page explains it next to a disabled button, with a way to resend.
    assert reverse("treatments:summary_email", args=[summary.pk]) not in page
    assert re.search(r"<button[^>]*disabled[^>]*aria-describedby=\"email-refusal\"", page)
    assert reverse("clinic:patient_email_verification_send", args=[cy.pk]) in page

    # The patient follows the link (a public page; GET asks, POST confirms).
    visitor = Client()
    link = _link_in(link_mail)
    assert "cy.new@example.org" in visitor.get(link).content.decode()
    cy.refresh_from_db()
    assert cy.document_email == ""  # opening the page (a mail scanner) confirms nothing
    confirmed = visitor.post(link)
    assert confirmed.status_code == 200
    assert "is confirmed" in confirmed.content.decode()
    cy.refresh_from_db()
    assert cy.document_email == "cy.new@example.org"

    # Now the summary goes, to the new address, with the PDF, and the e-mail is logged.
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(reverse("treatments:summary_email", args=[summary.pk]), follow=True)
    assert "on its way to cy.new@example.org" in response.content.decode()
    [send] = _email_sends(enqueued)
    send.run()
    [message] = mail.outbox
    assert message.to == ["cy.new@example.org"]
    [(_name, content, mimetype)] = message.attachments
    assert (mimetype, content[:4]) == ("application/pdf", b"%PDF")
    log = AccessLog.objects.get(action=AccessLog.Action.EMAIL)
    assert (log.user, log.patient, "cy.new@example.org" in log.what) == (front_desk, cy, True)
    summary.refresh_from_db()
    assert summary.email_sent_at is not None
    assert summary.email_problem == ""
    # A second delivery of the same task sends nothing more.
    send.run()
    assert len(mail.outbox) == 1


def test_a_changed_address_stops_documents_even_to_the_old_confirmed_one(
    credentialed, cy, front_desk, client_for, enqueued, django_capture_on_commit_callbacks
):
    """Documents never go to the typed-in new address, nor to the old confirmed one (the
    change may be because that mailbox is no longer the patient's alone), until the
    patient confirms the new address; then they go there."""
    confirm_email(cy, front_desk)
    summary = _ready_summary(credentialed, cy)
    desk = client_for(front_desk)
    _edit_email(desk, cy, "someone.else@example.org")
    enqueued.clear()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(reverse("treatments:summary_email", args=[summary.pk]), follow=True)
    text = response.content.decode()
    assert "someone.else@example.org has not been confirmed yet" in text
    assert _email_sends(enqueued) == []
    assert mail.outbox == []
    summary.refresh_from_db()
    assert summary.emailed_to == ""


def test_the_portal_account_address_works_without_another_link(
    credentialed, cy, front_desk, client_for, enqueued, django_capture_on_commit_callbacks
):
    """Accepting the e-mailed portal invitation proved the address."""
    invitation = clinic_services.portal_invitation_create(patient=cy, by=front_desk)
    token = clinic_services.invitation_token(invitation)
    response = Client().post(
        reverse("clinic:portal_invitation", args=[token]),
        {"password1": "correct horse battery staple", "password2": "correct horse battery staple"},
    )
    assert response.status_code == 302
    cy.refresh_from_db()
    assert cy.user.email == "cy.old@example.org" == cy.document_email
    assert not EmailVerification.objects.exists()

    summary = _ready_summary(credentialed, cy)
    enqueued.clear()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(front_desk).post(reverse("treatments:summary_email", args=[summary.pk]))
    [send] = _email_sends(enqueued)
    send.run()
    assert [m.to for m in mail.outbox] == [["cy.old@example.org"]]


def test_a_portal_account_linked_without_an_invitation_proves_nothing(
    credentialed, cy, front_desk, make_user, client_for, enqueued
):
    user = make_user(Role.PATIENT, username="cy", email="cy.old@example.org")
    Patient.objects.filter(pk=cy.pk).update(user=user)
    summary = _ready_summary(credentialed, cy)
    enqueued.clear()
    client_for(front_desk).post(reverse("treatments:summary_email", args=[summary.pk]))
    assert _email_sends(enqueued) == []


def test_the_task_checks_the_address_again_at_send_time(
    credentialed, cy, front_desk, client_for, enqueued, django_capture_on_commit_callbacks
):
    confirm_email(cy, front_desk)
    summary = _ready_summary(credentialed, cy)
    desk = client_for(front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("treatments:summary_email", args=[summary.pk]))
    [send] = _email_sends(enqueued)

    # Between the click and the send, the address on file is removed.
    clinic_services.patient_update(patient=cy, by=front_desk, email="")
    mail.outbox.clear()
    send.run()
    assert mail.outbox == []
    summary.refresh_from_db()
    assert "no confirmed e-mail address" in summary.email_problem
    assert summary.email_sent_at is None
    page = desk.get(reverse("treatments:patient_documents", args=[cy.pk])).content.decode()
    assert "no confirmed e-mail address" in page


def test_the_task_sends_nothing_when_the_confirmed_address_changed_meanwhile(
    credentialed, cy, front_desk, client_for, enqueued, django_capture_on_commit_callbacks
):
    confirm_email(cy, front_desk)
    summary = _ready_summary(credentialed, cy)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(front_desk).post(reverse("treatments:summary_email", args=[summary.pk]))
    [send] = _email_sends(enqueued)
    clinic_services.patient_update(patient=cy, by=front_desk, email="cy.new@example.org")
    confirm_email(cy, front_desk)
    mail.outbox.clear()
    send.run()
    assert mail.outbox == []
    summary.refresh_from_db()
    assert "changed before it could go out" in summary.email_problem


def test_the_desk_documents_page_shows_no_download_token(
    credentialed, cy, front_desk, client_for, enqueued
):
    """Every summary of the patient (ready, failed, older versions, a course summary): not
    one token appears in the desk's page, whether e-mailing is possible or not."""
    ready = _ready_summary(credentialed, cy)
    failed = _ready_summary(credentialed, cy)
    VisitSummary.objects.filter(pk=failed.pk).update(status="failed", error="Font missing.")
    older = VisitSummary.objects.create(
        session=ready.session, version=2, reason="Addendum", status="pending"
    )
    course = CourseSummary.objects.create(
        patient=cy,
        date_from=ready.session.session_date,
        date_to=ready.session.session_date,
        requested_by=credentialed,
    )
    tokens = [str(s.token) for s in VisitSummary.objects.filter(session__patient=cy)]
    tokens.append(str(course.token))
    assert len(tokens) == 4
    assert older.token
    desk = client_for(front_desk)
    url = reverse("treatments:patient_documents", args=[cy.pk])
    for confirmed in (False, True):
        if confirmed:
            confirm_email(cy, front_desk)
        page = desk.get(url).content.decode()
        assert "E-mail to patient" in page
        email_action = reverse("treatments:summary_email", args=[ready.pk])
        assert (email_action in page) is confirmed
        for token in tokens:
            assert token not in page, token
            assert token.replace("-", "") not in page, token
        assert reverse("treatments:summary_retry", args=[failed.pk]) in page
    # The physiotherapist's page keeps its download links.
    physio_page = client_for(credentialed).get(url).content.decode()
    assert reverse("treatments:summary_download", args=[ready.token]) in physio_page
