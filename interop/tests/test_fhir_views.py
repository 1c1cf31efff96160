"""Issue 21, acceptance 3: a physiotherapist exports a patient's Bundle from the chart, a
patient their own from "My records", the front desk cannot (403); every export is in the
access log; ?embed=1 carries the PDFs; the clinic admin's bulk files and manifest."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from clinic.models import AccessLog
from clinic.tests.factories import verified_client
from interop.fhir.base import stable_id
from interop.tests.fhir_checks import dangling, problems
from tests.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def world():
    return build_world()


def _logs(**filters) -> int:
    return AccessLog.objects.filter(**filters).count()


def _entries(response, kind: str) -> list[dict]:
    bundle = json.loads(response.content)
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_chart_links_the_export_and_the_physio_downloads_a_logged_bundle(world):
    client = verified_client(world.physio)
    chart = client.get(reverse("treatments:chart", args=[world.patient_a.pk]))
    url = reverse("interop:patient_bundle", args=[world.patient_a.pk])
    assert f'href="{url}"' in chart.content.decode()
    before = _logs(patient=world.patient_a, action="download", what="FHIR export")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    assert dangling(bundle) == []
    assert [p for e in bundle["entry"] for p in problems(e["resource"])] == []
    [patient] = _entries(response, "Patient")
    assert patient["id"] == stable_id(f"Patient/{world.patient_a.pk}")
    assert _logs(patient=world.patient_a, action="download", what="FHIR export") == before + 1
    # Staff links: the attachments point at the staff downloads.
    urls = [
        d["content"][0]["attachment"].get("url", "")
        for d in _entries(response, "DocumentReference")
    ]
    assert any(
        reverse("treatments:summary_download", args=[world.summary.token]) in u for u in urls
    )


def test_front_desk_gets_403_and_nothing_is_logged(world):
    client = verified_client(world.front_desk)
    before = AccessLog.objects.count()
    response = client.get(reverse("interop:patient_bundle", args=[world.patient_a.pk]))
    assert response.status_code == 403
    assert AccessLog.objects.count() == before
    assert client.get(reverse("interop:exports")).status_code == 403


def test_a_physio_outside_the_care_team_is_sent_to_break_the_glass(world):
    response = verified_client(world.physio2).get(
        reverse("interop:patient_bundle", args=[world.patient_a.pk])
    )
    assert response.status_code == 302
    assert reverse("clinic:emergency_access", args=[world.patient_a.pk]) in response["Location"]


def test_a_patient_downloads_their_own_bundle_only_and_it_is_logged(world):
    client = verified_client(world.patient_b.user)
    page = client.get(reverse("clinic:portal_records"))
    assert reverse("interop:portal_bundle") in page.content.decode()
    response = client.get(reverse("interop:portal_bundle"))
    assert response.status_code == 200
    [patient] = _entries(response, "Patient")
    assert patient["id"] == stable_id(f"Patient/{world.patient_b.pk}")
    text = response.content.decode()
    assert stable_id(f"Patient/{world.patient_a.pk}") not in text
    assert "Lovelace" not in text
    assert _logs(patient=world.patient_b, user=world.patient_b.user, what="FHIR export") == 1
    # Patient A's portal bundle links the portal's downloads, never the staff ones.
    own = verified_client(world.patient_a.user).get(reverse("interop:portal_bundle"))
    urls = [
        d["content"][0]["attachment"].get("url", "") for d in _entries(own, "DocumentReference")
    ]
    assert reverse("treatments:portal_document_download", args=[world.summary.token]) in " ".join(
        urls
    )
    assert "staff-download" not in " ".join(urls)


def test_embed_puts_the_pdfs_in_the_bundle(world):
    client = verified_client(world.physio)
    url = reverse("interop:patient_bundle", args=[world.patient_a.pk])
    plain = _entries(client.get(url), "DocumentReference")
    assert plain
    assert all("data" not in d["content"][0]["attachment"] for d in plain)
    embedded = _entries(client.get(url + "?embed=1"), "DocumentReference")
    assert len(embedded) == len(plain)
    for document in embedded:
        attachment = document["content"][0]["attachment"]
        content = base64.b64decode(attachment["data"])
        assert content.startswith(b"%PDF")
        assert attachment["size"] == len(content)
    assert _logs(patient=world.patient_a, what="FHIR export with documents") == 1


def test_the_admin_lists_exports_and_downloads_logged_files(world):
    client = verified_client(world.clinic_admin)
    export = world.bulk_export
    page = client.get(reverse("interop:exports")).content.decode()
    file_url = reverse("interop:export_file", args=[export.token, "Patient"])
    assert file_url in page
    assert "100%" in page
    response = client.get(file_url)
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    ids = {json.loads(line)["id"] for line in lines}
    assert stable_id(f"Patient/{world.patient_a.pk}") in ids
    assert AccessLog.objects.filter(
        user=world.clinic_admin, action="download", what__contains="Patient.ndjson"
    ).exists()
    manifest = client.get(reverse("interop:export_manifest", args=[export.token])).json()
    assert {o["type"] for o in manifest["output"]} == {p["type"] for p in export.files}
    assert (
        client.get(reverse("interop:export_file", args=[export.token, "Nothing"])).status_code
        == 404
    )


def test_the_admin_home_links_the_export_with_the_latest_state(world):
    html = verified_client(world.clinic_admin).get(reverse("clinic:admin_home")).content.decode()
    assert f'href="{reverse("interop:exports")}"' in html
    assert "Latest:" in html
    assert "ready." in html
