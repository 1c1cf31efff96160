"""The import page (issue 21): clinic admin only; upload -> dry run by the task -> report
with counts, line-numbered errors and possible duplicates -> import; bad files are a form
error; an adjusted mapping can be saved as a preset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinic.models import AccessLog, Patient
from clinic.tests.factories import make_patient
from interop.models import ImportJob, ImportPreset
from interop.tests.helpers import clinic_for_fixtures, fixture_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def _run_tasks(enqueued) -> None:
    while enqueued:
        enqueued.pop(0).run()


def _upload(client, name: str, data: bytes, source: str = "cliniko", kind: str = "patients"):
    return client.post(
        reverse("interop:import_home"),
        {"source": source, "kind": kind, "preset": "", "file": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def admin_client(client_for):
    return client_for(clinic_for_fixtures())


def test_upload_dry_run_report_then_import(
    admin_client, enqueued, django_capture_on_commit_callbacks
):
    make_patient(
        legal_first_name="Grace", legal_last_name="Hopper", date_of_birth=dt.date(1956, 12, 9)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin_client, "patients.csv", fixture_bytes("cliniko", "patients"))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("interop:import_job", args=[job.pk])
    assert [task.name for task in enqueued] == ["interop.tasks.import_job_run_task"]

    running = admin_client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"0 of 100 rows" in running.content
    assert b'hx-trigger="every 2s"' in running.content

    _run_tasks(enqueued)
    page = admin_client.get(response["Location"]).content.decode()
    assert 'data-count="new">94<' in page
    assert 'data-count="invalid">6<' in page
    assert '<td class="text-nowrap">60</td>' in page
    assert "604-555-CALL" in page
    assert "Grace Hopper (born 1956-12-09)" in page
    assert Patient.objects.count() == 1  # the dry run wrote nothing
    assert AccessLog.objects.filter(what="import report of patients.csv").count() == 1

    stored = job.file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("interop:import_job_start", args=[job.pk]))
    _run_tasks(enqueued)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert not job.file  # the uploaded export is not kept once imported
    assert not default_storage.exists(stored)
    assert Patient.objects.count() == 95
    assert "Imported" in admin_client.get(response["Location"]).content.decode()

    again = admin_client.post(reverse("interop:import_job_start", args=[job.pk]), follow=True)
    assert "not ready to import" in again.content.decode()
    assert Patient.objects.count() == 95


def test_a_file_that_is_not_a_table_is_an_error_at_the_field(admin_client, enqueued):
    wrong_type = _upload(admin_client, "scan.pdf", b"%PDF-1.4")
    assert wrong_type.status_code == 422
    assert "Choose a .csv or .xlsx file." in wrong_type.content.decode()
    broken = _upload(admin_client, "export.xlsx", b"not a spreadsheet")
    assert broken.status_code == 422
    assert "could not be read as CSV or XLSX" in broken.content.decode()
    assert not ImportJob.objects.exists()
    assert enqueued == []


def test_an_adjusted_mapping_reruns_the_dry_run_and_is_saved_as_a_preset(
    admin_client, enqueued, django_capture_on_commit_callbacks
):
    data = b"Ref,Given,Family,Born\n7,Ada,Lovelace,1985-12-10\n"
    with django_capture_on_commit_callbacks(execute=True):
        _upload(admin_client, "old.csv", data, source="other")
    _run_tasks(enqueued)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "Patient id in the old system" in job.error

    url = reverse("interop:import_job", args=[job.pk])
    missing = admin_client.post(url, {"map_id": "Ref"})
    assert missing.status_code == 422
    assert "This field is required." in missing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            url,
            {
                "map_id": "Ref",
                "map_first_name": "Given",
                "map_last_name": "Family",
                "map_date_of_birth": "Born",
                "save_as": "Old system",
            },
        )
    _run_tasks(enqueued)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert job.report["counts"] == {"new": 1, "updated": 0, "skipped": 0, "invalid": 0}
    preset = ImportPreset.objects.get(name="Old system")
    assert preset.mapping["first_name"] == "Given"


def test_only_the_clinic_admin_reaches_the_import_page(client_for, front_desk, physio):
    for user in (front_desk, physio):
        assert client_for(user).get(reverse("interop:import_home")).status_code == 403


def test_the_admin_home_links_to_the_import_page(client_for, clinic_admin):
    html = client_for(clinic_admin).get(reverse("clinic:admin_home")).content.decode()
    assert reverse("interop:import_home") in html
