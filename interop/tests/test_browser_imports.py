"""Issue 21, acceptance 6: the import dry-run report in Chromium (screenshots in
var/screenshots/import-*.png): upload the Cliniko fixture, watch the progress, read the
counts, the line-numbered invalid rows and the possible duplicate."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.tests.factories import make_patient
from interop.tests.helpers import clinic_for_fixtures, fixture_bytes
from tests.browser import heading, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dry_run_report_shows_counts_errors_and_duplicates(page_for, enqueued):
    admin = clinic_for_fixtures()
    make_patient(
        legal_first_name="Grace", legal_last_name="Hopper", date_of_birth=dt.date(1956, 12, 9)
    )
    page = page_for(1280, 900)
    sign_in(page, admin.username)
    page.goto(page.base + "/interop/imports/")
    assert heading(page).inner_text() == "Import from Cliniko or Jane"
    page.select_option("#id_source", "cliniko")
    page.select_option("#id_kind", "patients")
    page.set_input_files(
        "#id_file",
        {
            "name": "cliniko_patients.csv",
            "mimeType": "text/csv",
            "buffer": fixture_bytes("cliniko", "patients"),
        },
    )
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Dry run in progress" in page.inner_text("#import-status")
    shot(page, "import-1-dry-run-running")

    while enqueued:  # the worker's turn
        enqueued.pop(0).run()
    page.wait_for_selector("[data-count=new]", timeout=10_000)

    assert page.inner_text("[data-count=new]") == "94"
    assert page.inner_text("[data-count=invalid]") == "6"
    lines = page.locator("#invalid-rows tbody tr td:first-child").all_inner_texts()
    assert lines == ["10", "20", "30", "40", "50", "60"]
    assert "604-555-CALL" in page.inner_text("#invalid-rows")
    assert "Grace Hopper (born 1956-12-09)" in page.inner_text("#duplicate-rows")
    assert page.locator("button", has_text="Import 94 new").is_visible()
    assert page.console_errors == []
    shot(page, "import-2-dry-run-report")
