"""Fixtures shared by every app's tests: one signed-in client per role."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from clinic.permissions import Role
from clinic.tests.factories import PatientFactory, UserFactory, verified_client

# Private storage and the real worker's environment, for every app's tests and tests/.
pytest_plugins = ["tests.fixtures"]


def pytest_configure(config) -> None:
    from django.conf import settings

    # Deliberately slow password hashing is for attackers, not for the test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        # Parallel workers (make test) each have their own test database; with REDIS_URL
        # they would share one cache, so each keeps its keys apart.
        for cache in settings.CACHES.values():
            cache["KEY_PREFIX"] = f"{cache.get('KEY_PREFIX', '')}-{worker}"
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        _serve_one_request_at_a_time()


# Tests that must not run beside others (make test runs them after the parallel part, one
# at a time): the browser drives one live server and one Chromium, the real Celery worker
# and the bench's app servers take jobs and CPU from a shared broker and machine.
SERIAL_MARKERS = ("serial", "browser", "e2e", "worker")
SERIAL_FIXTURES = {"live_server", "browser", "worker_env", "bench_env"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Mark the tests above `serial` (before `-m` selects), so `-m "not serial"` is the
    part pytest-xdist may spread over processes."""
    for item in items:
        if (
            any(item.get_closest_marker(name) for name in SERIAL_MARKERS)
            or item.path.name.startswith("test_browser")
            or SERIAL_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        ):
            item.add_marker(pytest.mark.serial)


def _serve_one_request_at_a_time() -> None:
    """On SQLite the test database lives in memory, so the live server's request threads
    share one connection: two requests at once (a page's autosaves) interleave their
    savepoints and fail with TransactionManagementError, which no deployment could meet.
    The browser tests' server answers one request at a time there instead (Django closes
    each connection after its response when the server is not threaded). PostgreSQL keeps
    the threaded server, as in production."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SerialWSGIServer


@dataclass
class SentTask:
    task: Any
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.task.name

    def run(self) -> None:
        """Run the task body here and now, as a worker would."""
        self.task.apply(args=self.args, kwargs=self.kwargs, throw=True)


@pytest.fixture(autouse=True)
def enqueued(request, monkeypatch) -> list[SentTask]:
    """Tasks sent with delay()/apply_async() are recorded here instead of being sent to a
    broker or run eagerly, so every test behaves the same with or without REDIS_URL. A test
    asserts what was enqueued and runs a task explicitly with `.run()`. Tests marked
    `worker` talk to the real broker instead."""
    sent: list[SentTask] = []
    if request.node.get_closest_marker("worker") or request.node.get_closest_marker("e2e"):
        return sent
    from celery.app.task import Task

    def record(self, args=None, kwargs=None, **options):
        sent.append(SentTask(self, tuple(args or ()), dict(kwargs or {})))

    monkeypatch.setattr(Task, "apply_async", record)
    return sent


@pytest.fixture
def make_user(db):
    def make(*roles: Role, **fields):
        return UserFactory(roles=set(roles), **fields)

    return make


@pytest.fixture
def physio(make_user):
    return make_user(Role.PHYSIO, username="physio", first_name="Maya")


@pytest.fixture
def physio2(make_user):
    return make_user(Role.PHYSIO, username="physio2")


@pytest.fixture
def front_desk(make_user):
    return make_user(Role.FRONT_DESK, username="frontdesk")


@pytest.fixture
def clinic_admin(make_user):
    return make_user(Role.CLINIC_ADMIN, username="clinicadmin")


@pytest.fixture
def patient_user(make_user):
    user = make_user(Role.PATIENT, username="patienta")
    PatientFactory(user=user, legal_first_name="Ada", legal_last_name="Patient")
    return user


@pytest.fixture
def client_for():
    """A test client signed in as `user`."""

    def make(user) -> Client:
        return verified_client(user)

    return make


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; browser tests skip without it."""
    import os
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between browser steps are ordinary synchronous ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _where(location: dict) -> str:
    """Where a console message came from: the script's URL and line."""
    return f"{location.get('url', '')}:{location.get('lineNumber', '')}"


def _pages(browser, live_server, **context_options):
    """A page maker: each page gets its own context (cookies), the live server's address as
    `page.base`, and a list of the console errors it logged."""
    contexts = []

    def make(viewport: dict):
        context = browser.new_context(viewport=viewport, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda msg: (
                page.console_errors.append(f"{msg.text} [{_where(msg.location)}]")
                if msg.type == "error"
                else None
            ),
        )
        page.base = live_server.url
        return page

    return make, contexts


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _close(request, contexts, kind: str) -> None:
    """Close the pages; when the test failed, first save what each page showed then, under
    var/failures/ (CI keeps var/), so a red run can be read without re-running it."""
    from pathlib import Path

    from django.conf import settings

    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    folder = Path(settings.BASE_DIR) / "var" / "failures"
    for number, context in enumerate(contexts, start=1):
        if failed:
            folder.mkdir(parents=True, exist_ok=True)
            for page in context.pages:
                # A page that died with the test must not hide the test's own failure.
                with contextlib.suppress(Exception):
                    page.screenshot(
                        path=str(folder / f"{request.node.name}-{kind}{number}.png"),
                        full_page=True,
                    )
        context.close()


@pytest.fixture
def page_for(request, browser, live_server):
    """Open a fresh desktop browser page at a viewport (1280x800 by default)."""
    make, contexts = _pages(browser, live_server)
    yield lambda width=1280, height=800: make({"width": width, "height": height})
    _close(request, contexts, "desktop")


@pytest.fixture
def touch_page_for(request, browser, live_server):
    """Open a fresh page on a touch device (phone or tablet) at `viewport`."""
    make, contexts = _pages(browser, live_server, has_touch=True, is_mobile=True)
    yield make
    _close(request, contexts, "touch")
