"""On PostgreSQL, patient search is served by the trigram index at clinic scale."""

from __future__ import annotations

import pytest
from django.db import connection

from clinic.selectors import patient_search
from devtools.bench.patients import bulk_patients

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the trigram index exists only there")


@pytest.fixture
def twenty_thousand_patients():
    bulk_patients(20_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clinic_patient")


@pytest.mark.parametrize(
    "query",
    [
        "tremb",  # part of a surname
        "helene tremblay",  # full name, accents typed or not
        "o'neil",  # apostrophes ignored
        "604-555-12",  # phone digits
        "p1234@exa",  # e-mail
    ],
)
def test_search_over_20000_patients_uses_the_trigram_index(twenty_thousand_patients, query):
    plan = patient_search(query=query).explain()
    assert "clinic_patient_search_trgm" in plan, plan
    assert "Seq Scan on clinic_patient " not in plan, plan


def test_the_index_really_is_a_trigram_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'clinic_patient_search_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin" in definition
    assert "gin_trgm_ops" in definition
