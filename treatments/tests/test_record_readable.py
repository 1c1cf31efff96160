"""Issue 19, "My records": the patient's whole record as a readable page and as a PDF beside
the JSON. The patient reads their own record only, in plain words (no field codes, no
segment codes), without the staff's working notes; the PDF is prepared by a task like the
visit summaries and holds the same record; nobody else reaches either."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AccessLog, Appointment, Patient
from tests.world import build_world
from treatments import selectors
from treatments.models import DocumentStatus, RecordCopy, TreatmentSession
from treatments.services import summaries
from treatments.tasks import record_copy_render_task
from treatments.tests.summary_helpers import pdf_text, signed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

PAGE = "treatments:portal_record"


@pytest.fixture
def world():
    world = build_world()
    Patient.objects.filter(pk=world.patient_a.pk).update(desk_notes="Parking pass 4417.")
    Appointment.objects.filter(pk=world.appointment.pk).update(note="Desk only: call back re fee")
    return world


def _page(client) -> str:
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    return response.content.decode()


def test_the_patient_reads_their_whole_record_in_plain_words(world, client_for):
    html = _page(client_for(world.patient_a.user))
    session = world.session
    # Demographics and contact.
    assert "Ada Lovelace" in html
    assert "ada@example.org" in html
    # Each signed visit as in the visit summary: date (day month year), who, lay words.
    assert session.session_date.strftime("%B %Y") in html
    assert f"{session.session_date.day} {session.session_date:%B %Y}" in html
    site = world.site
    assert site.muscle.lay_name in html
    assert site.muscle.get_body_region_display() in html
    assert "Pain before treatment" in html
    # Intake answers by their questions and chosen options, not field names or codes.
    assert "How it started" in html
    assert "region_answers" not in html
    assert "presenting_complaint" not in html
    # Consents: what, which version, when.
    consent = world.patient_a.consents.select_related("version").get()
    assert consent.version.title in html
    assert f"{consent.signed_at:%Y}" in html
    # Appointments with their status, future and past.
    assert "Coming up" in html
    assert "Booked" in html
    assert "Completed" in html
    # Documents with their download link.
    assert reverse("treatments:portal_document_download", args=[world.summary.token]) in html
    # The portal's My records page links here.
    records = client_for(world.patient_a.user).get(reverse("clinic:portal_records"))
    assert reverse(PAGE) in records.content.decode()
    log = AccessLog.objects.latest("pk")
    assert (log.user, log.patient, log.what) == (
        world.patient_a.user,
        world.patient_a,
        "readable record",
    )


def test_staff_notes_codes_and_other_patients_stay_out(world, client_for):
    html = _page(client_for(world.patient_a.user))
    for absent in (
        "Parking pass 4417",  # the front desk's notes on the patient
        "Desk only",  # an appointment's desk note
        world.site.segment.code,  # segment codes are jargon for the patient
        world.site.muscle.name if world.site.muscle.name != world.site.muscle.lay_name else "~",
        "Brunel",  # patient B
    ):
        assert absent not in html, absent
    # Patient B's page is patient B's: nothing of A's.
    other = _page(client_for(world.patient_b.user))
    assert "Brunel" in other
    assert "Lovelace" not in other
    assert "No signed IMS visits yet." in other


def test_staff_cannot_open_a_patients_readable_record(world, client_for):
    for user in (world.physio, world.front_desk, world.clinic_admin):
        client = client_for(user)
        assert client.get(reverse(PAGE)).status_code == 403
        assert client.post(reverse("treatments:portal_record_pdf")).status_code == 403
    assert list(RecordCopy.objects.all()) == [world.record_copy]  # the world's own


def test_the_pdf_is_prepared_in_a_task_and_holds_the_record(
    world, client_for, django_capture_on_commit_callbacks, enqueued
):
    client = client_for(world.patient_a.user)
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("treatments:portal_record_pdf"))
    assert response.status_code == 302
    copy = RecordCopy.objects.exclude(pk=world.record_copy.pk).get()
    assert (copy.patient, copy.status) == (world.patient_a, DocumentStatus.PENDING)
    [sent] = enqueued
    assert (sent.task.name, sent.args) == (record_copy_render_task.name, (copy.pk,))
    # While it is pending the page says so, and polls only the PDF card.
    html = _page(client)
    assert "Being prepared" in html
    assert 'hx-get="' + reverse(PAGE) in html
    card = client.get(reverse(PAGE), headers={"HX-Request": "true"}).content.decode()
    assert 'id="record-pdf"' in card
    assert "Your details" not in card
    # A second click while it is pending queues nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("treatments:portal_record_pdf"))
    assert RecordCopy.objects.count() == 2  # the world's ready one and this one
    assert len(enqueued) == 1
    assert record_copy_render_task.run(copy.pk) is True  # the worker's turn
    copy.refresh_from_db()
    assert copy.is_ready, copy.error
    html = _page(client)
    download = reverse("treatments:portal_record_download", args=[copy.token])
    assert download in html
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "private" in response["Cache-Control"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "Ada Lovelace" in text
    day = world.session.session_date
    assert f"{day:%A} {day.day} {day:%B %Y}" in text  # the visit, day-month-year
    assert world.site.muscle.lay_name in text
    assert "Parking pass" not in text
    assert "Brunel" not in text
    assert AccessLog.objects.filter(
        patient=world.patient_a, what="record copy (PDF)", action=AccessLog.Action.DOWNLOAD
    ).exists()


def test_another_patient_cannot_download_the_pdf(world, client_for):
    copy = summaries.record_copy_request(patient=world.patient_a, by=world.patient_a.user)
    summaries.document_render(RecordCopy, copy.pk)
    url = reverse("treatments:portal_record_download", args=[copy.token])
    assert client_for(world.patient_b.user).get(url).status_code == 404
    assert client_for(world.physio).get(url).status_code == 403
    assert client_for(world.patient_a.user).get(url).status_code == 200


def test_a_failed_pdf_says_so_and_can_be_asked_for_again(world, client_for, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("font missing")

    monkeypatch.setattr(summaries.pdf, "render_pdf", broken)
    copy = summaries.record_copy_request(patient=world.patient_a, by=world.patient_a.user)
    assert summaries.document_render(RecordCopy, copy.pk) is False
    copy.refresh_from_db()
    assert copy.is_failed
    client = client_for(world.patient_a.user)
    html = _page(client)
    assert "could not be prepared" in html
    assert "font missing" not in html
    client.post(reverse("treatments:portal_record_pdf"))
    assert RecordCopy.objects.filter(status=DocumentStatus.PENDING).count() == 1


def test_the_sweeper_resends_a_stuck_record_copy(world):
    copy = summaries.record_copy_request(patient=world.patient_a, by=world.patient_a.user)
    RecordCopy.objects.filter(pk=copy.pk).update(queued_at=copy.queued_at - dt.timedelta(hours=1))
    assert summaries.summaries_sweep(stuck_after=dt.timedelta(minutes=5)) >= 1


def test_the_record_reads_in_a_fixed_number_of_queries(world, physio):
    def count() -> int:
        patient = Patient.objects.get(pk=world.patient_a.pk)
        with CaptureQueriesContext(connection) as queries:
            selectors.patient_record(patient)
        return len(queries)

    before = count()
    for days_ago in (100, 90, 80):
        signed_session(world.physio, world.patient_a, days_ago=days_ago)
    assert TreatmentSession.objects.filter(patient=world.patient_a).count() == 4
    assert count() == before


def test_the_json_download_still_works(world, client_for):
    response = client_for(world.patient_a.user).get(reverse("clinic:portal_records_download"))
    assert response.status_code == 200
    assert json.loads(response.content)["patient"]["legal_last_name"] == "Lovelace"
