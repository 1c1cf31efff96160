"""Issue 20, weekly series: the proposal page opened in headless Chromium by the front desk
and by the physiotherapist, with a taken slot shown as moved, confirmed and booked; the
appointment modal of a series visit offering "this one / this and later ones". axe-core
finds no critical or serious violation; screenshots under var/screenshots/issue20-series-*.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic import services
from clinic.models import Appointment, AppointmentType
from clinic.permissions import Role
from clinic.services.scheduling import Slot, appointment_book
from clinic.tests.factories import UserFactory, join_care_team, make_patient, make_practitioner
from tests.browser import shot, sign_in
from tests.e2e import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def _check(page, name: str) -> None:
    assert_accessible(page)
    shot(page, f"issue20-series-{name}")
    assert page.console_errors == [], page.console_errors


def _clinic():
    physio = UserFactory(username="physio20s", first_name="Maya", roles={Role.PHYSIO})
    desk = UserFactory(username="desk20s", first_name="Sam", roles={Role.FRONT_DESK})
    maya = make_practitioner(physio, hours=((0, 6), (8, 18)), name="Maya Chen")
    patient = make_patient(legal_first_name="Jordan", legal_last_name="Avery")
    join_care_team(physio, patient, by=desk)
    plan = services.care_plan_create(
        patient=patient,
        practitioner=maya,
        by=physio,
        condition="Right lateral elbow pain",
        region="upper_limb",
        goals="Lift the kettle without pain.",
        measure="QUICKDASH",
        sessions_planned=8,
        started_on=timezone.localdate(),
    )
    ims = AppointmentType.objects.get(name="IMS treatment")
    # The default first visit: the patient's next eligible day from tomorrow, 09:00.
    first = timezone.localdate() + dt.timedelta(days=1)
    fifth = timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=28), dt.time(9)))
    other = make_patient(legal_first_name="Sam", legal_last_name="Other")
    appointment_book(
        patient=other,
        slot=Slot(practitioner=maya, location=maya.locations.get(), start=fifth, type=ims),
        by=desk,
    )
    return desk, physio, plan


def test_series_pages(page_for):
    desk, physio, plan = _clinic()
    page = page_for(**DESKTOP)
    sign_in(page, desk.username)
    page.goto(page.base + f"/plans/{plan.pk}/")
    page.get_by_role("link", name="Book the series").click()
    expect(
        page.get_by_role("heading", name="Book the series: Right lateral elbow pain")
    ).to_be_visible()
    rows = page.locator("table.series-proposal tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.nth(4)).to_contain_text("Moved")
    expect(rows.nth(4)).to_contain_text("already booked")
    _check(page, "desk-proposal")
    assert Appointment.objects.filter(plan=plan).count() == 0
    page.get_by_role("button", name="Book the ticked visits").click()
    expect(page.locator(".alert-success")).to_contain_text("Booked")
    assert Appointment.objects.filter(plan=plan).count() == 8
    _check(page, "desk-plan-after")

    visit = Appointment.objects.filter(plan=plan).order_by("start")[2]
    page.goto(page.base + f"/appointments/{visit.pk}/")
    expect(page.get_by_role("button", name="Cancel this and later ones")).to_be_visible()
    expect(page.get_by_role("link", name="Move this and later ones")).to_be_visible()
    _check(page, "desk-modal")
    page.get_by_role("link", name="Move this and later ones").click()
    expect(page.get_by_role("button", name="Move this and later ones")).to_be_visible()
    _check(page, "desk-move")

    page = page_for(**DESKTOP)
    sign_in(page, physio.username)
    page.goto(page.base + f"/plans/{plan.pk}/series/")
    expect(
        page.get_by_role("heading", name="Book the series: Right lateral elbow pain")
    ).to_be_visible()
    _check(page, "physio-proposal")
