"""Helpers shared by the browser journeys (the fixtures live in the root conftest.py)."""

from __future__ import annotations

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
