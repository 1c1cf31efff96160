"""Acceptance 1 and 2 with a real Celery worker, Redis and PostgreSQL (CI): a signed session's
PDF appears within seconds; a worker killed mid-render still yields exactly one file; a
broker that was down at signing is caught up by the sweeper."""

from __future__ import annotations

import os
import signal
import time
from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from assessments.models import Muscle
from tests.worker import celery_worker, wait_for
from treatments import services, tasks
from treatments.models import VisitSummary
from treatments.tests.factories import complete_session, credential_for
from treatments.tests.summary_helpers import named_patient, pdf_text, stored_pdfs

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_ready(physio):
    credential_for(physio)
    patient = named_patient(physio, "Ada", "Lovelace")
    other = named_patient(physio, "Bob", "Brunel")
    return physio, patient, other


def _ready(summary: VisitSummary, seconds: float = 60) -> VisitSummary | None:
    def check():
        summary.refresh_from_db()
        return summary if summary.is_ready else None

    return wait_for(check, seconds, interval=0.1)


def test_a_signed_session_pdf_is_ready_within_seconds(worker_env, signed_ready, private_storage):
    physio, patient, other = signed_ready
    theirs = complete_session(physio, other, nprs_before=9, nprs_after=8)
    mine = complete_session(physio, patient, nprs_before=6, nprs_after=3)
    with celery_worker(env=worker_env, log_name="test-worker-summaries.log"):
        started = time.monotonic()
        services.session_sign(session=mine, by=physio)  # autocommit: sent at once
        summary = VisitSummary.objects.get(session=mine)
        assert _ready(summary, 30), f"not ready after 30 s: {summary.status} {summary.error}"
        elapsed = time.monotonic() - started
    assert elapsed < 30
    print(f"signed -> PDF ready through the real worker in {elapsed:.2f} s")  # for the note
    [path] = stored_pdfs(private_storage)
    text = pdf_text(path)
    assert Muscle.objects.get(name="Supinator").lay_name in text
    assert "6 / 10" in text
    assert "3 / 10" in text
    next_ims = mine.session_date + timezone.timedelta(days=7)
    assert f"{next_ims.day} {next_ims:%B %Y}" in text  # day month year, as the app
    for absent in ("Bob", "Brunel", "9 / 10", "Supinator", "C6"):
        assert absent not in text
    assert not VisitSummary.objects.filter(session=theirs).exists()  # unsigned: none


def test_a_worker_killed_mid_render_still_yields_exactly_one_file(
    worker_env, signed_ready, private_storage, tmp_path
):
    physio, patient, _ = signed_ready
    session = complete_session(physio, patient)
    marker = tmp_path / "rendering.pid"
    env = worker_env | {"SLOW_RENDER_MARKER": str(marker)}
    with celery_worker(
        app="treatments.tests.slow_worker",
        pool="prefork",
        env=env,
        log_name="test-worker-kill.log",
    ) as worker:
        services.session_sign(session=session, by=physio)
        summary = VisitSummary.objects.get(session=session)
        assert wait_for(marker.exists, 30), "the render never started"
        child = int(marker.read_text())
        assert child != worker.pid  # the pool's child, not the supervising process
        os.kill(child, signal.SIGKILL)
        summary.refresh_from_db()
        assert summary.is_pending  # the killed attempt committed nothing
        assert _ready(summary, 60), f"not produced after the kill: {summary.status}"
    assert len(stored_pdfs(private_storage)) == 1
    assert summary.attempts == 1


def test_broker_down_at_signing_is_caught_up_by_the_sweeper(
    worker_env, signed_ready, private_storage
):
    physio, patient, _ = signed_ready
    session = complete_session(physio, patient)
    with mock.patch.object(
        tasks.visit_summary_render_task, "apply_async", side_effect=BrokerDown("refused")
    ):
        services.session_sign(session=session, by=physio)
    session.refresh_from_db()
    assert session.is_signed
    summary = VisitSummary.objects.get(session=session)
    assert summary.is_pending
    VisitSummary.objects.filter(pk=summary.pk).update(
        queued_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    with celery_worker(env=worker_env, log_name="test-worker-sweeper.log"):
        time.sleep(1)
        summary.refresh_from_db()
        assert summary.is_pending  # nothing sent it while the broker was down
        tasks.summaries_sweep_task.delay()  # what beat sends every two minutes
        assert _ready(summary, 30), f"the sweeper did not catch up: {summary.status}"
    assert len(stored_pdfs(private_storage)) == 1
