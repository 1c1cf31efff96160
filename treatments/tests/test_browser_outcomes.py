"""The chart's outcome table in headless Chromium at tablet width (issue 17, acceptance 8):
each score with its change from baseline and whether it reaches the measure's MCID, written
out in words (not colour alone), numbers right-aligned, no sideways scroll, no serious
accessibility problem. Screenshot: var/screenshots/issue17-chart-outcomes.png."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import OutcomeScore
from clinic.tests.factories import join_care_team, make_patient
from tests.browser import SHOTS, assert_no_sideways_scroll, sign_in
from tests.e2e import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def _scores(patient, code, maximum, higher_is_worse, values):
    today = timezone.localdate()
    for weeks_ago, value in values:
        day = today - dt.timedelta(weeks=weeks_ago)
        OutcomeScore.objects.create(
            patient=patient,
            instrument=code,
            value=Decimal(value),
            maximum=Decimal(maximum),
            higher_is_worse=higher_is_worse,
            recorded_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        )


def test_chart_outcome_table_on_a_tablet(physio, touch_page_for):
    patient = make_patient()
    join_care_team(physio, patient)
    # NDI 42% -> 30% -> 22%: better by 20 at the end, beyond the MCID of 19 (reaches it).
    _scores(patient, "NDI", 100, True, [(6, "42.0"), (3, "30.0"), (0, "22.0")])
    # PSFS 3.0 -> 4.2: better by 1.2, short of the MCID of 2.
    _scores(patient, "PSFS", 10, False, [(6, "3.0"), (0, "4.2")])
    # NPRS 4 -> 7: worse by 3, beyond the MCID of 2.
    _scores(patient, "NPRS", 10, True, [(6, "4"), (0, "7")])

    page = touch_page_for(TABLET)
    sign_in(page, "physio")
    page.goto(f"{page.base}/treatments/patients/{patient.pk}/chart/")
    section = page.locator("section.outcome-scores")
    expect(section).to_contain_text("Change from baseline")

    ndi = section.locator(".outcome-track[data-measure='NDI'] tbody tr")
    expect(ndi).to_have_count(3)
    expect(ndi.nth(0)).to_contain_text("Baseline")
    expect(ndi.nth(1)).to_contain_text("better by 12")
    expect(ndi.nth(1)).to_contain_text("below MCID")
    expect(ndi.nth(2)).to_contain_text("better by 20")
    expect(ndi.nth(2)).to_contain_text("reaches MCID")
    psfs = section.locator(".outcome-track[data-measure='PSFS'] tbody tr")
    expect(psfs.nth(1)).to_contain_text("better by 1.2")
    expect(psfs.nth(1)).to_contain_text("below MCID")
    nprs = section.locator(".outcome-track[data-measure='NPRS'] tbody tr")
    expect(nprs.nth(1)).to_contain_text("worse by 3")
    expect(nprs.nth(1)).to_contain_text("beyond MCID")

    # Scores line up on the right edge of their column.
    rights = section.locator(".outcome-track[data-measure='NDI'] tbody td:nth-child(2)")
    edges = rights.evaluate_all(
        "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);"
        " return Math.round(r.getBoundingClientRect().right); })"
    )
    assert len(set(edges)) == 1, f"scores not right-aligned: {edges}"
    # ... and in the same column in every measure's table.
    columns = section.locator(".outcome-track thead th:nth-child(2)").evaluate_all(
        "ths => ths.map(th => Math.round(th.getBoundingClientRect().right))"
    )
    assert len(columns) == 3
    assert len(set(columns)) == 1, f"score columns differ between measures: {columns}"

    assert_no_sideways_scroll(page, TABLET["width"])
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SHOTS / "issue17-chart-outcomes.png"))
    assert (SHOTS / "issue17-chart-outcomes.png").stat().st_size > 0
    assert page.console_errors == []
