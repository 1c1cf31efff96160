"""The clinic dashboard (issue 20, acceptance 7): every figure equals a hand count on a small
fixed data set, the CSV equals the page's table, the query count is the same at 1x and 10x
data, who may see what, and bad filters are form errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import (
    Appointment,
    AppointmentType,
    CarePlan,
    Location,
    OutcomeScore,
    WaitlistEntry,
)
from clinic.permissions import Role
from clinic.selectors.dashboard import DashboardFilters, clinic_dashboard
from clinic.services import appointment_cancel, plan_outcomes_refresh
from clinic.tests.budgets import assert_constant, render_counted
from clinic.tests.factories import (
    UserFactory,
    make_patient,
    make_practitioner,
    verified_client,
    write_appointment,
)

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")
START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 29)
RANGE = {"date_from": "2026-03-02", "date_to": "2026-03-29"}
S = Appointment.Status


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=VANCOUVER)


class World:
    """Two physiotherapists (Avery at Main clinic and Downtown, Blake at Main clinic), seven
    patients, their visits and plans of care; the hand counts are in test_hand_counts."""

    def __init__(self, physio_user, desk_user):
        self.main = Location.objects.get_or_create(name="Main clinic")[0]
        self.downtown = Location.objects.create(name="Downtown")
        self.avery = make_practitioner(physio_user, location=self.main, name="Avery Physio")
        self.avery.locations.add(self.downtown)
        self.blake = make_practitioner(location=self.main, name="Blake Physio")
        self.desk = desk_user
        self.kind = AppointmentType.objects.get(name="IMS treatment")
        self.n = 0
        self.shift = dt.timedelta(0)

    def patient(self):
        self.n += 1
        return make_patient(legal_first_name="Pat", legal_last_name=f"Number{self.n}")

    def visit(self, patient, who, when, status=S.COMPLETED, *, location=None, **fields):
        when += self.shift  # each copy half an hour later: no overlaps (PostgreSQL)
        if "cancelled_at" in fields:
            fields["cancelled_at"] += self.shift
        return write_appointment(
            patient,
            who,
            when,
            self.kind,
            by=self.desk,
            location=location or self.main,
            status=status,
            **fields,
        )

    def plan(self, patient, who, started, **fields):
        return CarePlan.objects.create(
            patient=patient,
            practitioner=who,
            condition="Low back pain",
            region="low_back",
            goals="Walk to work.",
            measure=fields.pop("measure", "QUICKDASH"),
            started_on=started,
            created_by=self.desk,
            **fields,
        )

    def score(self, patient, code, value, when):
        return OutcomeScore.objects.create(
            patient=patient,
            instrument=code,
            value=Decimal(value),
            maximum=Decimal(100),
            higher_is_worse=True,
            recorded_at=when,
        )

    def build(self, repeat: int = 1):
        """The fixed data set; `repeat` more copies (other patients, same practitioners)
        for the query budget."""
        for _ in range(repeat):
            self._one()
            self.shift += dt.timedelta(minutes=30)
        # Plans and scores are written directly here, so their MCID verdicts are judged as
        # the discharge and scoring services would.
        plan_outcomes_refresh()

    def filled_from_waitlist(self, appointment):
        return WaitlistEntry.objects.create(
            patient=appointment.patient,
            type=self.kind,
            earliest_date=appointment.local_date - dt.timedelta(days=7),
            status=WaitlistEntry.Status.BOOKED,
            appointment=appointment,
            created_by=self.desk,
        )

    def _one(self):
        avery, blake, downtown = self.avery, self.blake, self.downtown
        p1, p2, p3, p4, p5, p6, p7 = (self.patient() for _ in range(7))
        # Plan 2: P1 with Avery, discharged in range (goals met), 2 visits, MCID reached.
        plan2 = self.plan(
            p1,
            avery,
            dt.date(2026, 2, 20),
            status="discharged",
            discharge_reason="goals_met",
            discharged_on=dt.date(2026, 3, 3),
            baseline_score=Decimal("40"),
        )
        self.visit(p1, avery, at(2, 20), plan=plan2)  # before the range
        self.visit(p1, avery, at(3, 3), plan=plan2)  # visit, not new
        self.visit(p1, avery, at(4, 2))  # after the range
        self.score(p1, "QUICKDASH", "20", at(3, 3, 10))  # 20 better: MCID 15.9 reached
        # Plan 1: P2 with Avery, started in range, first visit at Main clinic.
        plan1 = self.plan(p2, avery, dt.date(2026, 3, 4))
        self.visit(p2, avery, at(3, 4), plan=plan1)  # new patient
        downtown_visit = self.visit(p2, avery, at(3, 11), location=downtown, plan=plan1)
        self.filled_from_waitlist(downtown_visit)  # a waitlist fill, Downtown
        # P3: no-show with Avery, then first completed visit with Blake (new for Blake).
        self.visit(p3, avery, at(3, 5), S.NO_SHOW)
        plan4 = self.plan(
            p3,
            blake,
            dt.date(2026, 3, 12),
            status="discharged",
            discharge_reason="patient_choice",
            discharged_on=dt.date(2026, 3, 26),
            baseline_score=Decimal("50"),
            measure="NDI",
        )
        self.visit(p3, blake, at(3, 12), plan=plan4)
        self.score(p3, "NDI", "45", at(3, 20))  # 5 better: below the NDI's MCID (19)
        # P4: a late cancellation (2 hours' notice) with Avery; a plan at Downtown that was
        # discharged (plateau) in range, 2 visits, no score after the baseline.
        self.visit(
            p4, avery, at(3, 6, 10), S.CANCELLED, cancelled_at=at(3, 6, 8), cancelled_by=self.desk
        )
        plan7 = self.plan(
            p4,
            avery,
            dt.date(2026, 2, 1),
            status="discharged",
            discharge_reason="plateau",
            discharged_on=dt.date(2026, 3, 20),
            baseline_score=Decimal("30"),
        )
        self.visit(p4, avery, at(2, 2), location=downtown, plan=plan7)
        self.visit(p4, avery, at(2, 9), location=downtown, plan=plan7)
        # P5: cancelled with a week's notice (not late); a plan started in range, no visit.
        cancelled = self.visit(
            p5, avery, at(3, 7, 10), S.CANCELLED, cancelled_at=at(3, 1), cancelled_by=self.desk
        )
        self.filled_from_waitlist(cancelled)  # booked from the waitlist, then cancelled: no fill
        self.plan(p5, avery, dt.date(2026, 3, 20))
        # P6: an active plan with nothing seen but a booking after the range: not dropped.
        plan5 = self.plan(p6, blake, dt.date(2026, 1, 10))
        self.visit(p6, blake, at(4, 10), S.BOOKED, plan=plan5)
        # P7: an active plan, last seen in January, nothing booked: dropped.
        plan3 = self.plan(p7, blake, dt.date(2026, 1, 5))
        self.visit(p7, blake, at(1, 5), plan=plan3)


@pytest.fixture
def world(physio, front_desk):
    found = World(physio, front_desk)
    found.build()
    return found


HAND_COUNTS = [
    # practitioner, location, new, visits, no-show, late-cancel, started, completed,
    # dropped, sessions per completed course, reached MCID, waitlist
    ["Avery Physio", "Downtown", "0", "1", "0.0%", "0.0%", "0", "1", "0", "2.0", "-", "1"],
    ["Avery Physio", "Main clinic", "1", "2", "33.3%", "25.0%", "1", "1", "0", "2.0",
     "100.0% (1 of 1)", "0"],
    ["Avery Physio", "No visit yet", "0", "0", "-", "-", "1", "0", "0", "-", "-", "0"],
    ["Blake Physio", "Main clinic", "1", "1", "0.0%", "0.0%", "1", "0", "2", "-",
     "0.0% (0 of 1)", "0"],
    ["Total", "All", "2", "4", "20.0%", "16.7%", "3", "2", "2", "2.0", "50.0% (1 of 2)", "1"],
]  # fmt: skip


def test_hand_counts(world):
    board = clinic_dashboard(DashboardFilters(start=START, end=END))
    table = board.table()
    assert table[0][:4] == ["Practitioner", "Location", "New patients", "Visits"]
    assert table[1:] == HAND_COUNTS
    assert board.reference_day == END


def test_filters_narrow_to_a_location_and_a_practitioner(world):
    at_downtown = clinic_dashboard(DashboardFilters(START, END, location_id=world.downtown.pk))
    assert [r[:2] for r in at_downtown.table()[1:-1]] == [["Avery Physio", "Downtown"]]
    blake = clinic_dashboard(DashboardFilters(START, END, practitioner_id=world.blake.pk))
    assert blake.table()[1:] == [HAND_COUNTS[3], ["Total", "All", *HAND_COUNTS[3][2:]]]


def test_a_booking_ahead_keeps_a_quiet_plan_from_dropping(world):
    """Read as of 15 February: P7's plan (last visit 5 January, nothing booked) has gone
    quiet; P6's (no visit, but one booked for April) has not, until that booking is
    cancelled. Plans started less than 21 days before are never counted."""
    as_of_february = DashboardFilters(dt.date(2026, 2, 1), dt.date(2026, 2, 15))
    assert clinic_dashboard(as_of_february).total.dropped == 1
    for booked in Appointment.objects.filter(status=S.BOOKED):
        appointment_cancel(appointment=booked, reason="Moved away", by=world.desk)
    assert clinic_dashboard(as_of_february).total.dropped == 2
    too_soon = DashboardFilters(dt.date(2026, 1, 1), dt.date(2026, 1, 20))
    assert clinic_dashboard(too_soon).total.dropped == 0


class _Table(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.inside = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data.strip()


def page_table(html: str) -> list[list[str]]:
    parser = _Table()
    parser.feed(html)
    return [row for row in parser.rows if row]


def test_csv_equals_the_page_table(world, clinic_admin):
    client = verified_client(clinic_admin)
    page = client.get(reverse("clinic:dashboard"), RANGE)
    assert page.status_code == 200
    shown = page_table(page.content.decode())
    download = client.get(reverse("clinic:dashboard_csv"), RANGE)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows == shown
    assert rows[1:] == HAND_COUNTS
    # Three charts, each with its figures in words for a screen reader.
    html = page.content.decode()
    assert html.count('role="img"') == 3
    assert "Avery Physio: visits 3, new patients 1" in html


def test_query_count_is_the_same_at_1x_and_10x(physio, front_desk, clinic_admin):
    found = World(physio, front_desk)
    found.build()
    client = verified_client(clinic_admin)
    url = reverse("clinic:dashboard")
    small = render_counted(client, url, RANGE)
    found.build(repeat=9)
    large = render_counted(client, url, RANGE)
    # Session, user and roles, the form's lists, the five reads (and on PostgreSQL the
    # savepoint and SET LOCAL jit that wrap them).
    assert_constant(small, large, ceiling=18)
    table = page_table(large.html)
    assert table[-1][:4] == ["Total", "All", "20", "40"]  # ten copies of the hand counts


def test_physio_sees_only_their_own_rows(world, physio):
    client = verified_client(physio)
    page = client.get(reverse("clinic:dashboard"), RANGE)
    assert page.status_code == 200
    rows = page_table(page.content.decode())
    assert {row[0] for row in rows[1:-1]} == {"Avery Physio"}
    assert 'name="practitioner"' not in page.content.decode()
    own = client.get(reverse("clinic:dashboard"), {**RANGE, "practitioner": world.avery.pk})
    assert own.status_code == 200
    csv_rows = list(
        csv.reader(io.StringIO(client.get(reverse("clinic:dashboard_csv"), RANGE).content.decode()))
    )
    assert {row[0] for row in csv_rows[1:-1]} == {"Avery Physio"}


def test_physio_asking_for_a_colleague_is_refused(world, physio):
    client = verified_client(physio)
    for name in ("clinic:dashboard", "clinic:dashboard_csv"):
        response = client.get(reverse(name), {**RANGE, "practitioner": world.blake.pk})
        assert response.status_code == 403


def test_a_physio_without_a_practitioner_record_sees_nothing(world):
    stranger = UserFactory(roles={Role.PHYSIO})
    page = verified_client(stranger).get(reverse("clinic:dashboard"), RANGE)
    assert page.status_code == 200
    assert page_table(page.content.decode())[1][0] == "Nothing in this range."


@pytest.mark.parametrize("who", ["front_desk", "patient_user"])
def test_front_desk_and_patients_are_refused(world, who, request):
    client = verified_client(request.getfixturevalue(who))
    for name in ("clinic:dashboard", "clinic:dashboard_csv"):
        assert client.get(reverse(name)).status_code == 403


def test_the_admin_can_choose_any_practitioner(world, clinic_admin):
    client = verified_client(clinic_admin)
    page = client.get(reverse("clinic:dashboard"), {**RANGE, "practitioner": world.blake.pk})
    assert page.status_code == 200
    assert page_table(page.content.decode())[1][:2] == ["Blake Physio", "Main clinic"]


def test_the_default_range_is_the_last_90_days(clinic_admin):
    page = verified_client(clinic_admin).get(reverse("clinic:dashboard"))
    assert page.status_code == 200
    board = page.context["board"]
    assert (board.filters.end - board.filters.start).days == 89


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date_from": "2026-03-29", "date_to": "2026-03-02"}, "date_to", "before its start"),
        ({"date_from": "1026-03-02", "date_to": "2026-03-02"}, "date_from", "between"),
        ({"date_from": "2020-01-01", "date_to": "2026-03-02"}, "date_from", "three years"),
        ({"date_from": "soon", "date_to": "2026-03-02"}, "date_from", "valid date"),
        ({**RANGE, "location": "nowhere"}, "location", "valid choice"),
        ({**RANGE, "practitioner": "99999"}, "practitioner", "valid choice"),
    ],
)
def test_bad_filters_are_form_errors(clinic_admin, data, field, message):
    client = verified_client(clinic_admin)
    for name, status in (("clinic:dashboard", 200), ("clinic:dashboard_csv", 422)):
        response = client.get(reverse(name), data)
        assert response.status_code == status
        assert response.context["board"] is None
        assert message in " ".join(response.context["form"].errors[field])


@pytest.mark.parametrize(
    ("latest", "verdict"), [("20", True), ("35", False), (None, None)], ids=str
)
def test_discharge_judges_the_course_against_its_mcid(physio, front_desk, latest, verdict):
    """The dashboard reads CarePlan.reached_mcid: the discharge service judges it (QuickDASH
    baseline 40, MCID 15.9: 20 reaches it, 35 does not, no score cannot be judged)."""
    from clinic.services import care_plan_discharge

    found = World(physio, front_desk)
    patient = found.patient()
    today = dt.date.today()
    plan = found.plan(
        patient, found.avery, today - dt.timedelta(days=30), baseline_score=Decimal("40")
    )
    if latest is not None:
        found.score(patient, "QUICKDASH", "10", at(1, 1))  # before the course: not counted
        found.score(patient, "QUICKDASH", latest, dt.datetime.now(VANCOUVER))
    discharged = care_plan_discharge(plan=plan, by=physio, reason="goals_met")
    assert discharged.reached_mcid is verdict
    assert CarePlan.objects.get(pk=plan.pk).reached_mcid is verdict


def test_the_nightly_rebuild_recounts_facts_written_around_the_services(world, settings):
    """A change made in the admin or a shell bypasses the per-write refreshes; the nightly
    beat job (dashboard-facts-rebuild) counts every fact again from the rows."""
    from clinic.models import DashboardDay
    from clinic.tasks import dashboard_facts_rebuild_task

    assert "dashboard-facts-rebuild" in settings.CELERY_BEAT_SCHEDULE
    before = clinic_dashboard(DashboardFilters(start=START, end=END)).table()
    DashboardDay.objects.update(visits=99)
    CarePlan.objects.update(completed_visits=0, reached_mcid=None, first_location=None)
    assert clinic_dashboard(DashboardFilters(start=START, end=END)).table() != before

    dashboard_facts_rebuild_task()  # what the worker runs at 03:10

    assert clinic_dashboard(DashboardFilters(start=START, end=END)).table() == before
    assert before[1:] == HAND_COUNTS


def test_the_plan_services_keep_the_course_counts(physio, front_desk):
    """CourseDay follows the services without a rebuild: a plan written, its start moved,
    then discharged, counts on the right days."""
    from clinic import services

    found = World(physio, front_desk)
    patient = found.patient()
    today = timezone.localdate()
    plan = services.care_plan_create(
        patient=patient,
        practitioner=found.avery,
        by=physio,
        condition="Neck pain",
        region="neck",
        goals="Turn the head to drive.",
        measure="NDI",
        sessions_planned=8,
        remeasure_every=4,
        started_on=today - dt.timedelta(days=40),
    )
    last_month = DashboardFilters(start=today - dt.timedelta(days=30), end=today)
    assert clinic_dashboard(last_month).total.started == 0  # started before the range

    services.care_plan_update(plan=plan, by=physio, started_on=today - dt.timedelta(days=20))
    assert clinic_dashboard(last_month).total.started == 1

    services.care_plan_discharge(plan=plan, by=physio, reason="goals_met")
    board = clinic_dashboard(last_month)
    assert (board.total.started, board.total.completed, board.total.dropped) == (1, 1, 0)
    assert [r.location for r in board.rows] == ["No visit yet"]


def test_the_compiled_statement_reads_what_the_queryset_reads(world):
    """The selector runs its statement compiled once per process with the values filled
    in (clinic.compiled_sql): the rows are the queryset's own for every shape, and a value
    for a filter the compiled shape lacks is refused rather than ignored."""
    from django.db import DEFAULT_DB_ALIAS

    from clinic.selectors import dashboard as module

    as_of = at(3, 30)
    values = {
        "start": START,
        "end": END,
        "as_of": as_of,
        "lately_from": as_of - dt.timedelta(days=21),
        "quiet_before": END - dt.timedelta(days=21),
    }
    narrow = {"location": world.main.pk, "practitioner": world.avery.pk}
    for shape in ((False, False), (True, False), (False, True), (True, True)):
        given = dict(values)
        if shape[0]:
            given["location"] = narrow["location"]
        if shape[1]:
            given["practitioner"] = narrow["practitioner"]
        expected = list(module._statement(shape=shape, **{**narrow, **values}))
        assert expected, shape
        found = list(module._statements.rows(shape, DEFAULT_DB_ALIAS, **given))
        assert sorted(found, key=repr) == sorted(expected, key=repr)
    with pytest.raises(ValueError, match="location"):
        list(module._statements.rows((False, False), DEFAULT_DB_ALIAS, location=1, **values))
