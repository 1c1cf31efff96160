"""Issue 19: "the assessment sign/test pickers never lose a choice to an htmx refresh".

A physiotherapist chooses values in the entry rows of the assessment page, then sets off
every htmx refresh the page has: the dependent-picker refresh (segment -> muscles, sign ->
tests) answered only after the next choice was made, the header's autosave, an entry
refused with an error, an entry added, the summary card's refresh, a row edited and the
edit cancelled. After each, every choice made is still chosen and each searchable picker
is there once and alive (it opens and searches).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.models import SignFinding
from assessments.tests.factories import add_sign
from assessments.tests.test_browser import (
    DESKTOP,
    add_row,
    draft_for,
    htmx_settled,
    open_page,
    pick,
    pick_muscle,
    sign_rows,
)
from tests.browser import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class HeldRefreshes:
    """Holds the dependent-picker refreshes (…/findings/<kind>/refresh/) until released,
    as a slow network would: the physiotherapist keeps choosing meanwhile."""

    def __init__(self, page) -> None:
        self.page = page
        self.held: list = []
        page.route("**/findings/*/refresh/", lambda route: self.held.append(route))

    def release(self) -> None:
        self.page.wait_for_function("() => window.__htmxInFlight > 0")
        while self.held:
            self.held.pop(0).continue_()
        htmx_settled(self.page)

    def stop(self) -> None:
        self.page.unroute("**/findings/*/refresh/")


def choose_muscle_now(page, field: str, search: str, name: str) -> None:
    """pick_muscle without waiting for htmx first: the choice made while a refresh is out."""
    wrapper = page.locator(f"#id_{field}-wrap .ts-wrapper")
    wrapper.click()
    control = page.locator(f"#id_{field}-ts-control")
    control.press_sequentially(search, delay=20)
    expect(wrapper.locator(".ts-dropdown .option.active")).to_have_text(name)
    control.press("Enter")
    expect(page.locator(f"#id_{field} option:checked")).to_have_text(name)


def chosen(page, field: str) -> str:
    return page.locator(f"#id_{field} option:checked").inner_text().strip()


def assert_one_live_picker(page, field: str, name: str = "") -> None:
    """The field has one searchable picker, showing `name`, that still opens."""
    wrap = page.locator(f"#id_{field}-wrap")
    expect(wrap.locator(".ts-wrapper")).to_have_count(1)
    expect(page.locator(f"#id_{field}")).to_have_count(1)
    expect(page.locator(f"#id_{field}-ts-control")).to_have_count(1)
    if name:
        expect(wrap.locator(".ts-control .item")).to_have_text(name)
    assert page.evaluate(f"() => !!document.getElementById('id_{field}').tomselect")
    page.locator("h1").click()  # out of any picker first
    expect(wrap.locator(".ts-dropdown")).to_be_hidden()
    wrap.locator(".ts-wrapper").click()
    expect(wrap.locator(".ts-dropdown")).to_be_visible()
    page.locator("h1").click()
    expect(wrap.locator(".ts-dropdown")).to_be_hidden()


def assert_sign_row_choices(page, **expected: str) -> None:
    for field, label in expected.items():
        assert chosen(page, f"sign-new-{field}") == label, field


def test_no_htmx_refresh_loses_a_chosen_picker_value(physio, page_for):
    assessment = draft_for(physio)
    add_sign(assessment, physio, segment="C6", sign="Paraspinal tenderness")
    page = page_for(**DESKTOP)
    sign_in(page, "physio")
    open_page(page, f"/assessments/{assessment.pk}/edit/")
    page.wait_for_selector("#id_sign-new-muscle.tomselected")

    # 1. The dependent pickers' refresh answers after the next choices were made: the
    # segment's muscle list comes back after the muscle was chosen, the sign's tests after
    # the test was chosen. The later choice stands.
    refreshes = HeldRefreshes(page)
    page.select_option("#id_sign-new-segment", label="C5")
    choose_muscle_now(page, "sign-new-muscle", "supin", "Supinator")
    refreshes.release()
    expect(page.locator("#id_sign-new-muscle optgroup").first).to_have_attribute(
        "label", "Supplied by C5"
    )
    assert chosen(page, "sign-new-muscle") == "Supinator"
    assert_one_live_picker(page, "sign-new-muscle", "Supinator")

    page.select_option("#id_sign-new-sign", label="Paraspinal tenderness")
    page.select_option("#id_sign-new-test", label="Skin rolling")
    refreshes.release()
    expect(page.locator("#id_sign-new-test option:not([value=''])")).to_have_text(
        ["Palpation", "Skin rolling"]
    )
    refreshes.stop()
    assert_sign_row_choices(
        page, segment="C5", sign="Paraspinal tenderness", test="Skin rolling", muscle="Supinator"
    )

    # A refresh answered in time still does its work: a sign with one test chooses it.
    pick(page, "sign-new-sign", "Motor point tenderness")
    assert chosen(page, "sign-new-test") == "Palpation"
    pick(page, "sign-new-region", "Peripheral")
    pick(page, "sign-new-side", "Right")
    assert_one_live_picker(page, "sign-new-muscle", "Supinator")

    # 2. The header's autosave.
    with page.expect_response(lambda r: "/header/text/" in r.url and r.ok):
        page.get_by_label("Chief complaint").fill("Right lateral elbow pain.")
        page.get_by_label("Chief complaint").press("Tab")
    htmx_settled(page)
    assert_sign_row_choices(
        page, segment="C5", region="Peripheral", side="Right",
        sign="Motor point tenderness", test="Palpation", muscle="Supinator",
    )  # fmt: skip

    # 3. An entry refused with an error (no severity): every other choice comes back.
    add_row(page, "sign")
    expect(page.locator("#sign-new-form .invalid-feedback")).to_be_visible()
    assert SignFinding.objects.filter(assessment=assessment).count() == 1
    assert_sign_row_choices(
        page, segment="C5", region="Peripheral", side="Right",
        sign="Motor point tenderness", test="Palpation", muscle="Supinator",
    )  # fmt: skip
    assert_one_live_picker(page, "sign-new-muscle", "Supinator")

    # A taut band's muscle chosen in its own row before the next refreshes.
    pick_muscle(page, "band-new-muscle", "brachiorad", "Brachioradialis")

    # 4. An entry added (and the summary card refreshed by it): the row keeps its segment,
    # region and side; the band row's choice is untouched.
    pick(page, "sign-new-severity", "2 · moderate")
    add_row(page, "sign")
    expect(sign_rows(page)).to_have_count(2)
    expect(page.locator("#summary-card .segment-badge")).to_have_text(["C5", "C6"])
    assert_sign_row_choices(page, segment="C5", region="Peripheral", side="Right")
    assert_one_live_picker(page, "sign-new-muscle")
    assert_one_live_picker(page, "band-new-muscle", "Brachioradialis")

    # 5. A row edited in place, its segment changed (a refresh inside the edited row),
    # then cancelled: the edit form's picker lives while open, and nothing outside it moves.
    first = SignFinding.objects.filter(assessment=assessment).order_by("pk").first()
    sign_rows(page).first.get_by_role("button", name="Edit").click()
    htmx_settled(page)
    edit_prefix = f"sign-{first.pk}"
    page.wait_for_selector(f"#id_{edit_prefix}-muscle.tomselected")
    pick(page, f"{edit_prefix}-segment", "C7")
    pick_muscle(page, f"{edit_prefix}-muscle", "triceps", "Triceps brachii")
    assert_one_live_picker(page, f"{edit_prefix}-muscle", "Triceps brachii")
    page.locator(f"#sign-row-{first.pk}").get_by_role("button", name="Cancel").click()
    htmx_settled(page)
    expect(page.locator(f"#sign-row-{first.pk} .segment-badge")).to_have_text("C6")
    assert_sign_row_choices(page, segment="C5", region="Peripheral", side="Right")
    assert_one_live_picker(page, "band-new-muscle", "Brachioradialis")
    # No picker is left behind by a swapped-out row.
    assert page.locator(".ts-wrapper").count() == page.locator("select.tomselected").count()
    shot(page, "assessment-pickers-kept")
    assert page.console_errors == []
