"""End-to-end journeys in headless Chromium (issue 9): each drives the live app as one user
would, saves a screenshot of every key step under var/e2e/<journey>/, and checks each page
with axe-core for critical accessibility violations.

Background work runs as deployed: with REDIS_URL (CI, PostgreSQL) a real Celery worker
process renders the PDFs; without it tasks run in-process (eager), as in `make run`.
Run them alone with `make e2e`.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings
from playwright.sync_api import expect

from clinic.models import Patient
from clinic.permissions import Role
from clinic.tests.browser import sign_in
from clinic.tests.e2e import assert_accessible, step_shot
from clinic.tests.factories import UserFactory
from clinic.tests.worker import celery_worker
from treatments import services
from treatments.models import VisitSummary
from treatments.tests.factories import complete_session, credential_for
from treatments.tests.summary_helpers import named_patient, pdf_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_storage"),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def background(request, private_storage):
    """A real worker when the deployment would have one (REDIS_URL), else eager tasks."""
    if not settings.REDIS_URL:
        yield "in-process"
        return
    env = request.getfixturevalue("worker_env")  # skips without PostgreSQL
    with celery_worker(env=env, log_name="e2e-worker.log"):
        yield "worker"


def _portal_patient(physio, first: str, last: str, username: str) -> Patient:
    patient = named_patient(physio, first, last, f"{username}@example.org")
    user = UserFactory(roles={Role.PATIENT}, username=username)
    Patient.objects.filter(pk=patient.pk).update(user=user)
    patient.refresh_from_db()
    return patient


def test_journey_4_the_patient_downloads_the_summary_the_worker_made(
    background, physio, touch_page_for, tmp_path
):
    credential_for(physio)
    patient = _portal_patient(physio, "Ada", "Lovelace", "ada")
    session = complete_session(physio, patient, nprs_before=7, nprs_after=3)
    services.session_sign(session=session, by=physio)  # commits: the render is sent now

    phone = touch_page_for(PHONE)
    phone.context.set_default_timeout(15_000)
    sign_in(phone, "ada")
    step_shot(phone, "4-patient-documents", "1-portal-home")
    assert_accessible(phone)
    phone.locator(".navbar-toggler").click()
    phone.get_by_role("link", name="Documents", exact=True).click()
    expect(phone.locator("h1")).to_have_text("My documents")
    # The page polls until the worker has rendered the summary.
    download_link = phone.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=30_000)
    step_shot(phone, "4-patient-documents", "2-documents-ready")
    assert_accessible(phone)
    with phone.expect_download() as download:
        download_link.click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    text = pdf_text(target)
    assert "Ada Lovelace" in text
    assert "7 / 10" in text
    assert "3 / 10" in text
    assert "earliest date for your next IMS session" in text
    assert VisitSummary.objects.get(session=session).is_ready
    if shutil.which("pdftoppm"):
        folder = step_shot(phone, "4-patient-documents", "3-after-download").parent
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(target),
             str(folder / "4-summary-page1")],
            check=True,
        )  # fmt: skip


def test_journey_5_other_roles_are_turned_away(background, physio, front_desk, page_for):
    credential_for(physio)
    ada = _portal_patient(physio, "Ada", "Lovelace", "ada")
    _portal_patient(physio, "Bob", "Brunel", "bob")
    session = complete_session(physio, ada)
    services.session_sign(session=session, by=physio)
    summary = VisitSummary.objects.get(session=session)

    desk = page_for()
    sign_in(desk, front_desk.username)
    response = desk.goto(desk.base + f"/treatments/patients/{ada.pk}/chart/")
    assert response.status == 403
    expect(desk.locator("body")).to_contain_text("not part of your role")
    step_shot(desk, "5-denials", "1-front-desk-chart-403")
    assert_accessible(desk)
    for clinical in ("Supinator", "6 / 10", "Pain before"):
        assert clinical not in desk.content()

    bob = page_for()
    sign_in(bob, "bob")
    response = bob.goto(bob.base + f"/treatments/documents/{summary.token}/download/")
    assert response.status == 404
    expect(bob.locator("body")).to_contain_text("could not find that page")
    step_shot(bob, "5-denials", "2-patient-b-summary-404")
    assert_accessible(bob)
    assert "Lovelace" not in bob.content()
