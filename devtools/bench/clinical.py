"""The clinical half of `manage.py bench`: which records the page benchmark opens, and PDF
rendering (per document in one process, and throughput of real Celery workers).

Front-office machinery (gunicorn, the HTTP client, accounts, statistics) is in
devtools.bench; this module adds what needs assessments and treatments.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count

from assessments.models import Assessment
from clinic.celery import app as celery_app
from clinic.models import Patient
from devtools.bench import BenchFailed, Summary, stop
from treatments import services, tasks
from treatments.models import DocumentStatus, TreatmentSession, VisitSummary

BENCH_FIFTY = ("Bench", "Fifty")


@dataclass
class Records:
    patient: Patient
    physio_user_id: int
    draft: TreatmentSession
    draft_created: bool
    assessment: Assessment


def bench_fifty() -> Patient | None:
    first, last = BENCH_FIFTY
    return (
        Patient.objects.filter(legal_first_name=first, legal_last_name=last)
        .select_related("user")
        .first()
    )


def records(patient: Patient) -> Records:
    """Bench Fifty's physiotherapist, a draft session of theirs for Bench Fifty (opened
    through the service if there is none; it stays for the next run), and the signed
    assessment with the most findings (Bench Fifty's own, else any of that physio's)."""
    signed = TreatmentSession.objects.filter(patient=patient, status=TreatmentSession.Status.SIGNED)
    latest = signed.select_related("practitioner").order_by("-session_date").first()
    if latest is None:
        raise BenchFailed("Bench Fifty has no signed sessions: run seed_bench --reset.")
    practitioner = latest.practitioner
    draft = (
        TreatmentSession.objects.filter(
            patient=patient, practitioner=practitioner, status=TreatmentSession.Status.DRAFT
        )
        .order_by("-pk")
        .first()
    )
    created = draft is None
    if created:
        draft = services.session_start(patient=patient, practitioner=practitioner)
    assessments = Assessment.objects.filter(status=Assessment.Status.SIGNED).annotate(
        findings=Count("sign_findings", distinct=True)
    )
    assessment = (
        assessments.filter(patient=patient, findings__gt=0).order_by("-findings", "-pk").first()
        or assessments.filter(practitioner=practitioner, findings__gt=0)
        .order_by("-findings", "-pk")
        .first()
    )
    if assessment is None:
        raise BenchFailed("No signed assessment with findings: run seed_bench --reset.")
    return Records(patient, practitioner.user_id, draft, created, assessment)


# --- PDF rendering --------------------------------------------------------------------------------


def render_times(env: dict, runs: int) -> dict[str, Summary]:
    """Seconds per visit summary and per course summary, each the whole task in one warm
    process with production settings (`bench_summaries`, which rolls back what it wrote).
    The command is a devtools one: CLINIC_DEVTOOLS=1 installs it there (the app server and
    the workers run without it, as production does)."""
    completed = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "bench_summaries", "--runs", str(runs), "--json"],
        cwd=settings.BASE_DIR,
        env={**env, "CLINIC_DEVTOOLS": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchFailed(f"bench_summaries failed:\n{completed.stderr[-3000:]}")
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    results = {key: Summary.of(found[key]) for key in ("visit", "course")}
    results["course_sessions"] = found["course_sessions"]
    return results


WARM_UP = 3  # untimed renders per worker process
SNAPSHOT = ("status", "file", "error", "attempts", "rendered_at", "render_seconds", "queued_at")


def summaries_to_render(count: int) -> list[int]:
    """Ready visit summaries of other patients than Bench Fifty (whose document list the
    page benchmark reads), newest sessions first."""
    first, last = BENCH_FIFTY
    return list(
        VisitSummary.objects.filter(status=DocumentStatus.READY)
        .exclude(session__patient__legal_first_name=first, session__patient__legal_last_name=last)
        .order_by("-session__session_date", "-pk")
        .values_list("pk", flat=True)[:count]
    )


def _purge(queue: str) -> None:
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


def _remove_notifications(ids: set[int]) -> None:
    """A finished render asks for "your summary is ready" on the default queue; take back
    those of the benchmark's re-renders (only those: the queue may hold others' work)."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    for raw in client.lrange("celery", 0, -1):
        try:
            message = json.loads(raw)
            headers = message.get("headers", {})
            task, args = headers.get("task"), headers.get("argsrepr", "")
        except (ValueError, AttributeError):
            continue
        if task == "treatments.tasks.visit_summary_notify_task":
            summary_id = args.strip("(),[] ")
            if summary_id.isdigit() and int(summary_id) in ids:
                client.lrem("celery", 1, raw)


def _wait_ready(ids: list[int], timeout: float) -> tuple[float, int]:
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    pending = VisitSummary.objects.filter(pk__in=ids, status=DocumentStatus.PENDING)
    while pending.exists():
        if time.monotonic() > deadline:
            raise BenchFailed(f"{pending.count()} of {len(ids)} renders still pending")
        time.sleep(0.1)
    failed = VisitSummary.objects.filter(pk__in=ids, status=DocumentStatus.FAILED).count()
    return time.perf_counter() - started, failed


def _enqueue(ids: list[int]) -> None:
    VisitSummary.objects.filter(pk__in=ids).update(status=DocumentStatus.PENDING, error="")
    for pk in ids:
        tasks.visit_summary_render_task.apply_async(args=[pk])


def _start_worker(env: dict, concurrency: int, log: Path) -> tuple[subprocess.Popen, str]:
    name = f"bench{concurrency}-{time.time_ns()}@localhost"
    command = [
        sys.executable, "-m", "celery", "-A", "clinic", "worker", "--queues=pdf",
        f"--concurrency={concurrency}", "--pool=prefork", f"--hostname={name}",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING",
    ]  # fmt: skip
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(destination=[name], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise BenchFailed(f"the Celery worker did not start; see {log}")
    return process, name


def throughput(env: dict, *, renders: int, log_dir: Path) -> dict[int, dict]:
    """Summaries per minute with 1 and then 2 worker processes (prefork): existing visit
    summaries are set back to pending and sent to the pdf queue, timed from sending until
    the last is ready. The worker first renders a few untimed (three per process, so each
    child has loaded fonts and templates, as in a long-running worker). Afterwards the rows
    get back their own state."""
    ids = summaries_to_render(renders + WARM_UP * 2)
    if len(ids) < renders + WARM_UP * 2:
        raise BenchFailed("Not enough ready visit summaries to re-render: run seed_bench.")
    snapshot = {
        row["pk"]: row for row in VisitSummary.objects.filter(pk__in=ids).values("pk", *SNAPSHOT)
    }
    results = {}
    try:
        for concurrency in (1, 2):
            _purge("pdf")
            worker, _name = _start_worker(env, concurrency, log_dir / f"celery-{concurrency}.log")
            try:
                warm = ids[: WARM_UP * concurrency]
                measured = ids[WARM_UP * 2 : WARM_UP * 2 + renders]
                _enqueue(warm)
                _wait_ready(warm, timeout=120)
                _enqueue(measured)
                seconds, failed = _wait_ready(measured, timeout=600)
            finally:
                stop(worker, timeout=60)
            results[concurrency] = {
                "renders": len(measured),
                "seconds": seconds,
                "per_minute": len(measured) / seconds * 60,
                "failed": failed,
            }
    finally:
        _purge("pdf")
        for pk, row in snapshot.items():
            VisitSummary.objects.filter(pk=pk).update(**{f: row[f] for f in SNAPSHOT})
        _remove_notifications(set(ids))
    return results
