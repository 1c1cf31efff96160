"""End-to-end journeys in headless Chromium (issue 9): each drives the live app as one user
would, saves a screenshot of every key step under var/e2e/<journey>/, and checks each page
with axe-core for critical accessibility violations.

Background work runs as deployed: with REDIS_URL (CI, PostgreSQL) a real Celery worker
process renders the PDFs; without it tasks run in-process (eager), as in `make run`.
Run them alone with `make e2e`.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Assessment, SignFinding
from assessments.tests import test_browser as assessment_ui
from clinic import services as clinic_services
from clinic.models import (
    Appointment,
    AppointmentType,
    Consent,
    Intake,
    OutcomeScore,
    Patient,
)
from clinic.permissions import Role
from clinic.services.scheduling import Slot, appointment_book
from clinic.tests import test_browser_intake as intake_ui
from clinic.tests.factories import (
    TEST_PASSWORD,
    UserFactory,
    make_patient,
    make_practitioner,
    totp_code,
    totp_device_for,
    write_appointment,
)
from tests.browser import (
    assert_no_sideways_scroll,
    grid_appointment,
    heading,
    long_date,
    modal,
    short_date,
    sign_in,
    success_message,
    unpadded_or_padded,
)
from tests.e2e import assert_accessible, step_shot
from tests.worker import celery_worker, wait_for
from treatments import services
from treatments.models import NeedlingSite, SessionAddendum, TreatmentSession, VisitSummary
from treatments.tests import test_browser as session_ui
from treatments.tests.factories import complete_session, credential_for, ready_patient
from treatments.tests.summary_helpers import named_patient, pdf_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_storage"),
]

PHONE = {"width": 390, "height": 844}


class Background:
    """Where background work runs in this journey, and the e-mails it has sent."""

    def __init__(self, mode: str, mail_dir: Path | None = None):
        self.mode = mode
        self.mail_dir = mail_dir

    def emails(self) -> list[EmailMessage]:
        """Every message sent so far: the in-process outbox, or the files a worker wrote."""
        if self.mail_dir is None:
            return [
                message_from_bytes(m.message().as_bytes(), policy=email_policy.default)
                for m in mail.outbox
            ]
        sent = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    sent.append(message_from_bytes(chunk, policy=email_policy.default))
        return sent

    def email_to(self, address: str, subject_has: str, seconds: float = 30) -> EmailMessage:
        """The newest message to `address` whose subject has `subject_has`, waiting for it."""

        def find():
            for message in reversed(self.emails()):
                if address in message["To"] and subject_has in message["Subject"]:
                    return message
            return None

        message = wait_for(find, seconds)
        assert message is not None, f"no e-mail to {address} about {subject_has!r}"
        return message


def body_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def background(request, private_storage, tmp_path):
    """A real worker when the deployment would have one (REDIS_URL), else eager tasks.
    The worker keeps the clinic's time zone of this test and writes its e-mails to files."""
    if not settings.REDIS_URL:
        yield Background("in-process")
        return
    env = request.getfixturevalue("worker_env")  # skips without PostgreSQL
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = env | {"EMAIL_URL": f"filemail:///{mail_dir}", "TIME_ZONE": settings.TIME_ZONE}
    with celery_worker(env=env, log_name="e2e-worker.log"):
        yield Background("worker", mail_dir)


@pytest.fixture
def clinic_morning(settings):
    """The clinic's clock reads between 09:00 and 10:00 whenever the suite runs: the time
    zone is the whole-hour offset where it is morning now, so a visit can be booked for
    this afternoon and checked in today at any hour of CI's day."""
    offset = 9 - dt.datetime.now(dt.UTC).hour
    offset = offset + 24 if offset < -12 else offset - 24 if offset > 14 else offset
    # Etc/GMT names count the other way: Etc/GMT-9 is nine hours ahead of UTC.
    settings.TIME_ZONE = f"Etc/GMT{-offset:+d}" if offset else "UTC"
    assert 9 <= timezone.localtime().hour <= 10
    return timezone.localdate()


def _portal_patient(physio, first: str, last: str, username: str) -> Patient:
    patient = named_patient(physio, first, last, f"{username}@example.org")
    user = UserFactory(roles={Role.PATIENT}, username=username)
    Patient.objects.filter(pk=patient.pk).update(user=user)
    patient.refresh_from_db()
    return patient


