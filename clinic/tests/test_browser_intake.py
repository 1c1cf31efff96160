"""Front-office and intake journeys in headless Chromium, with screenshots.

Each test does what a clinic user does: the front desk registers and finds patients, a
patient fills the intake and signs consent on a phone, a physiotherapist signs consent in
clinic on a tablet and clears a contraindication. Assertions check what the user sees
(headings, errors next to the fields they belong to, saved values, no console errors, no
sideways scrolling on small screens). Screenshots land in var/screenshots/ for a person to
look at.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Consent, Intake, Patient, ScreeningItem
from clinic.permissions import Role
from clinic.tests.factories import UserFactory, fill_intake, join_care_team, make_patient
from tests.browser import assert_no_sideways_scroll, heading, shot, sign_in, success_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}


# --- Helpers ---------------------------------------------------------------------------------


def assert_error_next_to(page, field: str, message: str) -> None:
    """The field is marked invalid and its message sits right under it, not in a banner."""
    control = page.locator(f"#id_{field}")
    error = page.locator(f"#div_id_{field} .invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text(message)
    expect(control).to_have_class(re.compile(r"\bis-invalid\b"))
    control_box, error_box = control.bounding_box(), error.bounding_box()
    below = error_box["y"] - (control_box["y"] + control_box["height"])
    assert -2 <= below <= 40, f"the error for {field} is {below}px away from the field"
    assert abs(error_box["x"] - control_box["x"]) <= 24


def marks_in(page, field: str = "pain_marks") -> list[dict]:
    return json.loads(page.input_value(f"#id_{field}-chart [data-bodychart-input]"))


def tap_scale(page, field: str, value: int) -> None:
    """Tap one of the 0-10 buttons of a scale and check the answer took."""
    group = page.locator(f"#div_id_{field} .scale-options")
    group.locator("label.scale-option").get_by_text(str(value), exact=True).tap()
    expect(
        group.locator(f'input[type=radio][value="{value}"]'),
        f"tapping {value} on the {field} scale should choose it",
    ).to_be_checked()


def tap_choice(page, field: str, label: str) -> None:
    """Tap a radio or checkbox answer by its words and check it took."""
    page.locator(f"#div_id_{field}").get_by_text(label, exact=True).tap()
    expect(page.locator(f"#div_id_{field}").get_by_label(label, exact=True)).to_be_checked()


def continue_to(page, next_heading: str) -> None:
    page.get_by_role("button", name="Save and continue").tap()
    expect(heading(page)).to_have_text(next_heading)


# --- 1. Registration -------------------------------------------------------------------------


def fill_registration(page, *, first, last, dob, phone, email) -> None:
    page.get_by_label("Legal first name").fill(first)
    page.get_by_label("Legal last name").fill(last)
    page.fill("#id_date_of_birth", dob)
    page.fill("#id_phone", phone)
    page.fill("#id_email", email)


def test_front_desk_registers_a_patient_and_is_warned_about_a_duplicate(page_for):
    UserFactory(username="frontdesk", first_name="Sam", roles={Role.FRONT_DESK})
    page = page_for(1280, 800)
    sign_in(page, "frontdesk")
    page.locator("#main-nav").get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Register a patient").click()
    expect(heading(page)).to_have_text("Register a patient")

    # A typo in the e-mail and a date of birth in the future.
    next_month = timezone.localdate() + dt.timedelta(days=30)
    fill_registration(
        page,
        first="Ada",
        last="Lovelace",
        dob=next_month.isoformat(),
        phone="604-555-0199",
        email="ada.lovelace@example",
    )
    page.get_by_role("button", name="Register patient").click()
    expect(heading(page)).to_have_text("Register a patient")
    assert_error_next_to(page, "email", "Enter a complete e-mail address, like name@example.com.")
    assert_error_next_to(page, "date_of_birth", "The date of birth cannot be in the future.")
    # Nothing typed is lost, nothing is saved, and the other fields are not flagged.
    expect(page.locator("#id_legal_first_name")).to_have_value("Ada")
    expect(page.locator("#id_email")).to_have_value("ada.lovelace@example")
    expect(page.locator("#id_date_of_birth")).to_have_value(next_month.isoformat())
    expect(page.locator(".is-invalid")).to_have_count(2)
    assert not Patient.objects.exists()
    shot(page, "patient-register-errors")

    page.fill("#id_email", "ada.lovelace@example.com")
    page.fill("#id_date_of_birth", "1985-12-10")
    page.get_by_role("button", name="Register patient").click()
    expect(page).to_have_url(re.compile(r"/patients/\d+/$"))
    expect(heading(page)).to_have_text("Ada Lovelace")
    expect(success_message(page)).to_contain_text("Ada Lovelace is registered.")
    expect(page.get_by_text("Born 10 Dec 1985")).to_be_visible()
    contact = page.locator(".card", has=page.get_by_role("heading", name="Contact"))
    expect(contact).to_contain_text("604-555-0199")
    expect(contact).to_contain_text("ada.lovelace@example.com")
    first = Patient.objects.get()
    assert (first.legal_first_name, first.date_of_birth) == ("Ada", dt.date(1985, 12, 10))
    assert page.url.endswith(f"/patients/{first.pk}/")
    shot(page, "patient-record")

    # Another Ada Lovelace born the same day: the desk is warned before a second record.
    page.goto(page.base + "/patients/new/")
    fill_registration(
        page,
        first="Ada",
        last="Lovelace",
        dob="1985-12-10",
        phone="250-555-0142",
        email="ada.l@example.org",
    )
    page.get_by_role("button", name="Register patient").click()
    warning = page.get_by_role("alert").filter(has_text="This may be someone already on file")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("link", name="Ada Lovelace")).to_have_attribute(
        "href", f"/patients/{first.pk}/"
    )
    expect(warning).to_contain_text("born 1985-12-10, +1 604-555-0199")
    confirm = warning.get_by_role("button", name="Register as a different person")
    expect(confirm).to_be_visible()
    # The form still holds what was typed.
    expect(page.locator("#id_phone")).to_have_value("250-555-0142")  # as typed
    assert Patient.objects.count() == 1
    shot(page, "patient-duplicate-warning")

    confirm.click()
    expect(page).to_have_url(re.compile(r"/patients/\d+/$"))
    expect(success_message(page)).to_contain_text("Ada Lovelace is registered.")
    second = Patient.objects.exclude(pk=first.pk).get()
    assert page.url.endswith(f"/patients/{second.pk}/")
    assert second.phone == "+1 250-555-0142"  # written one way (clinic/contact.py)
    assert page.console_errors == []


# --- 2. Search -------------------------------------------------------------------------------

PEOPLE = [
    ("Hélène", "Tremblay", "604-555-0101"),
    ("Liam", "O'Neill", "604-555-0102"),
    ("Siobhán", "O'Brien", "778-555-0103"),
    ("José", "Álvarez", "250-555-0104"),
    ("Jordan", "Avery", "604-555-0105"),
    ("Mei", "Chen", "778-555-0106"),
    ("Noah", "Bergström", "604-555-0107"),
    ("Priya", "Sharma", "236-555-0108"),
    ("Françoise", "Côté", "604-555-0109"),
    ("Ahmed", "Haddad", "778-555-0110"),
    ("Helen", "Park", "250-555-0111"),
    ("Grace", "Nakamura", "604-555-0112"),
]


def result_rows(page):
    return page.locator("#results tbody tr")


def search_for(page, text: str) -> None:
    """Type into the live search and wait until htmx has swapped in that query's results
    (it pushes the query into the address bar when it does), so a check never passes on
    the previous query's rows."""
    box = page.get_by_label("Name, phone or e-mail")
    box.fill("")
    box.press_sequentially(text)
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=text)


