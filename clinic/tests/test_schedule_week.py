"""The week view (issue 19): a location's week as the day view's 15-minute grid, a
sub-column per practitioner per day; free time books, time off and other hours do not."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import AppointmentType, Location, TimeOff, WorkingHours
from clinic.permissions import Role
from clinic.tests import golden
from clinic.tests.factories import (
    PatientFactory,
    make_patient,
    make_practitioner,
    write_appointment,
)

pytestmark = pytest.mark.django_db

WEEK_URL = reverse("clinic:schedule_week")
MINUTE = dt.timedelta(minutes=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def monday() -> dt.date:
    """The Monday of a week wholly ahead (so every free slot in it is bookable)."""
    today = timezone.localdate()
    return today + dt.timedelta(days=14 - today.weekday())


@pytest.fixture
def clinic(physio):
    """Main clinic: Maya (Mon-Fri 08-18) and Omar (Mon-Fri 09-17); another location."""
    main = Location.objects.get_or_create(name="Main clinic")[0]
    Location.objects.get_or_create(name="West side")
    maya = make_practitioner(physio, location=main, hours=((0, 4), (8, 18)), name="Maya Chen")
    omar = make_practitioner(location=main, hours=((0, 4), (9, 17)), name="Omar Haddad")
    return main, maya, omar


def week_grid(page: str) -> dict[tuple[str, str], dict[str, dict]]:
    """The page's week grid as {(day header, practitioner header): {"HH:MM": cell}}: the
    cell of each column at each row's time, rows covered by a visit above left out."""
    table = page[page.index("<table") : page.index("</table>")]
    rows = golden.table_rows(table)
    days, staff, body = rows[0], rows[1], rows[2:]
    day_of_column = []
    for cell in days["cells"][1:]:  # after the time column
        day_of_column += [cell["text"].removesuffix(" Today")] * int(
            cell["attrs"].get("colspan", 1)
        )
    columns = [
        (day, cell["inside"][0]["text"] if cell["inside"] else cell["text"])
        for day, cell in zip(day_of_column, staff["cells"], strict=True)
    ]
    grid: dict[tuple[str, str], dict[str, dict]] = {column: {} for column in columns}
    covered = [0] * len(columns)  # rows still covered by a visit above, per column
    for row in body:
        time = row["attrs"]["data-time"]
        cells = iter(row["cells"][1:])
        for index, column in enumerate(columns):
            if covered[index]:
                covered[index] -= 1
                continue
            cell = next(cells)
            grid[column][time] = cell
            covered[index] = int(cell["attrs"].get("rowspan", 1)) - 1
        assert next(cells, None) is None, f"a row of {time} has cells left over"
    return grid


