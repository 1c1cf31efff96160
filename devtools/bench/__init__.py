"""Machinery of `manage.py bench` (devtools/management/commands/bench.py): the production-like
environment for the app server and workers, gunicorn, the HTTP client process, accounts that
can sign in, statistics and the machine description. Beside it: `booking` (the contention
run), `clinical` (the records the pages open, PDF rendering), `patients` (synthetic patients
for the search benchmark) and `client.py` (the HTTP client, run as a script).
"""

from __future__ import annotations

import json
import math
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection

from clinic.models import User

CLIENT_SCRIPT = Path(__file__).with_name("client.py")
BENCH_DIR = Path(settings.BASE_DIR, "var", "bench")
PASSWORD_SETTING = "BENCH_PASSWORD"  # noqa: S105 (the name of an environment variable)
DEFAULT_PASSWORD = "bench-clinic-password"  # noqa: S105 (synthetic benchmark accounts only)


class BenchFailed(Exception):
    pass


# --- Statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    n: int
    median: float
    p95: float

    @classmethod
    def of(cls, values: list[float]) -> Summary:
        ordered = sorted(values)
        rank = max(1, math.ceil(0.95 * len(ordered)))  # nearest-rank percentile
        return cls(len(ordered), statistics.median(ordered), ordered[rank - 1])


# --- The production-like environment --------------------------------------------------------


def production_env(*, static_root: Path, media_root: Path, port: int | None = None) -> dict:
    """Environment for the app server and workers: DEBUG off with everything production
    needs, behind a (pretend) TLS-terminating proxy that sets X-Forwarded-Proto, the local
    `.env` ignored, the same DATABASE_URL and REDIS_URL as this process, e-mail discarded,
    and no devtools app (`make bench` sets CLINIC_DEVTOOLS=1 for this process only): what
    runs there is what production runs."""
    env = dict(os.environ)
    env.pop("CLINIC_DEVTOOLS", None)
    env.update(
        DEBUG="0",
        DJANGO_ENV_FILE="",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_PROXY_SSL_HEADER="1",
        STATIC_ROOT=str(static_root),
        PRIVATE_MEDIA_ROOT=str(media_root),
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if port is not None:
        env["SITE_URL"] = f"https://127.0.0.1:{port}"
    return env


def collect_static(env: dict) -> float:
    """collectstatic into STATIC_ROOT with the production storage (hashed, compressed names),
    as a deployment does, unless its manifest is newer than every file under static/;
    returns the seconds it took."""
    manifest = Path(env["STATIC_ROOT"], "staticfiles.json")
    sources = Path(settings.BASE_DIR, "static")
    if manifest.exists():
        newest = max(path.stat().st_mtime for path in sources.rglob("*") if path.is_file())
        if manifest.stat().st_mtime > newest:
            return 0.0
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 (loopback)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def gunicorn(env: dict, port: int, *, workers: int = 2, log: Path):
    """The app under gunicorn (sync workers) on loopback; stopped on leaving the block."""
    command = [
        sys.executable, "-m", "gunicorn", "clinic.wsgi:application",
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
        "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchFailed(f"gunicorn did not start; see {log}")
            time.sleep(0.3)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_client(job: dict) -> dict:
    """Run the HTTP client in its own process with `job`; its JSON answer."""
    completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(CLIENT_SCRIPT)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchFailed(f"the client failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout)
    if "error" in result:
        raise BenchFailed(f"the client failed: {result['error']}")
    return result


# --- Accounts that sign in ---------------------------------------------------------------------


def bench_password() -> str:
    return os.environ.get(PASSWORD_SETTING) or DEFAULT_PASSWORD


def prepare_accounts(users: list[User], *, staff: set[int]) -> dict[int, dict]:
    """Give the benchmark's accounts a known password and each staff member a confirmed
    authenticator, so the client signs in through the real forms. Only accounts that
    seed_bench made (bench-*) are touched. Returns per user id: username, password and (staff)
    the authenticator's key for the client to compute codes from."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    password = bench_password()
    strangers = [u.username for u in users if not u.username.startswith("bench-")]
    if strangers:
        raise BenchFailed(f"not benchmark accounts: {', '.join(strangers)}")
    hashed = make_password(password)  # one hash for all: hashing is slow on purpose
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=hashed)
    accounts = {}
    for user in users:
        account = {"username": user.username, "password": password}
        if user.pk in staff:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
            # The client computes codes with the default step, origin and digits.
            if (device.step, device.t0, device.digits) != (30, 0, 6):
                device.step, device.t0, device.digits = 30, 0, 6
                device.save(update_fields=["step", "t0", "digits"])
            account["totp_key"] = device.key
        accounts[user.pk] = account
    return accounts


# --- The machine ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "postgresql": postgres,
        "os": platform.platform(),
        "load": machine_load(),
    }


def machine_load() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return " ".join(f"{x:.2f}" for x in load)
