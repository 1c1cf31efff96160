"""`manage.py bench` at a tiny scale: the machinery works end to end (seeding an empty
database, gunicorn with production settings, the client signing in through the real forms,
concurrent booking, the invariant checks, the mixed-load run with 3 people for 2 s, the
report; the PDF part is left to make bench, as its Celery workers alone take about 20 s).
Timings are not asserted: only that every part ran and the database kept its rules.

Needs PostgreSQL and Redis (as CI has): the app server runs in other processes, which see
this test's database.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from clinic.models import Appointment
from devtools.bench import mixed
from treatments.models import TreatmentSession

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The test settings hash with MD5 for speed; the app server runs production settings,
# which do not accept MD5 hashes.
PRODUCTION_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def bench_env(monkeypatch):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as in CI")
    db = connection.settings_dict
    monkeypatch.setenv(
        "DATABASE_URL",
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}",
    )
    monkeypatch.setenv("CONN_MAX_AGE", "0")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_bench_runs_end_to_end_at_a_tiny_scale(bench_env, tmp_path, capsys):
    report = tmp_path / "PERFORMANCE.md"
    call_command(
        "bench",
        scale=0.01,
        requests=2,
        warmup=1,
        clients=3,
        booking_attempts=3,
        mixed_users=3,
        mixed_seconds=2,
        mixed_think=0.1,
        skip_pdf=True,
        output=str(report),
    )
    text = report.read_text()
    for page in (
        "floor (physio)",
        "desk day view",
        "desk day notices",
        "patient search",
        "patient chart",
        "session form",
        "assessment",
        "portal documents",
        "floor (clinic admin)",
        "clinic dashboard",
    ):
        assert f"| {page} |" in text
    assert "seeded in this run" in text
    assert "**zero violations**" in text
    assert "(matches the client's count)" in text
    assert "| Attempts | 9 in" in text
    # The benchmark's bookings were removed again.
    assert not Appointment.objects.filter(note="Benchmark booking").exists()

    # The mixed load: every page of every role was requested and answered, none failed.
    section = text.split("## Mixed load", 1)[1].split("\n## ", 1)[0]
    assert "3 simulated people" in section
    assert "| Errors | 0 |" in section
    assert "- error:" not in section
    for page in mixed.PAGE_ORDER:
        row = re.search(rf"^\| {re.escape(page)} \| (\d+) \| ", section, re.MULTILINE)
        assert row, f"no row for {page}"
        assert int(row.group(1)) > 0, page
    throughput = re.search(r"\| Throughput \| ([0-9.]+) requests/s \|", section)
    assert float(throughput.group(1)) > 0
    booked = re.search(r"\| Bookings made \| (\d+) \((\d+) found in the database\) \|", section)
    assert int(booked.group(1)) > 0
    assert booked.group(1) == booked.group(2)
    assert re.search(r"\| Machine \| \d+ CPUs", section)
    # Its bookings were deleted and the autosaved draft got its plan back.
    assert not Appointment.objects.filter(note=mixed.NOTE).exists()
    assert not TreatmentSession.objects.filter(plan__startswith=mixed.DRAFT_NOTE).exists()
    assert "mixed load: " in capsys.readouterr().out
