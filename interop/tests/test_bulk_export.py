"""Issue 21, acceptance 2 (small data; the 20,000-patient figures are in
docs/PERFORMANCE.md): the bulk export writes one NDJSON file per resource type whose every
line validates, streams each source in chunks, is resumable (a run stopped halfway keeps
the types it finished and the next run writes only the rest), runs once under its lease,
and a second request waits for the first."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from interop import fhir
from interop.models import BulkExport
from interop.services import bulk_export_request, bulk_export_resume, bulk_export_run
from interop.services import export as export_service
from interop.tests.fhir_checks import problems
from treatments.tests.factories import credential_for
from treatments.tests.summary_helpers import named_patient, signed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def clinic(physio, clinic_admin):
    credential_for(physio)
    for first, last in (("Ada", "Lovelace"), ("Bob", "Brunel")):
        patient = named_patient(physio, first, last)
        signed_session(
            physio, patient, muscles=(("Supinator", "C6", "R"), ("Infraspinatus", "C5", "L"))
        )
    return clinic_admin


def _lines(private_storage: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (private_storage / name).read_text().splitlines()]


def test_one_valid_ndjson_file_per_type_with_its_count(
    clinic, private_storage, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = bulk_export_request(by=clinic)
    assert [task.name for task in enqueued] == ["interop.tasks.bulk_export_run_task"]
    assert bulk_export_run(export.pk) is True
    export.refresh_from_db()
    assert export.status == BulkExport.Status.READY
    assert export.percent == 100
    assert [part["type"] for part in export.files] == list(fhir.RESOURCE_TYPES)
    total = 0
    for part in export.files:
        rows = _lines(private_storage, part["file"])
        assert len(rows) == part["count"] >= export.progress[part["type"]]["total"]
        assert {row["resourceType"] for row in rows} <= {part["type"]}
        assert [p for row in rows for p in problems(row)] == []
        total += len(rows)
    assert export.done == export.total
    assert total == sum(part["count"] for part in export.files)
    procedures = [p for p in export.files if p["type"] == "Procedure"]
    assert procedures[0]["count"] == 4  # two sessions, two sites each
    # A second delivery of the task finds it finished and writes nothing.
    assert bulk_export_run(export.pk) is False


def test_every_source_is_read_in_chunks(clinic, monkeypatch):
    """Streaming: no source is read whole; querysets go through iterator(chunk_size)."""
    calls = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append((self.model.__name__, chunk_size))
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    for source in fhir.SOURCES:
        list(fhir.source_resources(source, fhir.Audience()))
    queryset_sources = [s for s in fhir.SOURCES if isinstance(s.rows(), QuerySet)]
    assert len(calls) == len(queryset_sources) >= 20
    assert {size for _model, size in calls} == {fhir.sources.CHUNK}


def test_a_stopped_export_resumes_with_the_types_it_has_not_finished(
    clinic, private_storage, monkeypatch, enqueued
):
    export = bulk_export_request(by=clinic)
    written, stopped = [], []
    real = export_service._write_type

    def stop_at_procedures(row, resource_type, audience):
        written.append(resource_type)
        if resource_type == "Procedure" and not stopped:
            stopped.append(True)
            raise ConnectionError("database went away")
        return real(row, resource_type, audience)

    monkeypatch.setattr(export_service, "_write_type", stop_at_procedures)
    assert bulk_export_run(export.pk) is False
    export.refresh_from_db()
    assert export.status == BulkExport.Status.FAILED
    assert "database went away" in export.error
    order = list(fhir.RESOURCE_TYPES)
    before = order[: order.index("Procedure")]
    assert [part["type"] for part in export.files] == before
    kept = {p["file"]: (private_storage / p["file"]).stat().st_mtime_ns for p in export.files}

    bulk_export_resume(export=export)
    written.clear()
    assert bulk_export_run(export.pk) is True
    assert written == order[order.index("Procedure") :]  # nothing finished is written again
    export.refresh_from_db()
    assert export.status == BulkExport.Status.READY
    assert export.attempts == 2
    assert [part["type"] for part in export.files] == order
    for name, mtime in kept.items():
        assert (private_storage / name).stat().st_mtime_ns == mtime
    assert export.done == export.total


def test_a_live_run_keeps_a_second_delivery_away_until_its_lease_lapses(clinic, enqueued):
    export = bulk_export_request(by=clinic)
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.RUNNING, heartbeat_at=timezone.now()
    )
    assert bulk_export_run(export.pk) is False
    export.refresh_from_db()
    assert export.files == []
    BulkExport.objects.filter(pk=export.pk).update(
        heartbeat_at=timezone.now() - export_service.LEASE - dt.timedelta(seconds=1)
    )
    assert bulk_export_run(export.pk) is True


def test_one_export_at_a_time(clinic, enqueued):
    first = bulk_export_request(by=clinic)
    with pytest.raises(ValidationError):
        bulk_export_request(by=clinic)
    assert BulkExport.objects.count() == 1
    bulk_export_run(first.pk)
    with pytest.raises(ValidationError):
        bulk_export_resume(export=first)  # finished
    bulk_export_request(by=clinic)
    assert BulkExport.objects.count() == 2


def test_two_bulk_exports_give_identical_ids(clinic, private_storage, enqueued):
    ids = []
    for _ in range(2):
        export = bulk_export_request(by=clinic)
        bulk_export_run(export.pk)
        export.refresh_from_db()
        ids.append(
            [(row["resourceType"], row["id"]) for p in export.files
             for row in _lines(private_storage, p["file"])]
        )  # fmt: skip
    assert ids[0] == ids[1]
