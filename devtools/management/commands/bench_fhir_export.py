"""Run the clinic's FHIR bulk export through a real Celery worker and report its wall time
and the worker's peak memory (issue 21, acceptance 2).

    createdb -T clinic_bench clinic_h_NAME_bench   # a copy of the seed_bench data
    DATABASE_URL=postgres://.../clinic_h_NAME_bench REDIS_URL=redis://127.0.0.1:6379/N \\
        python manage.py migrate
    DATABASE_URL=... REDIS_URL=... python manage.py bench_fhir_export

The command starts `celery -A clinic worker --pool=solo` (the export runs in the worker's
own process, so its memory is the worker's), asks for an export as the first clinic admin,
samples the worker's resident memory every half second while it runs and reads the
kernel's high-water mark (VmHWM, /proc/PID/status) at the end. Files go to a temporary
directory unless --keep-files names one. The export row stays in the database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from clinic.models import Patient, User
from clinic.permissions import Role
from interop.models import BulkExport
from interop.services import bulk_export_request


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Command(BaseCommand):
    help = "Time the FHIR bulk export through a real worker; report peak worker memory."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--keep-files", default="", help="write the NDJSON files here")
        parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait")

    def handle(self, *args, keep_files: str, timeout: int, **options) -> None:
        from clinic.tasks import PROBE_KEY, broker_probe_task

        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
        admin = User.objects.filter(groups__name=Role.CLINIC_ADMIN.group_name).first()
        if admin is None:
            raise CommandError("No clinic admin in this database.")
        folder = keep_files or tempfile.mkdtemp(prefix="fhir-bench-")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "PRIVATE_MEDIA_ROOT": folder,
        }
        log = Path(folder) / "worker.log"
        with log.open("w") as log_file:
            worker = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [
                    sys.executable, "-m", "celery", "-A", "clinic", "worker", "--pool=solo",
                    "--concurrency=1", "--loglevel=INFO", "--queues=celery",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                    f"--hostname=fhir-bench-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=settings.BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                self._run(worker, broker_probe_task, PROBE_KEY, admin, timeout, folder)
            finally:
                worker.terminate()
                worker.wait(timeout=30)

    def _run(self, worker, probe, probe_key, admin, timeout, folder) -> None:
        token = f"fhir-bench-{uuid.uuid4().hex}"
        probe.delay(token)
        deadline = time.monotonic() + 120
        while not cache.get(probe_key.format(token=token)):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise CommandError(f"The worker did not start; see {folder}/worker.log")
            time.sleep(0.2)
        idle_kb = _status_kb(worker.pid, "VmRSS")
        patients = Patient.objects.count()
        started = time.monotonic()
        export = bulk_export_request(by=admin)
        samples = []
        deadline = started + timeout
        while True:
            samples.append(_status_kb(worker.pid, "VmRSS"))
            export.refresh_from_db()
            if export.status in (BulkExport.Status.READY, BulkExport.Status.FAILED):
                break
            if time.monotonic() > deadline:
                raise CommandError(f"Not finished after {timeout} s: {export.done}/{export.total}")
            time.sleep(0.5)
        wall = time.monotonic() - started
        peak_kb = _status_kb(worker.pid, "VmHWM")
        if export.status != BulkExport.Status.READY:
            raise CommandError(f"The export stopped: {export.error}")
        size = sum((Path(folder) / part["file"]).stat().st_size for part in export.files)
        out = self.stdout.write
        out(f"patients                 {patients}")
        for part in export.files:
            out(f"  {part['type']:<22} {part['count']:>9}")
        out(f"records read             {export.done}")
        out(f"resources written        {sum(part['count'] for part in export.files)}")
        out(f"NDJSON written           {size / 1e6:.1f} MB")
        out(f"wall time                {wall:.1f} s (request to ready, through the worker)")
        out(f"worker RSS idle          {idle_kb / 1024:.0f} MB")
        out(f"worker RSS peak          {peak_kb / 1024:.0f} MB (VmHWM)")
        out(f"worker RSS max sampled   {max(samples) / 1024:.0f} MB")
