"""Patients' rights over their records: the portal export holds everything about the patient
and nothing about anyone else, and is logged; correction requests are logged and settled."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from clinic.models import AccessLog, CorrectionRequest
from tests.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def world():
    return build_world()


def test_the_export_holds_the_patients_records_and_nothing_of_anyone_else(world, client_for):
    client = client_for(world.patient_a.user)
    page = client.get(reverse("clinic:portal_records"))
    assert "Download my records" in page.content.decode()
    response = client.get(reverse("clinic:portal_records_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["patient"]["legal_last_name"] == "Lovelace"
    # Two booked by the desk and the outsider's attended visit (which grants them nothing).
    assert len(data["appointments"]) == 3
    assert data["intakes"][0]["status"] == "submitted"
    assert data["consents"]
    [assessment] = data["assessments"]
    assert assessment["chief_complaint"] == "Elbow pain for a year."
    assert assessment["sign_findings"]
    [session] = data["treatment_sessions"]
    assert session["needling_sites"][0]["muscle"] == "Supinator"
    assert session["visit_summaries"][0]["status"] == "ready"
    assert data["correction_requests"][0]["record"] == "Intake: medications"
    assert data["record_reads"]
    text = response.content.decode()
    for absent in ("Brunel", "password", "search_text"):
        assert absent not in text
    log = AccessLog.objects.latest("pk")
    assert (log.user, log.patient, log.what) == (
        world.patient_a.user,
        world.patient_a,
        "data export",
    )


def test_staff_cannot_download_a_patients_export(world, client_for):
    url = reverse("clinic:portal_records_download")
    for user in (world.physio, world.front_desk, world.clinic_admin):
        assert client_for(user).get(url).status_code == 403


def test_a_correction_request_is_logged_and_settled(world, client_for):
    desk = client_for(world.front_desk)
    url = reverse("clinic:correction_add", args=[world.patient_a.pk])
    empty = desk.post(url, {"record": "", "requested_change": "", "source": "patient"}, follow=True)
    assert "was not logged" in empty.content.decode()
    assert CorrectionRequest.objects.count() == 1  # the world's one
    desk.post(
        url,
        {
            "record": "Phone number",
            "requested_change": "604-555-0199",
            "source": "patient",
        },
    )
    request = CorrectionRequest.objects.get(record="Phone number")
    assert request.requested_by == world.front_desk
    page = desk.get(reverse("clinic:patient_detail", args=[world.patient_a.pk]))
    assert "604-555-0199" in page.content.decode()
    # The front desk logs; a physiotherapist or clinic admin settles, saying what was done.
    settle = reverse("clinic:correction_settle", args=[request.pk])
    assert desk.post(settle, {"status": "corrected", "resolution": "Done."}).status_code == 403
    physio = client_for(world.physio)
    blank = physio.post(settle, {"status": "corrected", "resolution": ""}, follow=True)
    assert "Not settled" in blank.content.decode()
    physio.post(settle, {"status": "corrected", "resolution": "Phone number updated."})
    request.refresh_from_db()
    assert request.status == "corrected"
    assert request.resolved_by == world.physio
    assert request.history.count() == 2  # logged, then settled
    again = physio.post(settle, {"status": "declined", "resolution": "x"}, follow=True)
    assert "already settled" in again.content.decode()
