"""On PostgreSQL, the patient list's first page of a search is read through the trigram
index, not by walking every patient in name order (clinic.selectors.patients,
_early_search_rows: PostgreSQL 15 costs the window count as if it could stop after a page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import Patient
from clinic.selectors import patient_search_page
from devtools.bench.patients import bulk_patients

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the trigram index exists only there")


@pytest.fixture
def twenty_thousand_patients():
    """As seed_bench has them: one patient in a hundred is a Smith (the benchmark's search),
    with the index and statistics as a settled table has them."""
    bulk_patients(19_800)
    smiths = [
        Patient(
            legal_first_name=f"Pat{index}",
            legal_last_name="Smith",
            date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=index * 37),
        )
        for index in range(200)
    ]
    for patient in smiths:
        patient.search_text = patient.build_search_text()
    Patient.objects.bulk_create(smiths)
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('clinic_patient_search_trgm')")
        cursor.execute("ANALYZE clinic_patient")


@pytest.mark.parametrize("query", ["smith", "tremb", "o'neil", "604-555-12", "ann"])
def test_a_search_page_reads_the_matches_from_the_trigram_index(twenty_thousand_patients, query):
    with CaptureQueriesContext(connection) as captured:
        page = patient_search_page(query=query, number=None, per_page=25)
    assert len(captured) == 1, "the first page of a search is one query"
    assert page.paginator.count > 0, query
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + captured.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "clinic_patient_search_trgm" in plan, plan
    assert "clinic_patient_name_order" not in plan, plan
