"""Helpers shared by the browser journeys (the fixtures live in the root conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings

from clinic.tests.factories import TEST_PASSWORD

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page, name: str) -> None:
    """Save a full-page screenshot to var/screenshots/<name>.png for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky navbar lands mid-page
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the form; staff then type the code their authenticator shows."""
    from clinic.models import User
    from clinic.permissions import Role
    from clinic.tests.factories import totp_code, totp_device_for

    user = User.objects.get(username=username)
    device = totp_device_for(user) if user.roles & Role.staff_roles() else None
    page.goto(page.base + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if device is not None and "/accounts/2fa/" in page.url:
        # A code is accepted once; a test signing the same user in twice within 30 seconds
        # would be refused as a replay, so forget the last one used.
        type(device).objects.filter(pk=device.pk).update(last_t=-1)
        page.fill("#id_token", totp_code(device))
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")


def heading(page):
    return page.locator("main h1, h1").first


def success_message(page):
    return page.locator(".messages .alert-success")


def assert_no_sideways_scroll(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px > {width}px"


# --- The schedule ---------------------------------------------------------------------------


def long_date(day: dt.date) -> str:
    """As the refusal writes it: Monday 30 November 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    """As the patient panel writes it: Mon 30 Nov 2026."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def unpadded_or_padded(message: str, day: dt.date, before: str, after: str) -> re.Pattern:
    """`message` with the date put in as "Monday 7 December" or, as some of the app's
    messages still write it (strftime %d), "Monday 07 December"."""
    when = rf"{day:{before}} 0?{day.day} {day:{after}}"
    head, tail = message.split("{}")
    return re.compile(re.escape(head) + when + re.escape(tail))


def grid_appointment(page, name: str):
    return page.locator(".schedule-grid a.appt", has_text=name)


def modal(page):
    return page.locator("#app-modal")
