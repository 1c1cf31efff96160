"""The front desk in Chromium (issue 16, acceptance 3): after the address on file changes,
the patient page says it is not confirmed and offers to resend the link, and the Documents
page greys out "E-mail to patient" with the reason next to it. The patient opens the link
and confirms; the button comes back. Screenshots: var/screenshots/email-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clinic import services as clinic_services
from clinic.models import EmailVerification
from clinic.tests.email_helpers import link_token
from tests.browser import shot, sign_in
from treatments.models import VisitSummary
from treatments.services import summaries
from treatments.tests.factories import credential_for
from treatments.tests.summary_helpers import named_patient, signed_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_storage"),
]


def test_the_desk_sees_why_it_cannot_email_and_the_patient_confirms(
    page_for, physio, front_desk, enqueued
):
    credential_for(physio)
    patient = named_patient(physio, "Cy", "Desk", "cy.old@example.org")
    session = signed_session(physio, patient)
    summary = VisitSummary.objects.get(session=session)
    summaries.document_render(VisitSummary, summary.pk)
    clinic_services.patient_update(patient=patient, by=front_desk, email="cy.new@example.org")
    verification = EmailVerification.objects.get()
    clinic_services.email_verification_send(verification_id=verification.pk)

    page = page_for()
    sign_in(page, front_desk.username)
    page.goto(page.base + f"/patients/{patient.pk}/")
    state = page.locator("#email-state")
    expect(state).to_contain_text("cy.new@example.org")
    expect(state).to_contain_text("Not confirmed")
    expect(state).to_contain_text("Confirmation link sent")
    expect(state.get_by_role("button", name="Resend confirmation link")).to_be_visible()
    shot(page, "email-patient-not-confirmed")

    page.goto(page.base + f"/treatments/patients/{patient.pk}/documents/")
    button = page.get_by_role("button", name="E-mail to patient")
    expect(button).to_be_disabled()
    expect(page.locator("#email-refusal")).to_contain_text(
        "The address cy.new@example.org has not been confirmed yet"
    )
    shot(page, "email-documents-not-confirmed")

    visitor = page_for(390, 844)
    visitor.goto(visitor.base + f"/email/confirm/{link_token(verification)}/")
    visitor.get_by_role("button", name="Yes, this is my address").click()
    expect(visitor.get_by_role("heading", level=2)).to_contain_text("your address is confirmed")
    shot(visitor, "email-confirmed")

    page.reload()
    expect(page.get_by_role("button", name="E-mail to patient")).to_be_enabled()
    expect(page.locator("#email-refusal")).to_have_count(0)
