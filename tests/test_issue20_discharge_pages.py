"""Issue 20, re-measure and discharge: the pages opened in headless Chromium by the role that
uses them. The patient on a phone: the questionnaire task on the portal home, the
questionnaire, the home after it, the discharge summary in their documents. The physio on a
desktop: My day with "re-measured: QuickDASH a → b", the plan after discharge offering the
course summary, the course summary form pre-filled with the plan's dates. axe-core finds no
critical or serious violation; screenshots under var/screenshots/issue20-discharge-*."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.tests.factories import practitioner_for
from clinic import outcomes
from clinic import services as clinic_services
from clinic.models import Appointment, AppointmentType, OutcomeScore
from clinic.permissions import Role
from clinic.tests.factories import UserFactory, write_appointment
from tests.browser import assert_no_sideways_scroll, shot, sign_in
from tests.e2e import assert_accessible
from treatments.models import DischargeSummary
from treatments.tests.factories import credential_for, ready_patient
from treatments.tests.summary_helpers import signed_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _check(page, name: str) -> None:
    assert_accessible(page)
    shot(page, f"issue20-discharge-{name}")
    assert page.console_errors == [], page.console_errors


def _clinic():
    physio = UserFactory(username="physio20d", first_name="Maya", roles={Role.PHYSIO})
    practitioner_for(physio)
    credential_for(physio, valid_from=timezone.localdate() - dt.timedelta(days=2 * 365))
    patient = ready_patient(physio, region="upper_limb")
    user = UserFactory(username="jordan20d", roles={Role.PATIENT})
    patient.user = user
    patient.email = "jordan@example.org"
    patient.save(update_fields=["user", "email"])
    plan = clinic_services.care_plan_create(
        patient=patient,
        practitioner=physio.practitioner,
        by=physio,
        condition="Right lateral elbow pain",
        region="upper_limb",
        goals="Lift the kettle without pain.",
        measure="QUICKDASH",
        sessions_planned=8,
        remeasure_every=4,
        started_on=timezone.localdate() - dt.timedelta(days=30),
    )
    signed_session(physio, patient, days_ago=14, home_care_text="Stretch the forearm twice a day.")
    ims = AppointmentType.objects.get(name="IMS treatment")
    base = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for week in (3, 2, 1):
        write_appointment(
            patient,
            physio.practitioner,
            base - dt.timedelta(days=7 * week),
            ims,
            by=physio,
            plan=plan,
            status="completed",
        )
    visit4 = write_appointment(
        patient, physio.practitioner, base + dt.timedelta(days=2), ims, by=physio, plan=plan
    )
    return physio, user, plan, visit4


def test_remeasure_and_discharge_pages(page_for, touch_page_for, enqueued):
    physio, user, plan, visit4 = _clinic()

    # The patient, on a phone: the task, the questionnaire, the home after it.
    phone = touch_page_for(PHONE)
    sign_in(phone, user.username)
    expect(phone.get_by_role("heading", name="Before your next visit")).to_be_visible()
    _check(phone, "patient-home-task")
    assert_no_sideways_scroll(phone, PHONE["width"])
    phone.get_by_role("link", name="Fill in the questionnaire").click()
    expect(phone.get_by_role("heading", name="Before your next visit", level=1)).to_be_visible()
    _check(phone, "patient-questionnaire")
    assert_no_sideways_scroll(phone, PHONE["width"])
    for item in outcomes.registry.find("QUICKDASH").instrument.items:
        phone.locator(f"input[name='{item.key}'][value='{item.options[1].value}']").check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator(".alert-success")).to_contain_text("Thank you")
    expect(phone.get_by_role("link", name="Fill in the questionnaire")).to_have_count(0)
    _check(phone, "patient-home-after")
    assert OutcomeScore.objects.filter(care_plan=plan, plan_visit=4).exists()

    # The physio's My day: the visit (moved to today) with the re-measure next to it.
    start = timezone.now().replace(second=0, microsecond=0)
    Appointment.objects.filter(pk=visit4.pk).update(
        start=start, end=start + visit4.type.duration, local_date=timezone.localdate()
    )
    desk = page_for(**DESKTOP)
    sign_in(desk, physio.username)
    desk.goto(desk.base + "/my-day/")
    expect(desk.locator(".remeasured")).to_contain_text("re-measured: QuickDASH")
    _check(desk, "physio-my-day")

    # Discharge from the plan; the plan then offers the course summary, pre-filled.
    desk.goto(desk.base + f"/plans/{plan.pk}/")
    desk.get_by_role("link", name="Discharge").click()
    desk.get_by_label("Reason for discharge").select_option("goals_met")
    _check(desk, "physio-discharge-form")
    desk.locator("main form button[type=submit]").click()
    expect(desk.get_by_role("heading", name="After discharge")).to_be_visible()
    _check(desk, "physio-plan-discharged")
    for task in [t for t in enqueued if t.name.endswith("_render_task")]:
        task.run()  # the worker: the discharge summary and the visit's summary
    assert DischargeSummary.objects.get(care_plan=plan).is_ready
    desk.get_by_role("link", name="Write the course summary for the referring physician").click()
    plan.refresh_from_db()
    expect(desk.locator("#id_date_from")).to_have_value(plan.started_on.isoformat())
    expect(desk.locator("#id_date_to")).to_have_value(plan.discharged_on.isoformat())
    _check(desk, "physio-course-summary-prefilled")

    # The patient's documents list the discharge summary.
    phone.goto(phone.base + "/treatments/documents/")
    expect(phone.get_by_text("Discharge summary,")).to_be_visible()
    expect(phone.get_by_role("link", name="Download PDF of your discharge summary")).to_be_visible()
    _check(phone, "patient-documents")
    assert_no_sideways_scroll(phone, PHONE["width"])
