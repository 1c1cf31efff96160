"""Journeys in headless Chromium: sign-in and each role's home, with screenshots.

Screenshots land in var/screenshots/ for a person to look at; the assertions check what a
user would notice: the page loaded its styles and scripts, showed the right heading and menu,
and logged no errors.
"""

from __future__ import annotations

import pytest

from clinic.permissions import Role
from clinic.tests.factories import PatientFactory, UserFactory
from tests.browser import shot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TEAL = "rgb(14, 110, 107)"


def test_login_page_is_styled_and_a_wrong_password_is_explained(page_for):
    UserFactory(username="frontdesk", roles={Role.FRONT_DESK})
    page = page_for()
    page.goto(page.base + "/")
    assert page.url.endswith("/accounts/login/")
    assert page.locator("h2", has_text="Sign in").is_visible()
    button = page.locator("button[type=submit]")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == TEAL
    shot(page, "login")

    sign_in(page, "frontdesk", "not-my-password")
    assert (
        page.get_by_role("alert").inner_text().startswith("That username and password do not match")
    )
    assert page.input_value("#id_username") == "frontdesk"
    shot(page, "login-wrong-password")
    assert page.console_errors == []


HOMES = [
    (Role.FRONT_DESK, "frontdesk", "/desk/", None, ["Schedule", "Patients", "Waitlist"]),
    (
        Role.PHYSIO,
        "physio",
        "/my-day/",
        "Good to see you, Maya",
        ["My day", "Schedule", "Patients", "Waitlist", "Dashboard"],
    ),
    (Role.PATIENT, "patient", "/portal/", "Welcome, Jordan", ["Home", "Appointments", "Documents"]),
    (
        Role.CLINIC_ADMIN,
        "admin",
        "/clinic-admin/",
        "Running the clinic",
        ["Waitlist", "Dashboard", "Clinic admin", "Records"],
    ),
]


@pytest.mark.parametrize(("role", "username", "path", "heading", "menu"), HOMES, ids=str)
def test_each_role_signs_in_to_its_own_home(page_for, role, username, path, heading, menu):
    user = UserFactory(username=username, first_name="Maya", roles={role})
    if role is Role.PATIENT:
        PatientFactory(user=user, legal_first_name="Jordan", legal_last_name="Avery")
    page = page_for()
    sign_in(page, username)

    assert page.url == page.base + path
    if heading:
        assert page.locator("h1").inner_text() == heading
    assert page.locator("#main-nav .navbar-nav.me-auto .nav-link").all_inner_texts() == menu
    shot(page, f"home-{role}")
    # Bootstrap's JavaScript is loaded: the account menu opens.
    page.click("#main-nav .dropdown-toggle")
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.keyboard.press("Escape")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.console_errors == []


def test_the_physio_home_works_on_a_tablet_at_the_treatment_table(page_for):
    UserFactory(username="physio", first_name="Maya", roles={Role.PHYSIO})
    page = page_for(width=820, height=1180)
    sign_in(page, "physio")
    # No horizontal scrolling on a portrait tablet.
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    shot(page, "home-physiotherapist-tablet")

    phone = page_for(width=390, height=844)
    sign_in(phone, "physio")
    toggler = phone.locator(".navbar-toggler")
    # The menu button shares the top row with the clinic's name.
    brand_box = phone.locator(".navbar-brand").bounding_box()
    toggler_box = toggler.bounding_box()
    assert abs(brand_box["y"] - toggler_box["y"]) < brand_box["height"]
    toggler.click()
    phone.wait_for_selector("#main-nav.show")
    assert phone.get_by_role("link", name="My day").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "home-physiotherapist-phone-menu")
