"""Measure patient search at clinic scale: query time, page time and the plan used.

Everything happens inside a transaction that is rolled back, so the database is left as
it was. Run against PostgreSQL (DATABASE_URL) for production-like figures:

    DATABASE_URL=postgres://... python manage.py bench_patient_search --patients 20000
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.permissions import Role
from clinic.selectors import patient_search
from clinic.services import user_set_roles
from devtools.bench.patients import bulk_patients

QUERIES = ["tremb", "helene tremblay", "o'neil", "604-555-12", "p1234@exa", "kar"]


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark patient search over N synthetic patients (rolled back afterwards)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--patients", type=int, default=20_000)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args, **options) -> None:
        try:
            with transaction.atomic():
                self._run(options["patients"], options["repeat"])
                raise _Rollback
        except _Rollback:
            self.stdout.write("(rolled back: no synthetic patients were kept)")

    def _run(self, count: int, repeat: int) -> None:
        from clinic.models import User

        started = time.perf_counter()
        bulk_patients(count)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE clinic_patient")
        self.stdout.write(
            f"{connection.vendor}: inserted {count} patients in "
            f"{time.perf_counter() - started:.1f} s; {repeat} runs per query\n"
        )
        user = User.objects.create(username="bench-physio")
        user_set_roles(user=user, roles={Role.PHYSIO})
        client = Client()
        client.force_login(user)
        url = reverse("clinic:patient_list")

        header = f"{'query':<18}{'matches':>8}{'query ms p50':>14}{'p95':>8}"
        header += f"{'page ms p50':>13}{'p95':>8}{'queries':>9}  plan"
        self.stdout.write(header)
        for query in QUERIES:
            qs = patient_search(query=query)
            matches = qs.count()
            query_ms = _timed(repeat, lambda qs=qs: list(qs[:25]))
            page_ms = _timed(repeat, lambda q=query: client.get(url, {"q": q}))
            with CaptureQueriesContext(connection) as captured:
                client.get(url, {"q": query})
            plan = "-"
            if connection.vendor == "postgresql":
                plan = (
                    "trigram index" if "clinic_patient_search_trgm" in qs.explain() else "seq scan"
                )
            self.stdout.write(
                f"{query:<18}{matches:>8}{_p(query_ms, 50):>14.2f}{_p(query_ms, 95):>8.2f}"
                f"{_p(page_ms, 50):>13.2f}{_p(page_ms, 95):>8.2f}{len(captured):>9}  {plan}"
            )


def _timed(repeat: int, action) -> list[float]:
    action()  # warm up
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p(values: list[float], percentile: int) -> float:
    if percentile == 50:
        return statistics.median(values)
    return statistics.quantiles(values, n=100)[percentile - 1]
