"""Patient documents in headless Chromium: the physiotherapist signs and watches the summary
card turn ready without reloading (htmx polling), the patient opens Documents on a phone and
downloads the PDF, whose first page is rendered to PNG for a person to look at; a course
summary is asked for and polled until ready. Screenshots: var/screenshots/documents-*.png
and var/screenshots/visit-summary-page1.png.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from clinic.models import Patient
from clinic.permissions import Role
from clinic.tests.factories import UserFactory
from tests.browser import SHOTS, assert_no_sideways_scroll, shot, sign_in
from treatments import services
from treatments.models import CourseSummary, VisitSummary
from treatments.tests.factories import complete_session, credential_for
from treatments.tests.summary_helpers import named_patient, pdf_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_storage"),
]

PHONE = {"width": 390, "height": 844}


def _run_renders(enqueued) -> None:
    for task in list(enqueued):
        if task.name.endswith("_render_task"):
            task.run()
            enqueued.remove(task)


def test_sign_watch_the_summary_become_ready_then_the_patient_downloads_it(
    page_for, touch_page_for, physio, enqueued, tmp_path
):
    credential_for(physio)
    patient = named_patient(physio, "Ada", "Lovelace", "ada@example.org")
    user = UserFactory(roles={Role.PATIENT}, username="ada")
    Patient.objects.filter(pk=patient.pk).update(user=user)
    session = complete_session(physio, patient, nprs_before=6, nprs_after=2)

    page = page_for()
    sign_in(page, physio.username)
    page.goto(page.base + f"/treatments/sessions/{session.pk}/")
    page.get_by_role("button", name="Sign and lock").click()
    page.wait_for_load_state("networkidle")
    card = page.locator("#visit-summaries")
    expect(card).to_contain_text("Being prepared")
    shot(page, "documents-session-pending")
    _run_renders(enqueued)  # the worker's part; the card polls and turns ready by itself
    expect(card).to_contain_text("Ready", timeout=10_000)
    expect(card.get_by_role("link", name="PDF")).to_be_visible()
    shot(page, "documents-session-ready")

    phone = touch_page_for(PHONE | {})
    phone.context.set_default_timeout(10_000)
    sign_in(phone, "ada")
    phone.locator(".navbar-toggler").click()
    phone.get_by_role("link", name="Documents", exact=True).click()
    expect(phone.locator("h1")).to_have_text("My documents")
    assert_no_sideways_scroll(phone, PHONE["width"])
    shot(phone, "documents-portal-phone")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download PDF").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name.startswith("visit-summary-")
    text = pdf_text(target)
    assert "Ada Lovelace" in text
    assert "6 / 10" in text
    if shutil.which("pdftoppm"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(target),
             str(SHOTS / "visit-summary-page1")],
            check=True,
        )  # fmt: skip
    assert VisitSummary.objects.get(session=session).is_ready


def test_a_course_summary_is_polled_until_ready(page_for, physio, enqueued):
    credential_for(physio)
    patient = named_patient(physio, "Ada", "Lovelace")
    session = complete_session(physio, patient)
    services.session_sign(session=session, by=physio)
    _run_renders(enqueued)

    page = page_for()
    sign_in(page, physio.username)
    page.goto(page.base + f"/treatments/patients/{patient.pk}/documents/")
    shot(page, "documents-staff")
    page.get_by_label("For").fill("Dr. Lee, family physician")
    page.get_by_role("button", name="Prepare summary").click()
    status = page.locator("#course-status")
    expect(status).to_contain_text("Being prepared")
    shot(page, "documents-course-pending")
    _run_renders(enqueued)
    expect(status.get_by_role("link", name="Download PDF")).to_be_visible(timeout=10_000)
    assert CourseSummary.objects.get().is_ready
    shot(page, "documents-course-ready")