def test_live_search_finds_patients_by_accentless_name_apostrophe_and_phone(page_for):
    desk = UserFactory(username="frontdesk", roles={Role.FRONT_DESK})
    for number, (first, last, phone) in enumerate(PEOPLE):
        make_patient(
            by=desk,
            legal_first_name=first,
            legal_last_name=last,
            phone=phone,
            date_of_birth=dt.date(1950 + number * 4, 1 + number, 3 + number),
        )
    page = page_for(1280, 800)
    sign_in(page, "frontdesk")
    page.locator("#main-nav").get_by_role("link", name="Patients").click()
    expect(heading(page)).to_have_text("Find a patient")
    expect(result_rows(page)).to_have_count(12)
    expect(page.locator("#results")).to_contain_text("12 patients")
    # The search box has the focus: the desk can type straight away.
    expect(page.get_by_label("Name, phone or e-mail")).to_be_focused()

    # A marker on the page survives only if the results are swapped in without a reload.
    page.evaluate("window.__searchPageMarker = true")
    search_for(page, "helene")
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text("Tremblay, Hélène")
    expect(result_rows(page).first).to_contain_text("604-555-0101")
    expect(page.locator("#results")).to_contain_text("1 patient found")
    assert page.evaluate("window.__searchPageMarker") is True
    expect(page).to_have_url(re.compile(r"[?&]q=helene\b"))
    shot(page, "patient-search")

    search_for(page, "o'neill")
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text("O'Neill, Liam")
    search_for(page, "oneill")
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first).to_contain_text("O'Neill, Liam")

    search_for(page, "604 555")
    expect(result_rows(page)).to_have_count(6)
    phones = page.locator("#results tbody tr td:nth-child(3)").all_inner_texts()
    assert sorted(phones) == sorted(p for _, _, p in PEOPLE if p.startswith("604-555"))
    expect(page.locator("#results")).to_contain_text("6 patients found")
    shot(page, "patient-search-phone")

    search_for(page, "zzzz")
    expect(page.get_by_role("heading", name="No patients match")).to_be_visible()
    shot(page, "patient-search-none")

    # The result opens the record.
    search_for(page, "helene")
    expect(result_rows(page)).to_have_count(1)
    page.get_by_role("link", name="Tremblay, Hélène").click()
    expect(heading(page)).to_have_text("Hélène Tremblay")
    assert page.evaluate("window.__searchPageMarker") is None  # a real page change this time
    assert page.console_errors == []


