"""Measure PDF rendering: a visit summary, a 10-session course summary, and the pipeline's
overhead over WeasyPrint alone on the same HTML.

    python manage.py seed_demo && python manage.py bench_summaries --runs 30

`--json` prints every timing instead of the table (`manage.py bench` reads it).

"Task" is the whole unit a worker runs for one document (claim the row, query, build the
context, render the template, WeasyPrint, store the file, mark ready), executed in-process
through the task's own `apply`, so the broker's latency is not counted. "WeasyPrint" is
`html_to_pdf` on the HTML that run produced. Everything happens inside a transaction that
is rolled back, with files in a temporary directory: the database is left as it was.
"""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.test.utils import override_settings

from clinic.models import Patient
from treatments import pdf, tasks
from treatments.models import CourseSummary, TreatmentSession, VisitSummary
from treatments.selectors import documents
from treatments.services import summaries


class Rollback(Exception):
    pass


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


class Command(BaseCommand):
    help = "Median render times of visit and course summaries, and the pipeline overhead."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=20, help="documents of each kind")
        parser.add_argument("--json", action="store_true", help="print every timing as JSON")

    def handle(self, *args, runs: int, **options) -> None:
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        signed = TreatmentSession.objects.filter(status=TreatmentSession.Status.SIGNED)
        if not signed.exists():
            raise CommandError("No signed sessions: run `manage.py seed_demo` first.")
        with tempfile.TemporaryDirectory() as folder:
            storages = {
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": folder},
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            with override_settings(STORAGES=storages):
                try:
                    with transaction.atomic():
                        results = self._measure(signed, runs)
                        raise Rollback
                except Rollback:
                    pass
        if options["json"]:
            self.stdout.write(json.dumps({**results, "course_sessions": self.course_sessions}))
        else:
            self._report(results, runs)

    def _measure(self, signed, runs: int) -> dict[str, list[float]]:
        # Warm up once, as a long-lived worker process is: fonts, templates, CSS parsed.
        pdf.html_to_pdf(render_to_string("pdf/base.html", {"title": "warm-up"}))
        results: dict[str, list[float]] = {"visit": [], "visit_weasy": [], "course": []}
        results["course_weasy"] = []
        sessions = list(signed.order_by("-session_date")[:runs])
        while len(sessions) < runs:
            sessions += sessions[: runs - len(sessions)]
        for session in sessions:
            summary = summaries.visit_summary_request(session=session, reason="Benchmark")
            results["visit"].append(
                _timed(lambda s=summary: tasks.visit_summary_render_task.apply(args=[s.pk]))
            )
            summary = VisitSummary.objects.get(pk=summary.pk)
            html = render_to_string(
                "pdf/visit_summary.html", documents.visit_summary_context(summary)
            )
            results["visit_weasy"].append(_timed(lambda h=html: pdf.html_to_pdf(h)))

        patient = (
            Patient.objects.annotate(
                n=Count("treatment_sessions", filter=Q(treatment_sessions__status="signed"))
            )
            .order_by("-n")
            .first()
        )
        course_sessions = list(signed.filter(patient=patient).order_by("-session_date")[:10])
        self.course_sessions = len(course_sessions)
        by = course_sessions[0].practitioner.user
        for _ in range(max(3, runs // 2)):
            course = CourseSummary.objects.create(
                patient=patient,
                date_from=course_sessions[-1].session_date,
                date_to=course_sessions[0].session_date,
                recipient="Benchmark",
                requested_by=by,
            )
            results["course"].append(
                _timed(lambda c=course: tasks.course_summary_render_task.apply(args=[c.pk]))
            )
            html = render_to_string(
                "pdf/course_summary.html", documents.course_summary_context(course)
            )
            results["course_weasy"].append(_timed(lambda h=html: pdf.html_to_pdf(h)))
        failed = VisitSummary.objects.filter(status="failed").count()
        if failed:
            raise CommandError(f"{failed} renders failed; see the log.")
        return results

    def _report(self, results: dict[str, list[float]], runs: int) -> None:
        def median(key: str) -> float:
            return statistics.median(results[key])

        def p95(key: str) -> float:
            values = sorted(results[key])
            return values[min(len(values) - 1, int(len(values) * 0.95))]

        rows = [
            ("Visit summary, task", "visit"),
            ("Visit summary, WeasyPrint alone", "visit_weasy"),
            (f"Course summary ({self.course_sessions} sessions), task", "course"),
            ("Course summary, WeasyPrint alone", "course_weasy"),
        ]
        self.stdout.write(f"{'':45} {'n':>4} {'median s':>9} {'p95 s':>7}")
        for label, key in rows:
            self.stdout.write(
                f"{label:45} {len(results[key]):>4} {median(key):>9.3f} {p95(key):>7.3f}"
            )
        self.stdout.write(
            f"Pipeline overhead (task / WeasyPrint alone, medians): "
            f"visit {median('visit') / median('visit_weasy'):.2f}x, "
            f"course {median('course') / median('course_weasy'):.2f}x"
        )
