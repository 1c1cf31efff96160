"""Issue 17, acceptance 5 and the first screenshot of 8, in headless Chromium on a tablet:
choosing a chest-wall muscle brings up needle depth and direction (typed values survive
the refresh), a depth out of range is refused next to its field, and a left site added to a
session that already needled the right chest wall brings the bilateral-thorax warning and
its reason field into the sign panel; signing without the reason is refused there, with it
the note signs. Screenshots: var/screenshots/issue17-session-chest-wall.png (sites with depth
and direction, the warning in the sign panel) and issue17-session-chest-wall-entry.png (the
entry row with the chest-wall fields filled in)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.models import Muscle
from tests.browser import assert_no_sideways_scroll, shot, sign_in
from treatments import services
from treatments.models import NeedlingSite, TreatmentSession
from treatments.tests.factories import add_site, complete_session, credential_for
from treatments.tests.test_browser import (
    TABLET,
    htmx_settled,
    open_page,
    pick,
    pick_muscle,
    sign_panel,
    site_rows,
)
from treatments.tests.test_browser import (
    add_site as add_site_in_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHEST = "Rhomboid major"
ONTO_BONE = "Perpendicular onto rib or scapula (bone as backstop)"


def test_chest_wall_depth_direction_and_the_bilateral_warning_on_a_tablet(physio, touch_page_for):
    Muscle.objects.filter(name=CHEST).update(chest_wall=True)
    credential_for(physio)
    session = complete_session(physio)  # a supinator site; every other check passes
    add_site(
        session,
        physio,
        muscle=CHEST,
        segment="C5",
        side="R",
        pneumothorax_acknowledged=True,
        needle_depth_mm=15,
        needle_direction="tangential",
    )
    services.session_update(
        session=session, by=physio, needles_opened=3, needles_removed=3, needles_disposed=3
    )

    page = touch_page_for(TABLET)
    sign_in(page, "physio")
    open_page(page, f"/treatments/sessions/{session.pk}/edit/")
    page.wait_for_selector("#id_site-new-muscle.tomselected")
    expect(page.locator("#bilateral-thorax-warning")).to_have_count(0)  # right side only
    expect(page.locator("#id_site-new-needle_depth_mm")).to_have_count(0)

    # Typed first, then the muscle: the refresh brings the chest-wall fields and keeps
    # what was typed.
    page.get_by_label("Insertions").fill("2")
    pick_muscle(page, "rhomboid ma", CHEST)
    depth = page.get_by_label("Needle depth (mm)")
    expect(depth).to_be_visible()
    expect(page.get_by_label("Needle direction")).to_be_visible()
    expect(page.get_by_label("Insertions")).to_have_value("2")
    pick(page, "segment", "C5")
    pick(page, "side", "Left")
    pick(page, "needle", "0.25 × 40 mm")
    pick(page, "technique", "In-and-out")
    pick(page, "twitch", "Large")
    page.get_by_label("Pneumothorax precaution acknowledged").check()
    depth.fill("14")
    pick(page, "needle_direction", ONTO_BONE)
    shot(page, "issue17-session-chest-wall-entry")  # the entry row with depth and direction
    depth.fill("101")
    add_site_in_page(page)
    error = page.locator("#id_site-new-needle_depth_mm-wrap .invalid-feedback")
    expect(error).to_contain_text("less than or equal to 100")
    assert NeedlingSite.objects.filter(session=session).count() == 2

    page.get_by_label("Needle depth (mm)").fill("14")
    add_site_in_page(page)
    expect(site_rows(page)).to_have_count(3)
    left = site_rows(page).nth(2)
    expect(left).to_contain_text(f"{CHEST}")
    expect(left).to_contain_text("14 mm deep, perpendicular onto rib or scapula")
    site = NeedlingSite.objects.get(session=session, muscle__name=CHEST, side="L")
    assert (site.needle_depth_mm, site.needle_direction) == (14, "onto_bone")

    # Both sides of the thorax now: the sign panel warns and asks for the reason.
    warning = page.locator("#bilateral-thorax-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Both sides of the thorax needled")
    reason = page.get_by_label("Reason for needling both sides of the thorax")
    expect(reason).to_be_visible()
    expect(sign_panel(page).locator("#err-bilateral_thorax_reason")).to_contain_text(
        "give a one-line reason"
    )
    htmx_settled(page)
    assert_no_sideways_scroll(page, TABLET["width"])
    shot(page, "issue17-session-chest-wall")

    # Signing without the reason is refused next to the field; with it, the note signs.
    sign_panel(page).get_by_role("button", name="Sign and lock").click()
    expect(page.locator("#err-bilateral_thorax_reason")).to_contain_text("give a one-line reason")
    session.refresh_from_db()
    assert not session.is_signed
    page.get_by_label("Reason for needling both sides of the thorax").fill(
        "Bilateral T-level signs; patient briefed on breathlessness, observed 20 min."
    )
    sign_panel(page).get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Session signed and locked.")).to_be_visible()
    session = TreatmentSession.objects.get(pk=session.pk)
    assert session.is_signed
    assert session.bilateral_thorax_reason.startswith("Bilateral T-level signs")
