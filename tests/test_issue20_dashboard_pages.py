"""Issue 20, clinic dashboard: opened in headless Chromium by the clinic admin (every
practitioner, filters, the CSV download) and by a physiotherapist (their own rows, no
practitioner filter), on a desktop and, for the physiotherapist, a tablet. axe-core finds
no critical or serious violation; screenshots under var/screenshots/issue20-dashboard-*.
The data is the fixed clinic of clinic/tests/test_dashboard.py (March 2026)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinic.permissions import Role
from clinic.tests.factories import UserFactory
from clinic.tests.test_dashboard import HAND_COUNTS, World
from tests.browser import assert_no_sideways_scroll, shot, sign_in
from tests.e2e import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
RANGE = "?date_from=2026-03-02&date_to=2026-03-29"


def _check(page, name: str) -> None:
    assert_accessible(page)
    shot(page, f"issue20-dashboard-{name}")
    assert page.console_errors == [], page.console_errors


def _clinic():
    physio = UserFactory(username="physio20d", first_name="Avery", roles={Role.PHYSIO})
    desk = UserFactory(username="desk20d", roles={Role.FRONT_DESK})
    admin = UserFactory(username="admin20d", first_name="Morgan", roles={Role.CLINIC_ADMIN})
    world = World(physio, desk)
    world.build()
    return admin, physio, world


def test_dashboard_pages(page_for):
    admin, physio, world = _clinic()
    page = page_for(**DESKTOP)
    sign_in(page, admin.username)
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", name="Clinic dashboard")).to_be_visible()
    page.fill("#id_date_from", "2026-03-02")
    page.fill("#id_date_to", "2026-03-29")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("table.dashboard-table tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("table.dashboard-table tfoot")).to_contain_text("50.0% (1 of 2)")
    expect(page.locator("svg.dashboard-chart")).to_have_count(3)
    _check(page, "admin")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert list(csv.reader(io.StringIO(text)))[1:] == HAND_COUNTS

    page.select_option("#id_practitioner", label="Blake Physio")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Blake Physio")
    _check(page, "admin-one-practitioner")

    page.goto(page.base + "/dashboard/?date_from=2026-03-29&date_to=2026-03-02")
    expect(page.locator(".invalid-feedback")).to_contain_text("before its start")
    _check(page, "admin-bad-range")

    physio_page = page_for(**TABLET)
    sign_in(physio_page, physio.username)
    physio_page.goto(physio_page.base + "/dashboard/" + RANGE)
    expect(physio_page.get_by_text("Your own visits and courses only.")).to_be_visible()
    expect(physio_page.locator("#id_practitioner")).to_have_count(0)
    physio_rows = physio_page.locator("table.dashboard-table tbody tr")
    expect(physio_rows).to_have_count(3)
    for i in range(3):
        expect(physio_rows.nth(i)).to_contain_text("Avery Physio")
    assert_no_sideways_scroll(physio_page, TABLET["width"])
    _check(physio_page, "physio-tablet")
