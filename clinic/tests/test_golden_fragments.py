"""Golden tests (issue 18): the desk's day grid and the patient search's rows carry the same
rows, values and links as the Python-string renderers they replaced.

The fixtures in clinic/tests/fixtures/ were taken from those renderers on the fixed worlds
built below (the day grid at a fixed "now", so some free slots have a booking link and the
earlier ones none). The comparison is of parsed content (clinic/tests/golden.py): each row's
cells with their text, classes, rowspans, hrefs and hx- attributes, and the links and badges
inside them; whitespace does not count, a missing row, value or link does. Ids in links are
replaced by names, so the fixtures hold on any database.

After an intended change of the rows, rewrite the fixtures with GOLDEN_UPDATE=1 and review
their diff like code.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import selectors, services
from clinic.models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    TimeOff,
    WorkingHours,
)
from clinic.selectors import scheduling as schedule_selectors
from clinic.tests import golden
from clinic.tests.factories import fill_intake, make_patient, make_practitioner, write_appointment
from clinic.views import schedule as schedule_views

pytestmark = pytest.mark.django_db

VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")
DAY = dt.date(2026, 3, 2)  # a Monday
NOW = dt.datetime.combine(DAY, dt.time(11, 10), tzinfo=VANCOUVER)
FAR = dt.date(2099, 6, 1)  # next visits in the search world: always in the future
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VANCOUVER)


def _consent(patient, by) -> None:
    services.consent_sign(
        patient=patient,
        version=selectors.consent_version_current(),
        typed_name=patient.legal_name,
        channel="clinic",
        by=by,
    )


def _compare(name: str, rows: list[dict]) -> None:
    if UPDATE:
        golden.save(name, rows)
    expected = golden.load(name)
    assert len(rows) == len(expected), f"{len(rows)} rows, the fixture has {len(expected)}"
    for index, (row, want) in enumerate(zip(rows, expected, strict=True)):
        assert row == want, f"row {index} differs"


class Labels:
    """Replaces the ids in links by names: appointment, practitioner, location, patient."""

    def __init__(self) -> None:
        self.paths: dict[str, str] = {}
        self.params: dict[tuple[str, str], str] = {}

    def path(self, url: str, label: str) -> None:
        self.paths[url] = label

    def param(self, name: str, pk: int, label: str) -> None:
        self.params[(name, str(pk))] = label

    def __call__(self, value: str) -> str:
        path, sep, query = value.partition("?")
        path = self.paths.get(path, path)
        query = re.sub(
            r"(\w+)=(\d+)",
            lambda m: f"{m[1]}={self.params.get((m[1], m[2]), m[2])}",
            query,
        )
        return f"{path}{sep}{query}"


# --- The desk's day grid -------------------------------------------------------------------


def _desk_world(front_desk):
    """A location's Monday: three columns (hours, hours with time off, no hours but a
    visit), every status and flag, a name that needs escaping, a visit that widens the
    grid at each end, and what must not show (cancelled, another location, inactive)."""
    labels = Labels()
    here = Location.objects.create(name="Golden clinic")
    there = Location.objects.create(name="Across town")
    labels.param("location", here.pk, "golden-clinic")
    ims = AppointmentType.objects.get(name="IMS treatment")
    follow_up = AppointmentType.objects.get(name="Follow-up")
    initial = AppointmentType.objects.get(name="Initial assessment")

    ana = make_practitioner(location=here, hours=((0, 4), (8, 18)), name="Ana Able")
    ana.locations.add(there)
    ben = make_practitioner(location=here, hours=((0, 4), (9, 13)), name="Ben <Baker> & Co")
    cy = make_practitioner(location=here, hours=((5, 6), (9, 17)), name="Cy Cole")
    gone = make_practitioner(location=here, name="Dee Gone")
    Practitioner.objects.filter(pk=gone.pk).update(active=False)
    make_practitioner(location=there, name="Eve Elsewhere")
    TimeOff.objects.create(
        practitioner=ben, start=_at(DAY, 10), end=_at(DAY, 11), kind=TimeOff.Kind.SICK
    )
    # Ben also works a second block that day, with an hour off inside it.
    WorkingHours.objects.create(
        practitioner=ben, location=here, weekday=0, start=dt.time(14), end=dt.time(16, 30)
    )
    TimeOff.objects.create(
        practitioner=ben, start=_at(DAY, 15), end=_at(DAY, 15, 30), kind=TimeOff.Kind.OTHER
    )
    for practitioner in (ana, ben, cy, gone):
        labels.param("practitioner", practitioner.pk, practitioner.display_name)

    def patient(first, last, *, intake=None, consent=False, preferred=""):
        person = make_patient(
            legal_first_name=first, legal_last_name=last, preferred_name=preferred, by=front_desk
        )
        if intake:
            fill_intake(person, by=front_desk, submit=intake == "submitted")
        if consent:
            _consent(person, front_desk)
        return person

    ready = patient("Rita", "Ready", intake="submitted", consent=True)
    draft = patient("Dan", "Draft", intake="draft")
    nothing = patient("Nora", "Nothing")
    escaped = patient("Jo", "O'Neill & <Sons>", preferred='Jojo "J" <b>', intake="submitted")
    seen = patient("Sam", "Seen", intake="submitted", consent=True)

    visits = [
        (ana, ready, _at(DAY, 7, 15), ims, {}),  # before opening: the grid starts at 07:00
        (ana, ready, _at(DAY, 8), follow_up, {"status": "completed"}),
        (ana, draft, _at(DAY, 9), follow_up, {"status": "checked_in"}),
        (ana, nothing, _at(DAY, 10, 30), ims, {"booked_via": "portal"}),
        (ana, seen, _at(DAY, 11, 30), ims, {"booked_via": "portal", "online_booking_seen_at": NOW}),
        (ana, draft, _at(DAY, 13), initial, {"status": "no_show"}),
        (ana, nothing, _at(DAY, 15), follow_up, {"status": "cancelled"}),  # a free slot
        (ana, ready, _at(DAY, 16), follow_up, {"location": there}),  # not this grid
        (ben, escaped, _at(DAY, 9), initial, {}),
        # Confirmed from the reminder's link (issue 20): the others booked are unconfirmed.
        (ben, seen, _at(DAY, 12, 15), ims, {"confirmed_at": NOW, "confirmed_via": "link"}),
        (cy, nothing, _at(DAY, 18, 45), follow_up, {}),  # after closing: the grid widens
        (gone, ready, _at(DAY, 14), follow_up, {}),  # an inactive practitioner: no column
        (ana, ready, _at(DAY + dt.timedelta(days=1), 9), ims, {}),  # another day
    ]
    for practitioner, person, start, kind, fields in visits:
        fields = {"location": here} | fields
        visit = write_appointment(person, practitioner, start, kind, by=front_desk, **fields)
        local = timezone.localtime(start)
        labels.path(
            reverse("clinic:appointment_detail", args=[visit.pk]),
            f"<appointment {person.legal_last_name} {local:%Y-%m-%d %H:%M}>",
        )
    return here, labels


def test_desk_grid_rows_match_the_golden_fixture(front_desk):
    location, labels = _desk_world(front_desk)
    schedule = schedule_selectors.day_schedule(day=DAY, location=location)
    html = str(schedule_views.grid_body(schedule, now=NOW))
    rows = golden.table_rows(html, labels)

    # The world is what the fixture expects (so a broken world cannot pass as a match).
    assert [c.practitioner.display_name for c in schedule.columns] == [
        "Ana Able",
        "Ben <Baker> & Co",
        "Cy Cole",
    ]
    assert len(rows) == 4 * 12 + 1  # 07:00 to 19:15 (the last visit ends) in 15 minutes
    _compare("golden_desk_grid.json", rows)


def test_the_day_page_shows_the_same_grid(client_for, front_desk):
    """The page writes the grid the renderer gives (a past day: no booking links, so the
    request's own clock does not matter)."""
    location, labels = _desk_world(front_desk)
    # The page with its alerts loaded in (clinic:desk_notices, right after the page).
    html = golden.desk_page(
        client_for(front_desk), {"date": DAY.isoformat(), "location": location.pk}
    )
    schedule = schedule_selectors.day_schedule(day=DAY, location=location)
    direct = str(schedule_views.grid_body(schedule, now=timezone.now()))
    page_rows = golden.table_rows(golden.tbody(html), labels)
    assert page_rows == golden.table_rows(direct, labels)
    assert sum(len(row["cells"]) for row in page_rows) > len(page_rows)
    # The column heads: who is off says so (the first absence of the day).
    assert "Away: sick" in html
    assert html.count("appt-cell") == sum(len(c.appointments) for c in schedule.columns) == 9


# --- The patient search's rows -------------------------------------------------------------


def _search_world(front_desk, practitioner):
    """Patients named Goldenrow in each intake and consent state, with and without phone,
    e-mail, preferred name and next visit; names that need escaping; one not matching."""
    labels = Labels()
    follow_up = AppointmentType.objects.get(name="Follow-up")
    people = [
        ("Ada", "", "604-555-0101", "ada@example.org", "submitted", True, "booked"),
        ("Bea", "Bee", "", "", "draft", False, "checked_in"),
        ("Cal", 'C "<i>" & Co', "604-555-0103", "cal@example.org", None, True, None),
        ("Dot", "", "604-555-0104", "", "submitted", False, "cancelled"),
        ("Eli", "", "", "eli@example.org", "draft", True, "completed"),
        ("Fay", "", "604-555-0106", "fay@example.org", None, False, "no_show"),
    ]
    for index, (first, preferred, phone, email, intake, consent, visit) in enumerate(people):
        patient = make_patient(
            legal_first_name=first,
            legal_last_name="Goldenrow" if index != 2 else "Goldenrow-O'Hara & <Sons>",
            preferred_name=preferred,
            phone=phone,
            email=email,
            date_of_birth=dt.date(1950 + index, 1 + index, 2 + index),
            by=front_desk,
        )
        if intake:
            fill_intake(patient, by=front_desk, submit=intake == "submitted")
        if consent:
            _consent(patient, front_desk)
        if visit:
            start = _at(FAR + dt.timedelta(days=index), 9 + index)
            write_appointment(patient, practitioner, start, follow_up, by=front_desk, status=visit)
            if visit == "booked":  # the nearer of two visits is the one shown
                later = start + dt.timedelta(days=30)
                write_appointment(patient, practitioner, later, follow_up, by=front_desk)
        labels.path(reverse("clinic:patient_detail", args=[patient.pk]), f"<patient {first}>")
    make_patient(legal_first_name="Zed", legal_last_name="Elsewhere", by=front_desk)
    return labels


def test_search_rows_match_the_golden_fixture(client_for, front_desk, physio):
    labels = _search_world(front_desk, make_practitioner(physio))
    client = client_for(front_desk)
    page = client.get(reverse("clinic:patient_list"), {"q": "goldenrow"})
    assert page.status_code == 200
    rows = golden.table_rows(golden.tbody(page.content.decode()), labels)
    assert len(rows) == 6
    _compare("golden_search_rows.json", rows)

    # The htmx answer (the results alone) carries the same rows.
    fragment = client.get(
        reverse("clinic:patient_list"), {"q": "goldenrow"}, HTTP_HX_REQUEST="true"
    )
    assert golden.table_rows(golden.tbody(fragment.content.decode()), labels) == rows


def test_the_comparison_notices_a_missing_link_value_or_row(front_desk):
    """The golden comparison is not blind: dropping a link, changing a value or losing a
    row each makes it differ."""
    location, labels = _desk_world(front_desk)
    schedule = schedule_selectors.day_schedule(day=DAY, location=location)
    html = str(schedule_views.grid_body(schedule, now=NOW))
    expected = golden.load("golden_desk_grid.json")
    assert golden.table_rows(html, labels) == expected
    no_link = html.replace(' hx-get="', ' data-x="', 1)
    changed = html.replace("Intake pending", "Intake done", 1)
    fewer = html[: html.rindex("<tr")]
    for broken in (no_link, changed, fewer):
        assert golden.table_rows(broken, labels) != expected
    assert Appointment.objects.exists()