def label(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def get_week(client, **params):
    response = client.get(WEEK_URL, params)
    assert response.status_code == 200
    return response, response.content.decode()


def test_a_visit_shows_in_its_day_and_practitioners_column(client_for, front_desk, clinic, monday):
    main, maya, omar = clinic
    wednesday = monday + dt.timedelta(days=2)
    follow_up = AppointmentType.objects.get(name="Follow-up")
    patient = make_patient(legal_first_name="Wendy", legal_last_name="Wednesday")
    write_appointment(patient, omar, at(wednesday, 10), follow_up, by=front_desk)
    response, page = get_week(client_for(front_desk), date=wednesday.isoformat(), location=main.pk)
    grid = week_grid(page)
    assert [day.day for day in response.context["week"].days] == [
        monday + dt.timedelta(days=offset) for offset in range(5)
    ]  # nobody works at the weekend: Saturday and Sunday are left out
    assert len(grid) == 5 * 2
    visit = grid[(label(wednesday), "Omar Haddad")]["10:00"]
    assert "appt-cell" in visit["attrs"]["class"]
    assert "Wendy Wednesday" in visit["text"]
    assert "Intake pending." in visit["text"]  # the day view's state icons and their words
    assert visit["attrs"]["rowspan"] == str(follow_up.duration // dt.timedelta(minutes=15))
    # Maya's column comes first each day: it starts the day (a thicker line on its left).
    assert grid[(label(wednesday), "Maya Chen")]["10:00"]["attrs"]["class"] == (
        "slot-free day-start"
    )
    assert grid[(label(wednesday), "Omar Haddad")]["10:30"]["attrs"]["class"] == "slot-free"
    elsewhere = [
        cells for column, cells in grid.items() if column != (label(wednesday), "Omar Haddad")
    ]
    assert all("Wendy" not in cell["text"] for cells in elsewhere for cell in cells.values())


def test_a_free_slot_opens_the_booking_form_with_practitioner_location_and_start(
    client_for, front_desk, clinic, monday
):
    main, maya, omar = clinic
    thursday = monday + dt.timedelta(days=3)
    client = client_for(front_desk)
    _, page = get_week(client, date=monday.isoformat(), location=main.pk)
    cell = week_grid(page)[(label(thursday), "Omar Haddad")]["11:15"]
    link = next(element for element in cell["inside"] if element["tag"] == "a")
    back = f"{WEEK_URL}?date={monday.isoformat()}&location={main.pk}"
    expected = (
        f"{reverse('clinic:appointment_new')}?practitioner={omar.pk}&location={main.pk}"
        f"&start={thursday.isoformat()}T11:15&{urlencode({'next': back})}"
    )
    assert link["attrs"]["href"] == expected
    assert link["attrs"]["hx-get"] == expected  # the modal, with JavaScript
    opened = client.get(expected)
    form = opened.context["form"]
    assert form["practitioner"].value() == omar.pk
    assert form["location"].value() == main.pk
    assert form["date"].value() == thursday
    assert form["time"].value() == dt.time(11, 15)
    # Booked from the week, the desk comes back to the week (not the day view).
    assert f'<input type="hidden" name="next" value="{html.escape(back)}">' in (
        opened.content.decode()
    )
    follow_up = AppointmentType.objects.get(name="Follow-up")
    booked = client.post(
        reverse("clinic:appointment_new"),
        {
            "patient": make_patient().pk,
            "practitioner": omar.pk,
            "location": main.pk,
            "type": follow_up.pk,
            "date": thursday.isoformat(),
            "time": "11:15",
            "note": "",
            "next": back,
        },
    )
    assert booked.status_code == 302
    assert booked["Location"] == back
    assert omar.appointments.get().start == at(thursday, 11, 15)
    # Outside Omar's hours (09:00-17:00), within Maya's: shaded, no link.
    early = week_grid(page)[(label(thursday), "Omar Haddad")]["08:15"]
    assert early["attrs"]["class"] == "slot-closed"
    assert early["inside"] == []


def test_time_off_is_shaded_and_not_bookable(client_for, front_desk, clinic, monday):
    main, maya, omar = clinic
    tuesday = monday + dt.timedelta(days=1)
    TimeOff.objects.create(practitioner=maya, start=at(tuesday, 0), end=at(tuesday, 23, 59))
    TimeOff.objects.create(
        practitioner=omar, start=at(tuesday, 12), end=at(tuesday, 14), kind="other"
    )
    _, page = get_week(client_for(front_desk), date=monday.isoformat(), location=main.pk)
    grid = week_grid(page)
    assert "Away: holiday" in page
    away = grid[(label(tuesday), "Maya Chen")]
    assert {cell["attrs"]["class"] for cell in away.values()} == {"slot-closed day-start"}
    assert all(not cell["inside"] for cell in away.values())
    lunch = grid[(label(tuesday), "Omar Haddad")]
    for time in ("12:00", "12:30", "13:45"):
        assert lunch[time]["attrs"]["class"] == "slot-closed"
        assert lunch[time]["inside"] == []
    assert lunch["11:45"]["attrs"]["class"] == "slot-free"
    assert f"start={tuesday.isoformat()}T14:00&" in lunch["14:00"]["inside"][0]["attrs"]["href"]
    # The other days are bookable as usual.
    assert grid[(label(monday), "Maya Chen")]["12:00"]["inside"]


def test_past_free_time_is_not_bookable(client_for, front_desk, clinic):
    main, maya, omar = clinic
    last_week = timezone.localdate() - dt.timedelta(days=7)
    _, page = get_week(client_for(front_desk), date=last_week.isoformat(), location=main.pk)
    assert 'class="slot-free' in page
    assert "slot-link" not in page


def test_one_practitioner_shows_only_theirs(client_for, front_desk, clinic, monday):
    main, maya, omar = clinic
    follow_up = AppointmentType.objects.get(name="Follow-up")
    write_appointment(make_patient(legal_first_name="Mayaspatient"), maya, at(monday, 9), follow_up,
                      by=front_desk)  # fmt: skip
    write_appointment(make_patient(legal_first_name="Omarspatient"), omar, at(monday, 9), follow_up,
                      by=front_desk)  # fmt: skip
    client = client_for(front_desk)
    response, page = get_week(client, date=monday.isoformat(), location=main.pk)
    assert response.context["week"].practitioner is None
    assert (
        '<option value="">All practitioners</option>' in page
    )  # the default: nothing else selected
    assert "Mayaspatient" in page
    assert "Omarspatient" in page
    response, page = get_week(
        client, date=monday.isoformat(), location=main.pk, practitioner=maya.pk
    )
    grid = week_grid(page)
    assert {practitioner for _, practitioner in grid} == {"Maya Chen"}
    assert len(grid) == 5
    assert "Mayaspatient" in page
    assert "Omarspatient" not in page
    assert f'<option value="{maya.pk}" selected>Maya Chen</option>' in page


def test_a_weekend_shows_when_someone_works_then(client_for, front_desk, clinic, monday):
    main, maya, omar = clinic
    WorkingHours.objects.create(
        practitioner=omar, location=main, weekday=5, start=dt.time(9), end=dt.time(13)
    )
    response, page = get_week(client_for(front_desk), date=monday.isoformat(), location=main.pk)
    days = response.context["week"].days
    assert [day.day.weekday() for day in days] == [0, 1, 2, 3, 4, 5]
    assert [column.practitioner for column in days[5].columns] == [omar]
    # With Maya alone chosen, Saturday is hers to leave out again.
    response, _ = get_week(
        client_for(front_desk), date=monday.isoformat(), location=main.pk, practitioner=maya.pk
    )
    assert len(response.context["week"].days) == 5


def test_the_pickers_work_without_javascript(client_for, front_desk, clinic, monday):
    """The form is a plain GET form with a Go button (hidden by static/js/schedule.js, which
    submits on change): its fields, sent as a browser without JavaScript sends them, show
    the chosen week, location and practitioner."""
    main, maya, omar = clinic
    west = Location.objects.get(name="West side")
    make_practitioner(location=west, hours=((0, 4), (10, 16)), name="Li Wei")
    client = client_for(front_desk)
    _, page = get_week(client, location=main.pk)
    start = page.index('<form method="get" class="d-flex flex-wrap gap-2" data-autosubmit>')
    form = page[start : page.index("</form>", start)]
    assert re.search(r'<button class="btn btn-primary" type="submit" data-autosubmit-hide>Go', form)
    for name in ("date", "location", "practitioner"):
        assert f'name="{name}"' in form
    thursday = monday + dt.timedelta(days=3)
    response, page = get_week(client, date=thursday.isoformat(), location=west.pk, practitioner="")
    week = response.context["week"]
    assert week.monday == monday
    assert week.location == west
    assert {c.practitioner.display_name for day in week.days for c in day.columns} == {"Li Wei"}
    # A practitioner who does not work at the chosen location: everyone there instead.
    response, _ = get_week(
        client, date=thursday.isoformat(), location=west.pk, practitioner=maya.pk
    )
    assert response.context["week"].practitioner is None


def test_day_and_week_link_to_each_other_keeping_location_practitioner_and_date(
    client_for, front_desk, clinic, monday
):
    main, maya, omar = clinic
    client = client_for(front_desk)
    wednesday = monday + dt.timedelta(days=2)
    _, page = get_week(client, date=wednesday.isoformat(), location=main.pk, practitioner=maya.pk)
    day_link = (
        f"{reverse('clinic:desk_today')}?date={wednesday.isoformat()}&amp;location={main.pk}"
        f"&amp;practitioner={maya.pk}"
    )
    assert f'<a href="{day_link}">{label(wednesday)}</a>' in page
    day_page = client.get(html.unescape(day_link))
    assert day_page.status_code == 200
    assert day_page.context["schedule"].day == wednesday
    week_link = (
        f"{WEEK_URL}?date={wednesday.isoformat()}&amp;location={main.pk}&amp;practitioner={maya.pk}"
    )
    assert week_link in day_page.content.decode()
    # The day view's own navigation keeps the choice for the way back.
    assert f"&amp;practitioner={maya.pk}" in day_page.content.decode().split("Previous day")[0]


def test_a_physios_my_week_opens_at_their_location(client_for, physio, clinic, monday):
    """ "My week" (the physiotherapist's day page) names only the practitioner."""
    main, maya, omar = clinic
    west = Location.objects.get(name="West side")
    li = make_practitioner(location=west, hours=((0, 4), (10, 16)), name="Li Wei")
    response, _ = get_week(client_for(physio), practitioner=li.pk)
    assert response.context["week"].location == west
    assert response.context["week"].practitioner == li


def test_todays_week_marks_today(client_for, front_desk, clinic):
    main, maya, omar = clinic
    today = timezone.localdate()
    for practitioner in (maya, omar):  # someone works today, whatever day it is
        WorkingHours.objects.get_or_create(
            practitioner=practitioner, location=main, weekday=today.weekday(),
            defaults={"start": dt.time(8), "end": dt.time(18)},
        )  # fmt: skip
    response, page = get_week(client_for(front_desk), location=main.pk)
    assert response.context["shows_today"]
    assert "data-today" in page
    today_cells = [
        cell
        for (day, _), cells in week_grid(page).items()
        if day == label(today)
        for cell in cells.values()
    ]
    assert today_cells
    assert all("is-today" in cell["attrs"]["class"] for cell in today_cells)


def _fill_week(monday, desk, practitioners: int, per_day: int, days: int) -> None:
    main = Location.objects.get(name="Main clinic")
    kind = AppointmentType.objects.get(name="Follow-up")
    for p in range(practitioners):
        practitioner = make_practitioner(
            location=main, hours=((0, 6), (7, 20)), name=f"Physio {p:02d}"
        )
        TimeOff.objects.create(
            practitioner=practitioner, start=at(monday, 7), end=at(monday, 8), kind="other"
        )
        for d in range(days):
            for a in range(per_day):
                write_appointment(
                    make_patient(legal_first_name=f"P{p}d{d}a{a}", email=""),
                    practitioner, at(monday + dt.timedelta(days=d), 8, 0) + 30 * a * MINUTE,
                    kind, by=desk, location=main,
                )  # fmt: skip


def _week_queries(client, monday, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(WEEK_URL, {"date": monday.isoformat(), **params})
    assert response.status_code == 200
    return len(queries)


def test_week_view_query_count_does_not_grow_with_days_practitioners_or_visits(
    client_for, front_desk, clinic, monday
):
    main, maya, omar = clinic
    client = client_for(front_desk)
    _fill_week(monday, front_desk, practitioners=1, per_day=1, days=1)
    small = _week_queries(client, monday, location=main.pk)
    small_one = _week_queries(client, monday, location=main.pk, practitioner=maya.pk)
    _fill_week(monday, front_desk, practitioners=8, per_day=10, days=7)
    large = _week_queries(client, monday, location=main.pk)
    large_one = _week_queries(client, monday, location=main.pk, practitioner=maya.pk)
    assert small == large, f"{small} queries with a little data, {large} with more"
    assert small_one == large_one
    assert large <= 10, f"{large} queries, over the week view's budget of 10"
    page = client.get(WEEK_URL, {"date": monday.isoformat(), "location": main.pk})
    assert page.content.decode().count('class="appt-cell') == 1 + 8 * 10 * 7
    assert len(page.context["week"].days) == 7  # visits and hours at the weekend


@pytest.mark.parametrize(
    ("role", "status"), [(Role.FRONT_DESK, 200), (Role.PHYSIO, 200), (Role.PATIENT, 403)]
)
def test_who_may_open_the_week(client_for, make_user, clinic, role, status):
    user = make_user(role)
    if role == Role.PATIENT:
        PatientFactory(user=user)
    assert client_for(user).get(WEEK_URL).status_code == status
