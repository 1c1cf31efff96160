"""Side effects leave only after commit: with a captured on_commit, and with a real worker."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from clinic.celery import app as celery_app
from clinic.tasks import PROBE_KEY, WORKER_HEARTBEAT_KEY, broker_probe_task, worker_heartbeat_task
from tests.worker import celery_worker, wait_for

BASE_DIR = Path(settings.BASE_DIR)


def test_celery_is_configured_as_the_design_asks():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert "worker-heartbeat" in conf.beat_schedule
    assert conf.task_always_eager is (not settings.REDIS_URL)


@pytest.mark.django_db
def test_delay_on_commit_enqueues_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with mock.patch.object(broker_probe_task, "delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            broker_probe_task.delay_on_commit("token-1")
            delay.assert_not_called()
        assert len(callbacks) == 1
        callbacks[0]()
        delay.assert_called_once_with("token-1")


def _enqueue_then_fail(token: str) -> None:
    """A unit of work that enqueues its side effect, then fails and rolls back."""
    with transaction.atomic():
        broker_probe_task.delay_on_commit(token)
        raise RuntimeError("the booking failed")


@pytest.mark.django_db(transaction=True)
def test_delay_on_commit_never_enqueues_after_a_rollback():
    with mock.patch.object(broker_probe_task, "delay") as delay:
        with pytest.raises(RuntimeError):
            _enqueue_then_fail("token-2")
        delay.assert_not_called()


def test_heartbeat_task_records_when_a_worker_last_ran():
    cache.delete(WORKER_HEARTBEAT_KEY)
    worker_heartbeat_task.apply()
    assert cache.get(WORKER_HEARTBEAT_KEY)


def _wait_for(key: str, seconds: float) -> str | None:
    return wait_for(lambda: cache.get(key), seconds)


@pytest.fixture
def real_worker():
    """A Celery worker in its own process, consuming from Redis like production."""
    with celery_worker() as proc:
        yield proc


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_only_after_commit_and_never_after_rollback(real_worker):
    committed = uuid.uuid4().hex
    rolled_back = uuid.uuid4().hex
    marker = uuid.uuid4().hex

    with transaction.atomic():
        broker_probe_task.delay_on_commit(committed)
        # Still inside the transaction: nothing may have reached the worker.
        time.sleep(1.5)
        assert cache.get(PROBE_KEY.format(token=committed)) is None
    assert _wait_for(PROBE_KEY.format(token=committed), 30), "committed task never ran"

    with pytest.raises(RuntimeError):
        _enqueue_then_fail(rolled_back)

    # One worker, prefetch 1, FIFO: once a task sent later has run, an earlier one would have.
    broker_probe_task.delay(marker)
    assert _wait_for(PROBE_KEY.format(token=marker), 30), "marker task never ran"
    assert cache.get(PROBE_KEY.format(token=rolled_back)) is None
