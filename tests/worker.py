"""Start a real Celery worker process for the `worker` tests (Redis broker, like production)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

BASE_DIR = Path(settings.BASE_DIR)


def wait_for(predicate, seconds: float, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


@contextmanager
def celery_worker(
    *,
    app: str = "clinic",
    pool: str = "solo",
    queues: str = "celery,pdf",
    env: dict[str, str] | None = None,
    log_name: str = "test-worker.log",
) -> Iterator[subprocess.Popen]:
    """A worker in its own process, ready (it has run a probe task) when this yields."""
    from clinic.tasks import PROBE_KEY, broker_probe_task

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: a real worker needs a real broker")
    log = BASE_DIR / "var" / log_name
    log.parent.mkdir(exist_ok=True)
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings", **(env or {})}
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", app, "worker",
                f"--pool={pool}", "--concurrency=1", "--loglevel=INFO", f"--queues={queues}",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=BASE_DIR, env=full_env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            warmup = f"warmup-{uuid.uuid4().hex}"
            broker_probe_task.delay(warmup)
            if not wait_for(lambda: cache.get(PROBE_KEY.format(token=warmup)), 60):
                pytest.fail(f"worker did not start; see {log}:\n{log.read_text()[-3000:]}")
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
