"""Issue 19, acceptance 1 (the server's part; the scrolling is in test_browser_day_view.py):
on the desk's day view a visit 15 minutes past its start and not checked in is flagged late,
each visit's state is in its link's text (its accessible name) with a legend, the pickers
need no Go button, and the day prints as a sheet."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AppointmentType
from clinic.services.scheduling import appointment_check_in
from clinic.tests.factories import make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(physio):
    # Working from midnight to 23:00 every day, so the tests run at any hour.
    return make_practitioner(physio, hours=((0, 6), (0, 23)), name="Maya Chen")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


def _visit(maya, follow_up, front_desk, minutes_ago: int, name: str):
    start = (timezone.now() - dt.timedelta(minutes=minutes_ago)).replace(second=0, microsecond=0)
    visit = write_appointment(
        make_patient(legal_first_name=name), maya, start, follow_up, by=front_desk
    )
    if visit.local_date != timezone.localdate() or timezone.localtime(start).hour >= 22:
        pytest.skip("the visit would not be today on the grid")
    return visit


def _link(html: str, name: str) -> str:
    """The day grid's link of the visit of patient `name`, as text (its accessible name)."""
    start = html.rindex('<a class="appt ', 0, html.index(f"{name} Example"))
    end = html.index("</a>", start)
    return html[start : end + 4]


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_a_visit_15_minutes_past_its_start_is_flagged_late(client_for, front_desk, maya, follow_up):
    _visit(maya, follow_up, front_desk, 15, "Tardy")
    arrived = appointment_check_in(
        appointment=_visit(maya, follow_up, front_desk, 45, "Arrived"), by=front_desk
    )
    html = client_for(front_desk).get(reverse("clinic:desk_today")).content.decode()
    tardy = _link(html, "Tardy")
    assert "appt-late" in tardy
    assert "Late, not checked in." in _text(tardy)
    here = _link(html, "Arrived")
    assert "appt-late" not in here
    assert "Checked in." in _text(here)
    assert arrived.status == "checked_in"


def test_a_visit_5_minutes_past_its_start_is_not_late_yet(client_for, front_desk, maya, follow_up):
    _visit(maya, follow_up, front_desk, 5, "Nearly")
    html = client_for(front_desk).get(reverse("clinic:desk_today")).content.decode()
    assert "appt-late" not in _link(html, "Nearly")


def test_a_half_hour_block_says_its_state_in_words(client_for, front_desk, maya, follow_up):
    """A 30-minute block is too short for badges: its states are icons whose words are
    part of the link's text, read by screen readers and shown as tooltips."""
    visit = _visit(maya, follow_up, front_desk, 45, "Blocky")
    appointment_check_in(appointment=visit, by=front_desk)
    html = client_for(front_desk).get(reverse("clinic:desk_today")).content.decode()
    text = _text(_link(html, "Blocky"))
    assert "Checked in." in text
    assert "Intake pending." in text  # the factory's patient has not done the intake
    assert "Blocky Example" in text
    assert 'title="Checked in"' in _link(html, "Blocky")
    legend = html[html.index('class="schedule-legend') :]
    for words in ("Late", "Checked in", "Intake pending", "Consent needed", "Booked online"):
        assert words in legend[:2000]


def test_the_pickers_submit_themselves_and_there_is_a_new_appointment_button(
    client_for, front_desk, maya
):
    html = client_for(front_desk).get(reverse("clinic:desk_today")).content.decode()
    assert "data-autosubmit" in html  # static/js/schedule.js submits on change
    assert "data-autosubmit-hide" in html  # the Go button stays for no JavaScript
    assert "New appointment" in html
    assert "data-today" in html  # today's grid: the now line and the scroll


def test_the_day_prints_as_a_sheet(client_for, front_desk, maya, follow_up):
    _visit(maya, follow_up, front_desk, 15, "Sheet")
    html = client_for(front_desk).get(reverse("clinic:day_sheet")).content.decode()
    sheet = _text(html[html.index('class="day-sheet"') :])
    assert "Maya Chen" in sheet
    assert "Sheet Example" in sheet
    assert "Booked · late · intake pending" in sheet
