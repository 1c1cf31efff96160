"""Issue 19, acceptance 1 in a browser: today's day view opens scrolled to the current time
with a line on its row, and the late flag and the states read as words; the pickers apply
without a Go button. The browser's clock is set to 16:00 clinic time (Playwright's clock),
so the test does not depend on when it runs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.permissions import Role
from clinic.tests.factories import UserFactory, make_practitioner
from tests.browser import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VANCOUVER = "America/Vancouver"


def _page(browser, live_server, **options):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, timezone_id=VANCOUVER, **options
    )
    page = context.new_page()
    page.base = live_server.url
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    return context, page


def test_today_opens_scrolled_to_the_current_time(browser, live_server):
    UserFactory(username="frontdesk", first_name="Sam", roles={Role.FRONT_DESK})
    # Working 06:00-22:00 today, whatever day it is: the grid runs past 16:00.
    make_practitioner(hours=((0, 6), (6, 22)), name="Maya Chen")
    today = timezone.localdate()
    # An instant: 16:00 at the clinic as the server reckons it. The page draws the line by
    # the server's UTC offset, not by the browser's own zone (whose data may differ).
    four_pm = dt.datetime.combine(today, dt.time(16, 0), tzinfo=timezone.get_current_timezone())
    context, page = _page(browser, live_server)
    try:
        sign_in(page, "frontdesk")
        page.clock.install(time=four_pm)
        page.goto(page.base + "/desk/")
        row = page.locator('table.schedule-grid tbody tr[data-time="16:00"]')
        expect(row).to_have_class(re.compile(r"\bnow-row\b"))
        box = page.locator(".schedule-scroll")
        # The 16:00 row is inside the scrolled grid's visible part, and the grid is
        # scrolled (it starts at 06:00, ten hours above).
        scroll_top = box.evaluate("el => el.scrollTop")
        assert scroll_top > 0
        visible = box.evaluate(
            """el => {
                const row = el.querySelector('tr[data-time="16:00"]');
                const a = el.getBoundingClientRect(), b = row.getBoundingClientRect();
                return b.top >= a.top && b.bottom <= a.bottom;
            }"""
        )
        assert visible
        # No Go button with JavaScript: changing the date applies it.
        expect(page.get_by_role("button", name="Go")).to_be_hidden()
        tomorrow = today + dt.timedelta(days=1)
        page.get_by_label("Go to date").fill(tomorrow.isoformat())
        page.get_by_label("Go to date").dispatch_event("change")
        page.wait_for_url(f"**/desk/?date={tomorrow.isoformat()}*")
        expect(page.locator("tr.now-row")).to_have_count(0)  # not today: no now line
        shot(page, "desk-day-tomorrow")
        assert page.console_errors == []
    finally:
        context.close()