# --- 3. Intake on a phone --------------------------------------------------------------------


def portal_patient(username: str = "ada", **fields) -> Patient:
    user = UserFactory(username=username, first_name="Ada", roles={Role.PATIENT})
    defaults = {
        "legal_first_name": "Ada",
        "legal_last_name": "Lovelace",
        "date_of_birth": dt.date(1985, 12, 10),
        "email": "ada.lovelace@example.com",
    }
    patient = make_patient(**(defaults | fields))
    patient.user = user
    patient.save(update_fields=["user"])
    return patient


def test_a_patient_fills_the_whole_intake_on_a_phone(touch_page_for):
    patient = portal_patient()
    page = touch_page_for(PHONE)
    sign_in(page, "ada")
    expect(heading(page)).to_have_text("Welcome, Ada")
    page.get_by_role("link", name="Start my intake").tap()

    # Step 1: the pain.
    expect(page).to_have_url(re.compile(r"/portal/intake/pain/$"))
    expect(heading(page)).to_have_text("About your pain")
    page.get_by_label("What brings you to the clinic?").press_sequentially(
        "Aching low back since last winter; I want to garden again."
    )
    page.wait_for_selector("#id_pain_marks-chart.is-ready")
    front = page.locator('#id_pain_marks-chart [data-bodychart-view="front"] svg')
    front.scroll_into_view_if_needed()
    box = front.bounding_box()
    front.tap(position={"x": box["width"] * 0.5, "y": box["height"] * 0.42})  # the belly
    marks = marks_in(page)
    assert [(m["view"], m["kind"]) for m in marks] == [("front", "pain")]
    assert marks[0]["x"] == pytest.approx(0.5, abs=0.02)
    expect(page.locator("#id_pain_marks-chart .bodychart-item-label")).to_have_text(
        ["Pain - front view, mark 1"]
    )
    tap_choice(page, "onset", "Gradually, over time")
    tap_choice(page, "duration", "More than a year")
    tap_scale(page, "nprs_now", 6)
    tap_scale(page, "nprs_best", 3)
    tap_scale(page, "nprs_worst", 8)
    page.get_by_label("What makes it worse").fill("Sitting more than 20 minutes")
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "intake-phone-1-pain")
    continue_to(page, "Your health")

    # Step 2: health and blood thinners.
    expect(page.locator(".intake-step.is-done")).to_have_count(1)
    page.get_by_label("Medications and supplements you take").fill("Ibuprofen when needed")
    tap_choice(page, "anticoagulants", "No")
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "intake-phone-2-health")
    continue_to(page, "Safety check")

    # Step 3: the safety screening.
    tap_choice(page, "screening_items", "Diabetes")
    page.get_by_label("I have read the whole list and ticked everything that applies.").tap()
    expect(
        page.get_by_label("I have read the whole list and ticked everything that applies.")
    ).to_be_checked()
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "intake-phone-3-safety")
    continue_to(page, "Daily activities")

    # Step 4: the region questionnaire arrives by htmx when the area is chosen.
    page.get_by_label("Which area is your main problem?").select_option(label="Low back")
    questionnaire = page.locator("#region-questions .region-questionnaire")
    expect(questionnaire, "choosing Low back should load its questionnaire").to_be_visible()
    items = questionnaire.locator(".questionnaire-item")
    expect(items).to_have_count(10)
    for index in range(10):
        item = items.nth(index)
        item.scroll_into_view_if_needed()
        item.locator("label.form-check-label").nth(1).tap()
        expect(item.locator("input[type=radio]").nth(1)).to_be_checked()
    page.get_by_label("Activity 1", exact=True).fill("Gardening for an hour")
    tap_scale(page, "psfs_rating_0", 4)
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "intake-phone-4-activities")
    continue_to(page, "Review and submit")

    # Review and submit.
    expect(page.get_by_role("heading", name="Everything is filled in")).to_be_visible()
    expect(page.locator(".intake-step.is-done")).to_have_count(4)
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "intake-phone-5-review")
    page.get_by_role("button", name="Submit my intake").tap()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(success_message(page)).to_contain_text("Thank you, your intake is complete.")
    task = page.locator(
        ".portal-task", has=page.get_by_role("heading", name="Intake questionnaire")
    )
    expect(task).to_contain_text("Complete. Thank you!")
    expect(task.get_by_role("link", name="Start my intake")).to_have_count(0)
    assert_no_sideways_scroll(page, PHONE["width"])
    shot(page, "intake-phone-done")

    intake = Intake.objects.get(patient=patient)
    assert intake.is_submitted
    assert intake.presenting_complaint.startswith("Aching low back")
    assert (intake.nprs_now, intake.nprs_best, intake.nprs_worst) == (6, 3, 8)
    assert (intake.onset, intake.duration, intake.anticoagulants) == ("gradual", "gt1y", "no")
    assert [m["view"] for m in intake.pain_marks] == ["front"]
    assert [i.code for i in intake.screening_items.all()] == ["diabetes"]
    assert intake.region == "low_back"
    assert len(intake.region_answers) == 10
    assert intake.psfs == [{"activity": "Gardening for an hour", "rating": 4}]
    assert page.console_errors == []