def test_journey_4_the_patient_downloads_the_summary_the_worker_made(
    background, physio, touch_page_for, tmp_path
):
    credential_for(physio)
    patient = _portal_patient(physio, "Ada", "Lovelace", "ada")
    session = complete_session(physio, patient, nprs_before=7, nprs_after=3)
    services.session_sign(session=session, by=physio)  # commits: the render is sent now

    phone = touch_page_for(PHONE)
    phone.context.set_default_timeout(15_000)
    sign_in(phone, "ada")
    step_shot(phone, "4-patient-documents", "1-portal-home")
    assert_accessible(phone)
    phone.locator(".navbar-toggler").click()
    phone.get_by_role("link", name="Documents", exact=True).click()
    expect(phone.locator("h1")).to_have_text("My documents")
    # The page polls until the worker has rendered the summary.
    download_link = phone.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=30_000)
    step_shot(phone, "4-patient-documents", "2-documents-ready")
    assert_accessible(phone)
    with phone.expect_download() as download:
        download_link.click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    text = pdf_text(target)
    assert "Ada Lovelace" in text
    assert "7 / 10" in text
    assert "3 / 10" in text
    assert "earliest date for your next IMS session" in text
    assert VisitSummary.objects.get(session=session).is_ready
    if shutil.which("pdftoppm"):
        folder = step_shot(phone, "4-patient-documents", "3-after-download").parent
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(target),
             str(folder / "4-summary-page1")],
            check=True,
        )  # fmt: skip


def test_journey_5_other_roles_are_turned_away(background, physio, front_desk, page_for):
    credential_for(physio)
    ada = _portal_patient(physio, "Ada", "Lovelace", "ada")
    _portal_patient(physio, "Bob", "Brunel", "bob")
    session = complete_session(physio, ada)
    services.session_sign(session=session, by=physio)
    summary = VisitSummary.objects.get(session=session)

    desk = page_for()
    sign_in(desk, front_desk.username)
    response = desk.goto(desk.base + f"/treatments/patients/{ada.pk}/chart/")
    assert response.status == 403
    expect(desk.locator("body")).to_contain_text("not part of your role")
    step_shot(desk, "5-denials", "1-front-desk-chart-403")
    assert_accessible(desk)
    for clinical in ("Supinator", "6 / 10", "Pain before"):
        assert clinical not in desk.content()

    bob = page_for()
    sign_in(bob, "bob")
    response = bob.goto(bob.base + f"/treatments/documents/{summary.token}/download/")
    assert response.status == 404
    expect(bob.locator("body")).to_contain_text("could not find that page")
    step_shot(bob, "5-denials", "2-patient-b-summary-404")
    assert_accessible(bob)
    assert "Lovelace" not in bob.content()


# --- 1. The front desk -----------------------------------------------------------------------

DESK = {"width": 1400, "height": 900}


