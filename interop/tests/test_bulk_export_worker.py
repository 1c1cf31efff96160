"""Issue 21, acceptance 2, through a real Celery worker (Redis broker, PostgreSQL; CI): the
admin's request is picked up after commit and the export ends ready, every type's file
written and valid. The 20,000-patient run is `manage.py bench_fhir_export`."""

from __future__ import annotations

import json

import pytest

from interop.models import BulkExport
from interop.services import bulk_export_request
from interop.tests.fhir_checks import problems
from tests.worker import celery_worker, wait_for
from treatments.tests.factories import credential_for
from treatments.tests.summary_helpers import named_patient, signed_session

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_bulk_export_runs_through_a_real_worker(
    worker_env, physio, clinic_admin, private_storage
):
    credential_for(physio)
    patient = named_patient(physio, "Ada", "Lovelace")
    signed_session(physio, patient)
    with celery_worker(env=worker_env, log_name="test-worker-fhir.log"):
        export = bulk_export_request(by=clinic_admin)  # autocommit: sent at once

        def ready():
            export.refresh_from_db()
            return export if export.status == BulkExport.Status.READY else None

        assert wait_for(ready, 120), f"not ready: {export.status} {export.error}"
    assert export.done == export.total > 0
    for part in export.files:
        lines = (private_storage / part["file"]).read_text().splitlines()
        assert len(lines) == part["count"]
        assert [p for line in lines for p in problems(json.loads(line))] == []