# --- 4. Consent ------------------------------------------------------------------------------


def test_a_patient_signs_consent_in_the_portal_after_a_wrong_name(touch_page_for):
    patient = portal_patient()
    page = touch_page_for(PHONE)
    sign_in(page, "ada")
    page.get_by_role("link", name="Read and sign").tap()
    expect(heading(page)).to_have_text("Consent to intramuscular stimulation (IMS)")
    expect(page.get_by_text("pneumothorax")).to_be_visible()

    # A maiden name instead of the legal one, and the box not ticked yet: both are
    # explained, each next to its field.
    name = page.get_by_label("Type your full legal name to sign")
    name.fill("Ada Byron")
    page.get_by_role("button", name="Sign consent").tap()
    expect(page.locator("#div_id_understood .invalid-feedback")).to_contain_text(
        "Please confirm that you have read the information."
    )
    expect(heading(page)).to_have_text("Consent to intramuscular stimulation (IMS)")
    shot(page, "consent-error")  # before the checks, so a failure leaves the picture
    assert_error_next_to(
        page, "typed_name", "Type the full legal name on the record: Ada Lovelace."
    )
    expect(page.locator("#id_typed_name")).to_have_value("Ada Byron")
    assert not Consent.objects.exists()
    assert_no_sideways_scroll(page, PHONE["width"])

    page.get_by_label(
        "I have read the information above and my questions have been answered."
    ).tap()
    name.fill("Ada Lovelace")
    page.get_by_role("button", name="Sign consent").tap()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(success_message(page)).to_contain_text("Consent recorded. Thank you.")
    task = page.locator(".portal-task", has=page.get_by_role("heading", name="Consent to IMS"))
    expect(task).to_contain_text("Signed.")
    expect(task.get_by_role("link", name="Read it again")).to_be_visible()
    shot(page, "consent-signed")
    consent = Consent.objects.get(patient=patient)
    assert (consent.typed_name, consent.channel) == ("Ada Lovelace", Consent.Channel.PORTAL)
    assert page.console_errors == []