def test_journey_1_the_front_desk_registers_invites_books_and_checks_in(
    clinic_morning, background, front_desk, physio, page_for
):
    today = clinic_morning
    maya = make_practitioner(physio, hours=((0, 6), (8, 18)), name="Maya Chen")
    desk = page_for(**DESK)
    desk.context.set_default_timeout(15_000)
    journey = "1-front-desk"

    # Sign in: password, then the code from the authenticator app set up earlier.
    authenticator = totp_device_for(front_desk)
    desk.goto(desk.base + "/")
    step_shot(desk, journey, "01-sign-in")
    assert_accessible(desk)
    desk.get_by_label("Username").fill(front_desk.username)
    desk.get_by_label("Password").fill(TEST_PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    expect(desk).to_have_url(re.compile(r"/accounts/2fa/"))
    step_shot(desk, journey, "02-two-step")
    assert_accessible(desk)
    desk.get_by_label("Code").fill(totp_code(authenticator))
    desk.get_by_role("button", name="Continue").click()
    expect(desk).to_have_url(re.compile(r"/desk/"))
    expect(heading(desk)).to_have_text(long_date(today))
    step_shot(desk, journey, "03-desk-today")
    assert_accessible(desk)

    # Register a new patient.
    desk.locator("#main-nav").get_by_role("link", name="Patients").click()
    desk.get_by_role("link", name="Register a patient").click()
    expect(heading(desk)).to_have_text("Register a patient")
    assert_accessible(desk)
    desk.get_by_label("Legal first name").fill("Robin")
    desk.get_by_label("Legal last name").fill("Lee")
    desk.fill("#id_date_of_birth", "1979-04-02")
    desk.fill("#id_phone", "604-555-0142")
    desk.fill("#id_email", "robin.lee@example.com")
    step_shot(desk, journey, "04-register")
    desk.get_by_role("button", name="Register patient").click()
    expect(success_message(desk)).to_contain_text("Robin Lee is registered.")
    patient = Patient.objects.get(legal_last_name="Lee")

    # Send the portal invitation; the e-mail goes out with its link.
    desk.get_by_role("button", name="Invite to the portal").click()
    expect(success_message(desk)).to_contain_text("Invitation e-mailed to robin.lee@example.com")
    portal_card = desk.locator(".card", has_text="Patient portal")
    expect(portal_card.locator(".badge")).to_have_text("Invited")
    step_shot(desk, journey, "05-invited")
    assert_accessible(desk)
    invitation = background.email_to("robin.lee@example.com", "portal")
    assert "/portal/welcome/" in body_of(invitation)

    # Book the initial assessment for this afternoon from the patient's page.
    desk.get_by_role("link", name="Book an appointment").click()
    expect(heading(desk)).to_have_text("Book an appointment")
    expect(desk.locator("#patient-panel .patient-chosen")).to_contain_text("Robin Lee")
    desk.locator("#id_type").select_option(label="Initial assessment")
    desk.locator("#id_practitioner").select_option(label="Maya Chen")
    desk.fill("#id_date", today.isoformat())
    desk.fill("#id_time", "15:00")
    step_shot(desk, journey, "06-book-assessment")
    assert_accessible(desk)
    desk.get_by_role("button", name="Book", exact=True).click()
    expect(success_message(desk)).to_contain_text(
        unpadded_or_padded("Booked Robin Lee: Initial assessment, {} 15:00", today, "%a", "%b")
    )
    expect(grid_appointment(desk, "Robin Lee")).to_contain_text("Initial assessment")

    # An IMS visit tomorrow, booked from the patient's page again.
    first_ims = today + dt.timedelta(days=1)
    desk.goto(desk.base + f"/patients/{patient.pk}/")
    desk.get_by_role("link", name="Book an appointment").click()
    desk.locator("#id_type").select_option(label="IMS treatment")
    desk.locator("#id_practitioner").select_option(label="Maya Chen")
    desk.fill("#id_date", first_ims.isoformat())
    desk.fill("#id_time", "10:00")
    desk.get_by_role("button", name="Book", exact=True).click()
    expect(success_message(desk)).to_contain_text("Booked Robin Lee: IMS treatment")

    # Three days later is too soon: the refusal names the next eligible date.
    too_soon, eligible = first_ims + dt.timedelta(days=3), first_ims + dt.timedelta(days=7)
    desk.get_by_label("Go to date").fill(too_soon.isoformat())
    # The date applies on change (static/js/schedule.js).
    expect(heading(desk)).to_have_text(long_date(too_soon))
    desk.locator(
        f'a.slot-link[href*="practitioner={maya.pk}&"][href*="start={too_soon.isoformat()}T11:00"]'
    ).click()
    expect(modal(desk).get_by_role("heading", name="Book an appointment")).to_be_visible()
    modal(desk).get_by_label("Search patients").press_sequentially("robin")
    desk.locator("#patient-choices button").filter(has_text="Lee, Robin").click()
    expect(desk.locator("#patient-panel .patient-chosen")).to_contain_text(
        f"Next eligible IMS date: {short_date(first_ims + dt.timedelta(days=7))}"
    )
    desk.locator("#id_type").select_option(label="IMS treatment")
    modal(desk).get_by_role("button", name="Book", exact=True).click()
    refusal = modal(desk).locator("#booking-refusal")
    expect(refusal).to_contain_text("IMS sessions need at least 7 days")
    expect(refusal).to_contain_text(f"Next eligible date: {short_date(eligible)}")
    step_shot(desk, journey, "07-ims-refused")
    assert_accessible(desk)
    assert Appointment.objects.filter(patient=patient).count() == 2

    # The eligible date is accepted.
    desk.locator("#id_date").fill(eligible.isoformat())
    modal(desk).get_by_role("button", name="Book", exact=True).click()
    expect(heading(desk)).to_have_text(long_date(eligible))
    expect(success_message(desk)).to_contain_text(
        unpadded_or_padded("Booked Robin Lee: IMS treatment, {} 11:00", eligible, "%a", "%b")
    )
    expect(grid_appointment(desk, "Robin Lee")).to_contain_text("IMS treatment")
    step_shot(desk, journey, "08-ims-booked")

    # This afternoon Robin arrives: check in from today's schedule.
    desk.get_by_label("Go to date").fill(today.isoformat())
    # The date applies on change (static/js/schedule.js).
    grid_appointment(desk, "Robin Lee").click()
    expect(
        modal(desk).get_by_role("heading", name="Robin Lee · Initial assessment")
    ).to_be_visible()
    assert_accessible(desk)
    modal(desk).get_by_role("button", name="Check in").click()
    expect(success_message(desk)).to_contain_text("Robin Lee checked in.")
    arrived = grid_appointment(desk, "Robin Lee")
    expect(arrived.locator(".appt-state", has_text="Checked in")).to_be_visible()
    expect(arrived.locator(".appt-state", has_text="Intake pending")).to_be_visible()
    arrived.scroll_into_view_if_needed()  # the day's grid scrolls inside its own box
    step_shot(desk, journey, "09-checked-in")
    assert_accessible(desk)

    visits = list(Appointment.objects.filter(patient=patient).order_by("start"))
    assert [(v.type.name, v.local_date, v.status) for v in visits] == [
        ("Initial assessment", today, Appointment.Status.CHECKED_IN),
        ("IMS treatment", first_ims, Appointment.Status.BOOKED),
        ("IMS treatment", eligible, Appointment.Status.BOOKED),
    ]
    assert desk.console_errors == []


# --- 2. The patient --------------------------------------------------------------------------


def test_journey_2_the_patient_accepts_the_invitation_and_gets_ready_on_a_phone(
    background, front_desk, physio, touch_page_for
):
    maya = make_practitioner(physio, hours=((0, 6), (8, 18)), name="Maya Chen")
    patient = make_patient(
        by=front_desk,
        legal_first_name="Robin",
        legal_last_name="Lee",
        date_of_birth=dt.date(1979, 4, 2),
        email="robin.lee@example.com",
    )
    visit_day = timezone.localdate() + dt.timedelta(days=2)
    visit = dt.datetime.combine(visit_day, dt.time(10), tzinfo=timezone.get_current_timezone())
    slot = Slot(
        practitioner=maya,
        location=maya.locations.first(),
        start=visit,
        type=AppointmentType.objects.get(name="Initial assessment"),
    )
    appointment_book(patient=patient, slot=slot, by=front_desk)
    clinic_services.portal_invitation_create(patient=patient, by=front_desk)
    letter = background.email_to("robin.lee@example.com", "portal")
    link = re.search(r"https?://[^/\s]+(/portal/welcome/\S+/)", body_of(letter)).group(1)
    journey = "2-patient"

    # The link from the e-mail: choose a password, and land in the portal signed in.
    phone = touch_page_for(PHONE)
    phone.context.set_default_timeout(15_000)
    phone.goto(phone.base + link)
    expect(phone.get_by_role("heading", name="Welcome, Robin")).to_be_visible()
    step_shot(phone, journey, "01-invitation")
    assert_accessible(phone)
    phone.get_by_label("Choose a password").fill("cedar-garden-walks-42")
    phone.get_by_label("Type it again").fill("cedar-garden-walks-42")
    phone.get_by_role("button", name="Create my account").tap()
    expect(success_message(phone)).to_contain_text("Welcome, Robin. Your account is ready")
    expect(heading(phone)).to_have_text("Welcome, Robin")
    step_shot(phone, journey, "02-portal-home")
    assert_accessible(phone)

    # The intake, step by step: pain with the body chart, health, safety, activities.
    phone.get_by_role("link", name="Start my intake").tap()
    expect(heading(phone)).to_have_text("About your pain")
    phone.get_by_label("What brings you to the clinic?").fill(
        "Right elbow and forearm ache for three months; gripping hurts."
    )
    phone.wait_for_selector("#id_pain_marks-chart.is-ready")
    front = phone.locator('#id_pain_marks-chart [data-bodychart-view="front"] svg')
    front.scroll_into_view_if_needed()
    box = front.bounding_box()
    front.tap(position={"x": box["width"] * 0.3, "y": box["height"] * 0.45})
    expect(phone.locator("#id_pain_marks-chart .bodychart-item-label")).to_have_text(
        ["Pain - front view, mark 1"]
    )
    intake_ui.tap_choice(phone, "onset", "Gradually, over time")
    intake_ui.tap_choice(phone, "duration", "6 to 12 weeks")
    intake_ui.tap_scale(phone, "nprs_now", 5)
    intake_ui.tap_scale(phone, "nprs_best", 2)
    intake_ui.tap_scale(phone, "nprs_worst", 8)
    step_shot(phone, journey, "03-intake-pain")
    assert_accessible(phone)
    intake_ui.continue_to(phone, "Your health")
    intake_ui.tap_choice(phone, "anticoagulants", "No")
    step_shot(phone, journey, "04-intake-health")
    assert_accessible(phone)
    intake_ui.continue_to(phone, "Safety check")
    phone.get_by_label("I have read the whole list and ticked everything that applies.").tap()
    step_shot(phone, journey, "05-intake-safety")
    assert_accessible(phone)
    intake_ui.continue_to(phone, "Daily activities")

    # The outcome measures: the region's questionnaire and the patient-specific scale.
    phone.get_by_label("Which area is your main problem?").select_option(
        label="Shoulder, arm or hand"
    )
    questionnaire = phone.locator("#region-questions .region-questionnaire")
    expect(questionnaire).to_be_visible()
    items = questionnaire.locator(".questionnaire-item")
    for index in range(items.count()):
        item = items.nth(index)
        item.scroll_into_view_if_needed()
        item.locator("label.form-check-label").nth(2).tap()
        expect(item.locator("input[type=radio]").nth(2)).to_be_checked()
    phone.get_by_label("Activity 1", exact=True).fill("Carrying groceries")
    intake_ui.tap_scale(phone, "psfs_rating_0", 3)
    step_shot(phone, journey, "06-intake-activities")
    assert_accessible(phone)
    intake_ui.continue_to(phone, "Review and submit")
    step_shot(phone, journey, "07-intake-review")
    assert_accessible(phone)
    phone.get_by_role("button", name="Submit my intake").tap()
    expect(success_message(phone)).to_contain_text("Thank you, your intake is complete.")

    # Consent to IMS, signed with the legal name.
    phone.get_by_role("link", name="Read and sign").tap()
    expect(heading(phone)).to_have_text("Consent to intramuscular stimulation (IMS)")
    assert_accessible(phone)
    phone.get_by_label(
        "I have read the information above and my questions have been answered."
    ).tap()
    phone.get_by_label("Type your full legal name to sign").fill("Robin Lee")
    step_shot(phone, journey, "08-consent")
    phone.get_by_role("button", name="Sign consent").tap()
    expect(success_message(phone)).to_contain_text("Consent recorded. Thank you.")

    # Ready: both tasks done, and the visit on the home page and in "My appointments".
    for task, done in (("Intake questionnaire", "Complete"), ("Consent to IMS", "Signed.")):
        card = phone.locator(".portal-task", has=phone.get_by_role("heading", name=task))
        expect(card).to_contain_text(done)
    upcoming = phone.locator(
        ".card", has=phone.get_by_role("heading", name="Upcoming appointments")
    )
    expect(upcoming).to_contain_text(f"{visit_day:%A} {visit_day.day} {visit_day:%B}, 10:00")
    expect(upcoming).to_contain_text("Initial assessment with Maya Chen")
    step_shot(phone, journey, "09-ready")
    assert_accessible(phone)
    upcoming.get_by_role("link", name="All my appointments").tap()
    expect(phone.locator("main")).to_contain_text("Initial assessment with Maya Chen")
    step_shot(phone, journey, "10-my-appointments")
    assert_accessible(phone)
    assert_no_sideways_scroll(phone, PHONE["width"])

    patient.refresh_from_db()
    assert patient.user.check_password("cedar-garden-walks-42")
    intake = Intake.objects.get(patient=patient)
    assert intake.is_submitted
    assert (intake.nprs_now, intake.duration, intake.region) == (5, "6w-3m", "upper_limb")
    assert intake.psfs == [{"activity": "Carrying groceries", "rating": 3}]
    assert [m["view"] for m in intake.pain_marks] == ["front"]
    scored = set(OutcomeScore.objects.filter(patient=patient).values_list("instrument", flat=True))
    assert {"QUICKDASH", "PSFS", "NPRS"} <= scored
    assert Consent.objects.get(patient=patient).typed_name == "Robin Lee"
    assert phone.console_errors == []


# --- 3. The physiotherapist ------------------------------------------------------------------

DESKTOP = {"width": 1280, "height": 800}


def test_journey_3_the_physio_assesses_needles_signs_and_adds_an_addendum(
    clinic_morning, background, front_desk, physio, page_for
):
    today = clinic_morning
    maya = make_practitioner(physio, hours=((0, 6), (8, 18)), name="Maya Chen")
    credential_for(physio)
    patient = ready_patient(physio)
    Patient.objects.filter(pk=patient.pk).update(legal_first_name="Robin", legal_last_name="Lee")
    tz = timezone.get_current_timezone()
    for hour, kind in ((9, "Initial assessment"), (10, "IMS treatment")):
        write_appointment(
            patient, maya, dt.datetime.combine(today, dt.time(hour), tzinfo=tz),
            AppointmentType.objects.get(name=kind), by=front_desk,
            status=Appointment.Status.CHECKED_IN,
        )  # fmt: skip
    journey = "3-physio"

    # Sign in (password and authenticator code) and land on "My day".
    page = page_for(**DESKTOP)
    page.context.set_default_timeout(15_000)
    sign_in(page, physio.username)
    page.locator("#main-nav").get_by_role("link", name="My day").click()
    day = page.locator("ol.my-day > li")
    expect(day).to_have_count(2)
    expect(day.first).to_contain_text("Robin Lee")
    expect(day.first).to_contain_text("Intake ✓")
    expect(day.first).to_contain_text("Consent ✓")
    step_shot(page, journey, "01-my-day")
    assert_accessible(page)

    # The chart, then a new Gunn assessment from it.
    day.first.get_by_role("link", name="Open chart").click()
    expect(heading(page)).to_have_text("Robin Lee")
    expect(page.locator(".session-item")).to_have_count(0)
    step_shot(page, journey, "02-chart-empty")
    assert_accessible(page)
    page.add_init_script(assessment_ui.HTMX_COUNTER)
    page.get_by_role("button", name="New assessment").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/edit/$"))
    assessment = Assessment.objects.get(patient=patient)
    page.wait_for_selector("#id_band-new-muscle.tomselected")
    page.wait_for_selector(f"{assessment_ui.CHART}.is-ready")
    with page.expect_response(lambda r: "/header/text/" in r.url and r.ok):
        page.get_by_label("Chief complaint").fill("Right lateral elbow pain for three months.")
        page.get_by_label("Chief complaint").press("Tab")

    # Body chart marks (after those carried over from the intake): the painful elbow, and
    # the band felt in the forearm.
    labels = page.locator(f"{assessment_ui.CHART} .bodychart-item-label")
    from_intake = labels.count()
    assessment_ui.choose_kind(page, "Pain")
    assessment_ui.click_chart(page, "front", 0.30, 0.45)
    assessment_ui.choose_kind(page, "Taut band")
    assessment_ui.click_chart(page, "back", 0.72, 0.47)
    expect(labels).to_have_count(from_intake + 2)

    # Findings at two segments, C5 and C6, and a taut band in supinator.
    for segment, test in (("C5", "Palpation"), ("C6", "Skin rolling")):
        assessment_ui.pick(page, "sign-new-segment", segment)
        assessment_ui.pick(page, "sign-new-region", "Paraspinal")
        assessment_ui.pick(page, "sign-new-side", "Right")
        assessment_ui.pick(page, "sign-new-severity", "2 · moderate")
        assessment_ui.pick(page, "sign-new-sign", "Paraspinal tenderness")
        assessment_ui.pick(page, "sign-new-test", test)
        assessment_ui.add_row(page, "sign")
    expect(assessment_ui.sign_rows(page).locator(".segment-badge")).to_have_text(["C5", "C6"])
    assessment_ui.pick_muscle(page, "band-new-muscle", "supin", "Supinator")
    assessment_ui.pick(page, "band-new-side", "Right")
    assessment_ui.pick(page, "band-new-tenderness", "2 · moderate")
    assessment_ui.add_row(page, "band")
    expect(assessment_ui.band_rows(page)).to_have_count(1)
    expect(page.locator("#summary-card .segment-badge")).to_have_text(["C5", "C6"])
    step_shot(page, journey, "03-assessment-entry")
    assert_accessible(page)

    page.get_by_role("link", name="Review and sign").first.click()
    page.get_by_role("button", name="Sign and lock").click()
    expect(success_message(page)).to_contain_text("Assessment signed and locked.")
    expect(page.locator(".bodychart-readonly .bodychart-mark")).to_have_count(from_intake + 2)
    step_shot(page, journey, "04-assessment-signed")
    assert_accessible(page)

    # The IMS visit: start the session from "My day".
    page.add_init_script(session_ui.HTMX_COUNTER)
    page.locator("#main-nav").get_by_role("link", name="My day").click()
    page.locator("ol.my-day > li").nth(1).get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/treatments/sessions/\d+/edit/$"))
    session = TreatmentSession.objects.get(patient=patient)
    assert session.assessment_id == assessment.pk
    page.wait_for_selector("#id_site-new-muscle.tomselected")
    for question in (
        "Changes in medication (e.g. blood thinners)?",
        "Pregnant or may be pregnant?",
        "New conditions, surgery or injuries?",
        "Is any of these a contraindication today?",
        "Acutely unwell or a medical emergency today?",
    ):
        session_ui.answer(page, question, "No")
    page.get_by_label("Pain before (0-10)").fill("6")

    # A needling site from the assessment's suggestions.
    suggested = page.locator("#id_site-new-muscle optgroup").first
    expect(suggested).to_have_attribute("label", "Suggested by the assessment")
    expect(suggested.locator("option", has_text="Supinator")).to_have_count(1)
    session_ui.pick_muscle(page, "supin", "Supinator")
    session_ui.pick(page, "segment", "C6")
    session_ui.pick(page, "side", "Right")
    session_ui.pick(page, "needle", "0.25 × 40 mm")
    session_ui.pick(page, "technique", "In-and-out")
    page.get_by_label("Insertions").fill("3")
    session_ui.pick(page, "twitch", "Large")
    page.get_by_label("Deep ache").check()
    session_ui.add_site(page)
    expect(session_ui.site_rows(page)).to_have_count(1)
    expect(session_ui.site_rows(page).first).to_contain_text("Supinator")

    # Reconcile the needles and record the pain after; the sign panel clears.
    page.get_by_label("Needles opened").fill("1")
    page.get_by_label("Needles removed").fill("1")
    page.get_by_label("Needles disposed to sharps").fill("1")
    page.get_by_label("Every needle checked intact on removal").check()
    page.get_by_label("Pain after (0-10)").fill("3")
    page.get_by_label("Pain after (0-10)").press("Tab")
    session_ui.htmx_settled(page)
    expect(session_ui.sign_panel(page)).to_contain_text("Every check passes.")
    session_ui.eventually(lambda: TreatmentSession.objects.get(pk=session.pk).nprs_after == 3)
    step_shot(page, journey, "05-session-ready-to-sign")
    assert_accessible(page)

    session_ui.sign_panel(page).get_by_role("button", name="Sign and lock").click()
    expect(success_message(page)).to_contain_text("Session signed and locked.")
    expect(heading(page).locator(".badge")).to_have_text("Signed")
    expect(page.locator("main")).to_contain_text("Supinator")
    step_shot(page, journey, "06-session-signed")
    assert_accessible(page)

    # Later: an addendum under the locked note.
    text = "Phoned the next day: forearm soreness settled within 24 hours."
    page.get_by_label("Add an addendum").fill(text)
    page.get_by_role("button", name="Add addendum").click()
    expect(success_message(page)).to_contain_text("Addendum added.")
    expect(page.locator("#addenda .addendum")).to_contain_text(text)
    step_shot(page, journey, "07-addendum")
    assert_accessible(page)

    assessment.refresh_from_db()
    session.refresh_from_db()
    assert assessment.is_signed
    assert [m["kind"] for m in assessment.body_marks][from_intake:] == ["pain", "taut_band"]
    findings = SignFinding.objects.filter(assessment=assessment)
    assert sorted(findings.values_list("segment__code", flat=True)) == ["C5", "C6"]
    assert session.is_signed
    assert session.signed_by == physio
    assert (session.needles_opened, session.needles_removed, session.needles_disposed) == (1, 1, 1)
    site = NeedlingSite.objects.get(session=session)
    assert (site.muscle.name, site.segment.code, site.side) == ("Supinator", "C6", "R")
    assert SessionAddendum.objects.get(session=session).text == text
    assert page.console_errors == []
