"""Fixtures shared by every app's tests: one signed-in client per role."""

from __future__ import annotations

import pytest
from django.test import Client

from clinic.permissions import Role
from clinic.tests.factories import PatientFactory, UserFactory


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
        client = Client()
        client.force_login(user)
        return client

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


@pytest.fixture
def page_for(browser, live_server):
    """Open a fresh browser page (own cookies) at a viewport; collects console errors."""
    contexts = []

    def make(width: int = 1280, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.base = live_server.url
        return page

    yield make
    for context in contexts:
        context.close()