def test_a_physio_has_consent_signed_in_clinic_on_a_tablet(touch_page_for):
    physio = UserFactory(
        username="physio", first_name="Maya", last_name="Singh", roles={Role.PHYSIO}
    )
    patient = make_patient(legal_first_name="Jordan", legal_last_name="Avery")
    join_care_team(physio, patient)
    page = touch_page_for(TABLET)
    sign_in(page, "physio")
    page.goto(page.base + f"/patients/{patient.pk}/")
    expect(heading(page)).to_have_text("Jordan Avery")
    page.get_by_role("link", name="Sign in clinic with the patient").tap()
    expect(heading(page)).to_have_text("Consent to intramuscular stimulation (IMS)")
    expect(page.get_by_text("Jordan Avery · signing in clinic")).to_be_visible()
    expect(page.get_by_text("Hand the tablet to Jordan")).to_be_visible()
    page.get_by_label(
        "I have read the information above and my questions have been answered."
    ).tap()
    page.get_by_label("Type your full legal name to sign").fill("jordan avery")
    assert_no_sideways_scroll(page, TABLET["width"])
    shot(page, "consent-in-clinic-tablet")

    page.get_by_role("button", name="Sign consent").tap()
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/intake/$"))
    expect(heading(page)).to_have_text("Intake and screening")
    expect(success_message(page)).to_contain_text("Consent recorded. Thank you.")
    consent_card = page.locator("section", has=page.get_by_role("heading", name="Consent to IMS"))
    expect(consent_card).to_contain_text("Current")
    expect(consent_card).to_contain_text("in clinic")
    assert_no_sideways_scroll(page, TABLET["width"])
    shot(page, "consent-in-clinic-tablet-signed")
    consent = Consent.objects.get(patient=patient)
    assert consent.channel == Consent.Channel.CLINIC
    assert page.console_errors == []


# --- 5. Screening clearance ------------------------------------------------------------------


def test_a_physio_clears_a_contraindication(page_for):
    physio = UserFactory(
        username="physio", first_name="Maya", last_name="Singh", roles={Role.PHYSIO}
    )
    patient = make_patient(legal_first_name="Jordan", legal_last_name="Avery")
    join_care_team(physio, patient)
    infection = ScreeningItem.objects.get(code="local-infection")
    fill_intake(patient, by=physio, screening=[infection])

    page = page_for(1280, 800)
    sign_in(page, "physio")
    page.goto(page.base + f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Intake and screening").click()
    expect(heading(page)).to_have_text("Intake and screening")
    blocked = page.get_by_role("alert").filter(has_text="Needling blocked.")
    expect(blocked).to_be_visible()
    expect(blocked).to_contain_text(f"Contraindication not cleared: {infection.label}.")
    entry = page.locator(".screening-entry.contraindication", has_text=infection.label)
    expect(entry).to_contain_text("Contraindication")
    shot(page, "screening-blocked")

    reason = "Healed graze on the left shin; lumbar needling sites are clear."
    entry.get_by_label("Clinical reason for clearing").fill(reason)
    entry.get_by_role("button", name="Record clearance").click()
    expect(success_message(page)).to_contain_text(f"Cleared: {infection.label}.")
    entry = page.locator(".screening-entry.contraindication", has_text=infection.label)
    expect(entry).to_have_class(re.compile(r"\bis-cleared\b"))
    expect(entry).to_contain_text("Cleared by Maya Singh")
    expect(entry).to_contain_text(reason)
    expect(entry.get_by_role("button", name="Record clearance")).to_have_count(0)
    # Only the missing consent still blocks needling.
    blocked = page.get_by_role("alert").filter(has_text="Needling blocked.")
    expect(blocked).not_to_contain_text("Contraindication not cleared")
    expect(blocked).to_contain_text("No current consent to IMS on file.")
    shot(page, "screening-cleared")
    assert page.console_errors == []
