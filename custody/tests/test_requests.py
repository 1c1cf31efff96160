"""Issue 22, acceptance 4: an access request's due date, its one extension, the overdue
flag on the admin home, the release in the patient's portal, and nothing for another
patient."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.models import AccessLog, Patient
from clinic.origin import Origin
from clinic.permissions import Role
from clinic.tests.factories import UserFactory, make_patient
from custody import selectors, services
from custody.models import AccessRequest
from tests.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def _portal_patient(username: str, first: str):
    user = UserFactory(roles={Role.PATIENT}, username=username)
    patient = make_patient(legal_first_name=first)
    Patient.objects.filter(pk=patient.pk).update(user=user)
    patient.refresh_from_db()
    return patient


def test_due_30_days_after_receipt_and_extended_once_only(clinic_admin):
    patient = make_patient()
    received = timezone.localdate() - dt.timedelta(days=3)
    request = services.access_request_create(
        patient=patient, by=clinic_admin, details="My whole record.", channel="staff",
        received_on=received,
    )  # fmt: skip
    assert request.due_on == received + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as refused:
        services.access_request_extend(request=request, by=clinic_admin, days=31, reason="x")
    assert "days" in refused.value.message_dict
    request = services.access_request_extend(
        request=request, by=clinic_admin, days=20, reason="Archived paper files to retrieve."
    )
    assert request.effective_due_on == received + dt.timedelta(days=50)
    with pytest.raises(ValidationError, match="already extended once"):
        services.access_request_extend(request=request, by=clinic_admin, days=5, reason="More.")
    request.refresh_from_db()
    assert request.extension_days == 20
    # Every step is in the request's history, with who made it.
    assert request.history.count() == 2


def test_a_second_extension_is_refused_on_the_page_with_a_message(clinic_admin, client_for):
    request = services.access_request_create(
        patient=make_patient(), by=clinic_admin, details="Notes.", channel="staff"
    )
    client = client_for(clinic_admin)
    url = reverse("custody:request_extend", args=[request.pk])
    assert client.post(url, {"days": "10", "reason": "Busy season."}).status_code == 302
    response = client.post(url, {"days": "10", "reason": "Again."})
    assert response.status_code == 400
    assert "cannot be extended again" in response.content.decode()
    request.refresh_from_db()
    assert request.extension_days == 10


def test_overdue_requests_show_on_the_admin_home(clinic_admin, client_for):
    patient = make_patient(legal_first_name="Overdue")
    late = services.access_request_create(
        patient=patient, by=clinic_admin, details="All of it.", channel="staff",
        received_on=timezone.localdate() - dt.timedelta(days=31),
    )  # fmt: skip
    on_time = services.access_request_create(
        patient=make_patient(legal_first_name="OnTime"), by=clinic_admin, details="All.",
        channel="staff", received_on=timezone.localdate() - dt.timedelta(days=30),
    )  # fmt: skip
    assert late.is_overdue
    assert not on_time.is_overdue
    assert selectors.access_requests_overdue() == [late]
    page = client_for(clinic_admin).get(reverse("clinic:admin_home")).content.decode()
    assert "2 open, 1 overdue" in page
    assert reverse("custody:request_detail", args=[late.pk]) in page
    # An extension moves the deadline: no longer overdue.
    services.access_request_extend(request=late, by=clinic_admin, days=5, reason="Archive.")
    assert selectors.access_requests_overdue() == []


def test_release_appears_in_the_portal_and_another_patient_sees_nothing(client_for):
    world = build_world()
    a, b = world.patient_a, world.patient_b
    portal_a = client_for(a.user)
    response = portal_a.post(reverse("custody:portal_requests"), {"details": "Everything."})
    assert response.status_code == 302
    request = AccessRequest.objects.filter(patient=a).latest("pk")  # the world has one too
    assert request.channel == "portal"
    assert request.due_on == timezone.localdate() + dt.timedelta(days=30)

    admin = client_for(world.clinic_admin)
    release = reverse("custody:request_release", args=[request.pk])
    assert admin.post(release, {}).status_code == 400  # not confirmed: nothing released
    assert AccessRequest.objects.get(pk=request.pk).status == "open"
    assert admin.post(release, {"confirm": "on"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "released"
    assert AccessLog.objects.filter(
        patient=a, user=world.clinic_admin, what__contains="released"
    ).exists()

    page = portal_a.get(reverse("custody:portal_requests")).content.decode()
    download = reverse("custody:portal_release_download", args=[request.token])
    assert download in page
    response = portal_a.get(download)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert names == request.release_manifest
    assert json.loads(archive.read("record.json"))["patient"]["legal_last_name"] == "Lovelace"
    bundle = json.loads(archive.read("record.fhir.json"))
    patients = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert [p["name"][0]["family"] for p in patients] == ["Lovelace"]
    assert sum(name.endswith(".pdf") for name in names) == 4
    assert AccessLog.objects.filter(patient=a, user=a.user, action="download").exists()

    portal_b = client_for(b.user)
    assert portal_b.get(download).status_code == 404
    assert download not in portal_b.get(reverse("custody:portal_requests")).content.decode()
    assert "Everything." not in portal_b.get(reverse("custody:portal_requests")).content.decode()


def test_a_refusal_is_recorded_with_its_reason_and_shown_to_the_patient(clinic_admin, client_for):
    patient = _portal_patient("refused-one", "Refused")
    request = services.access_request_create(
        patient=patient, by=patient.user, details="Someone else's notes.", channel="portal"
    )
    with pytest.raises(ValidationError):
        services.access_request_refuse(
            request=request, by=clinic_admin, origin=Origin.NONE, reason="  "
        )
    services.access_request_refuse(
        request=request, by=clinic_admin, origin=Origin.NONE, reason="Not your record."
    )
    request.refresh_from_db()
    assert (request.status, request.refusal_reason) == ("refused", "Not your record.")
    page = client_for(patient.user).get(reverse("custody:portal_requests")).content.decode()
    assert "Refused: Not your record." in page
    with pytest.raises(ValidationError, match="already answered"):
        services.access_request_release(request=request, by=clinic_admin, origin=Origin.NONE)


def test_the_release_list_is_built_in_one_place():
    """The JSON export, the FHIR Bundle, then the PDFs by kind."""
    world = build_world()
    names = [item.name for item in services.release_items(world.patient_a)]
    assert names[:2] == ["record.json", "record.fhir.json"]
    assert {name.split("/")[0] for name in names[2:]} == {
        "visit-summaries",
        "course-summaries",
        "record-copies",
        "discharge-summaries",
    }
