"""The clinic dashboard (issue 20): how each practitioner's work went at each location over
a date range, for the clinic admin (everyone) and a physiotherapist (their own rows).

Definitions, written once here (the page's footnotes say the same in plain words). The
range is a span of clinic-local calendar days, both ends included; "the day the range
looks back from" (the reference day) is its last day, or today if that is later.

- Visit: an appointment in the range marked completed.
- New patient: a patient whose first completed visit at the clinic, ever, falls in the
  range; counted on that first visit's practitioner and location. (Not the first
  appointment: a first booking that was cancelled or missed brought no patient in.)
- No-show rate: no-shows / (completed visits + no-shows), appointments in the range.
- Late cancellation: cancelled with less notice than ClinicPolicy.cancellation_notice_hours
  (clinic.selectors.scheduling.late_cancellation, the rule the attendance record uses);
  late-cancel rate: late cancellations / (completed + no-shows + late cancellations).
- Courses are plans of care (CarePlan), counted on the plan's practitioner and the
  location of the plan's first appointment (a plan with none yet: "no visit yet").
  Started: started_on in the range. Completed: discharged in the range for any reason but
  the patient's choice (goals met, plateau, referred on, other: the physiotherapist ended
  the course). Dropped: discharged in the range at the patient's choice, or, as of the
  reference day, still active, started at least DROPPED_AFTER days before it, with no
  completed visit of the patient in the DROPPED_AFTER days up to it and nothing booked
  after it (issue 20: "no visit for 21 days and no future booking"). The second kind is
  the plan's state now, read back to the reference day: a plan discharged since is not
  counted as dropped then.
- Average sessions per completed course: completed appointments of the plan, averaged
  over the completed courses.
- MCID share: of the plans discharged in the range (any reason) with a baseline score and
  a score on the plan's measure recorded between its start and its discharge, the share
  whose latest such score improved on the baseline by at least the measure's MCID, read
  by clinic.outcomes.change_from_baseline (MCIDs and their sources: the measure modules
  in clinic/outcomes/measures/). Judged once per plan, at discharge or when a score is
  recorded (CarePlan.reached_mcid).
- Waitlist fills: visits in the range booked from the waitlist (by the desk from a
  cancelled slot's matches, or by a patient taking an e-mailed offer) and not cancelled
  since; counted on the visit's practitioner and location.

Queries: four whatever the range or the data size: ClinicPolicy, one statement of every
figure grouped by practitioner and location (a UNION ALL of four parts), and the names of
the practitioners and locations found. Facts that would cost a look-up per row are
precomputed by the services that change them (clinic.services.dashboard_facts): a
patient's first completed visit, a plan's first location, completed visits, MCID verdict
and the patient's latest visit and booking, and the daily counts of visits, no-shows and
late cancellations (DashboardDay) and of courses (CourseDay).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, router, transaction
from django.db.models import Count, IntegerField, Sum, Value
from django.utils import timezone

from clinic.compiled_sql import CompiledQuery
from clinic.models import (
    Appointment,
    CarePlan,
    ClinicPolicy,
    CourseDay,
    DashboardDay,
    Location,
    Practitioner,
    WaitlistEntry,
)

DROPPED_AFTER = 21  # days without a visit (issue 20)
DEFAULT_DAYS = 90
NO_VISIT_YET = "No visit yet"
Status = Appointment.Status


@dataclass(frozen=True)
class DashboardFilters:
    start: dt.date
    end: dt.date
    location_id: int | None = None
    practitioner_id: int | None = None

    @classmethod
    def default(cls, **kwargs) -> DashboardFilters:
        today = timezone.localdate()
        return cls(start=today - dt.timedelta(days=DEFAULT_DAYS - 1), end=today, **kwargs)


@dataclass
class DashboardRow:
    practitioner: str
    location: str
    new_patients: int = 0
    visits: int = 0
    no_shows: int = 0
    late_cancels: int = 0
    started: int = 0
    completed: int = 0
    dropped: int = 0
    completed_sessions: int = 0
    discharged_measured: int = 0
    reached_mcid: int = 0
    waitlist_fills: int = 0
    key: tuple = field(default=(), repr=False)

    def add(self, other: DashboardRow) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def no_show_rate(self) -> Decimal | None:
        return _share(self.no_shows, self.visits + self.no_shows)

    @property
    def late_cancel_rate(self) -> Decimal | None:
        return _share(self.late_cancels, self.visits + self.no_shows + self.late_cancels)

    @property
    def sessions_per_course(self) -> Decimal | None:
        if not self.completed:
            return None
        return (Decimal(self.completed_sessions) / self.completed).quantize(Decimal("0.1"))

    @property
    def mcid_share(self) -> Decimal | None:
        return _share(self.reached_mcid, self.discharged_measured)

    def cells(self) -> list[str]:
        """The row as the page's table and the CSV show it, column for column."""
        return [
            self.practitioner,
            self.location,
            str(self.new_patients),
            str(self.visits),
            _percent(self.no_show_rate),
            _percent(self.late_cancel_rate),
            str(self.started),
            str(self.completed),
            str(self.dropped),
            "-" if self.sessions_per_course is None else str(self.sessions_per_course),
            _percent(self.mcid_share)
            + (
                f" ({self.reached_mcid} of {self.discharged_measured})"
                if self.discharged_measured
                else ""
            ),
            str(self.waitlist_fills),
        ]


COUNTS = (
    "new_patients",
    "visits",
    "no_shows",
    "late_cancels",
    "started",
    "completed",
    "dropped",
    "completed_sessions",
    "discharged_measured",
    "reached_mcid",
    "waitlist_fills",
)
HEADERS = (
    "Practitioner",
    "Location",
    "New patients",
    "Visits",
    "No-show rate",
    "Late-cancel rate",
    "Courses started",
    "Courses completed",
    "Courses dropped",
    "Sessions per completed course",
    "Reached MCID",
    "Waitlist fills",
)


@dataclass
class Dashboard:
    filters: DashboardFilters
    reference_day: dt.date
    notice_hours: int
    rows: list[DashboardRow]
    total: DashboardRow
    headers: tuple[str, ...] = HEADERS

    def table(self) -> list[list[str]]:
        """Header, one line per row, the totals: what the page shows and the CSV holds."""
        return [list(self.headers), *(r.cells() for r in self.rows), self.total.cells()]

    def by_practitioner(self) -> list[DashboardRow]:
        """The rows summed over locations, for the charts (in the table's order)."""
        merged: dict[str, DashboardRow] = {}
        for row in self.rows:
            merged.setdefault(row.practitioner, DashboardRow(row.practitioner, "")).add(row)
        return list(merged.values())


def _share(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def _percent(value: Decimal | None) -> str:
    return "-" if value is None else f"{value}%"


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@contextmanager
def _planner_settings():
    """Planner settings for these reads only (set_config(..., true) is SET LOCAL: it ends
    with the transaction), in one statement:
    - JIT off: PostgreSQL compiles a query with JIT when its estimated cost is high, and
      the per-plan subqueries here once estimated high: at seed_bench scale compiling took
      1.2 s of a 1.6 s query that runs in 0.4 s without it.
    - Parallel workers off: each worker built its own copy of the "seen lately" hash, and
      starting them cost more than the few thousand rows they shared."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('jit', 'off', true),"
            " set_config('max_parallel_workers_per_gather', '0', true)"
        )
        yield


def clinic_dashboard(filters: DashboardFilters) -> Dashboard:
    """The figures of every practitioner x location with any, and their totals (see the
    module's docstring for what each counts). Four queries whatever the data (on
    PostgreSQL one more first: JIT and parallel workers off for them)."""
    with _planner_settings():
        return _dashboard(filters)


# What each part adds to a row's figures (zero where it has nothing), by the row's attribute.
_FIGURES = {
    "visits": {"days": Sum("visits")},
    "no_shows": {"days": Sum("no_shows")},
    "new_patients": {"days": Sum("new_patients")},
    "late_cancels": {"days": Sum("late_cancels")},
    "waitlist_fills": {"fills": Count("pk")},
    "started": {"courses": Sum("started")},
    "completed": {"courses": Sum("completed")},
    "dropped": {"courses": Sum("dropped"), "quiet": Count("started_on")},
    "completed_sessions": {"courses": Sum("completed_sessions")},
    "discharged_measured": {"courses": Sum("measured")},
    "reached_mcid": {"courses": Sum("reached_mcid")},
}
_PRACTITIONER_OF = {
    "days": "practitioner_id",
    "fills": "appointment__practitioner_id",
    "courses": "practitioner_id",
    "quiet": "practitioner_id",
}
_LOCATION_OF = {
    "days": "location_id",
    "fills": "appointment__location_id",
    "courses": "location_id",
    "quiet": "first_location_id",
}


def _statement(
    *,
    shape: tuple[bool, bool],
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime,
    lately_from: dt.datetime,
    quiet_before: dt.date,
    location: int,
    practitioner: int,
):
    """Every figure grouped by practitioner and location, as one statement (UNION ALL) of
    four parts, for the range start..end; `shape` is (filtered by a location, filtered by
    a practitioner). Built once per process and shape with
    sentinel values (clinic.compiled_sql): building and compiling it took 11 ms of the
    26 ms selector at seed_bench scale (docs/PERFORMANCE.md).

    The parts: 1. visits, no-shows, late cancellations and new patients from the daily
    counts (DashboardDay, about 20 rows a day); 2. waitlist fills; 3. courses started,
    completed and dropped at the patient's choice, their visits and MCID verdicts from the
    daily course counts (CourseDay); 4. courses that went quiet: as of the reference day
    (`as_of`), still active, started at least DROPPED_AFTER days before it (on or before
    `quiet_before`), and the patient has neither a completed visit since `lately_from`
    nor anything booked after `as_of`, read from the patient's latest visit and booking
    kept on each plan (CarePlan.patient_last_visit, patient_last_booking) through the
    partial index of active plans alone.

    At seed_bench scale for a year (timed in-process, median of nine, a loaded 2-core
    machine): one aggregate over the range's ~97,000 appointments took 236 ms with a
    look-back per completed visit for "new patient"; the plans' figures took 241 ms as
    three subqueries per plan, 36 ms with per-plan facts precomputed, and a further 48 ms
    reading each discharged plan's latest score. Late cancellations read from the
    range's cancelled visits (a covering index, alone) took 3.2 ms, the quiet courses
    from a hash of the patients seen lately or booked ahead 3.5 ms; both now come from
    precomputed rows too (docs/PERFORMANCE.md)."""
    by_location, by_practitioner = shape
    in_range = (start, end)
    parts = {
        "days": DashboardDay.objects.filter(day__range=in_range),
        "fills": WaitlistEntry.objects.filter(
            status=WaitlistEntry.Status.BOOKED, appointment__local_date__range=in_range
        ).exclude(appointment__status=Status.CANCELLED),
        "courses": CourseDay.objects.filter(day__range=in_range),
        "quiet": CarePlan.objects.filter(
            status=CarePlan.Status.ACTIVE, started_on__lte=quiet_before
        )
        .exclude(patient_last_booking__gt=as_of)
        .exclude(patient_last_visit__gt=lately_from),
    }
    zero = Value(0, output_field=IntegerField())
    selects = []
    for name, part in parts.items():
        if by_location:
            part = part.filter(**{_LOCATION_OF[name]: location})
        if by_practitioner:
            part = part.filter(**{_PRACTITIONER_OF[name]: practitioner})
        keys = (_PRACTITIONER_OF[name], _LOCATION_OF[name])
        annotations = {f"n_{figure}": by.get(name, zero) for figure, by in _FIGURES.items()}
        selects.append(
            part.order_by().values(*keys).annotate(**annotations).values_list(*keys, *annotations)
        )
    return selects[0].union(*selects[1:], all=True)


_statements = CompiledQuery(
    _statement,
    {  # values no real filter takes (1900 is before any clinic's records)
        "start": dt.date(1900, 1, 2),
        "end": dt.date(1900, 1, 3),
        "quiet_before": dt.date(1900, 1, 4),
        "as_of": dt.datetime(1900, 1, 5, 7, 11, tzinfo=dt.UTC),
        "lately_from": dt.datetime(1900, 1, 6, 7, 13, tzinfo=dt.UTC),
        "location": -7340035,
        "practitioner": -7340036,
    },
)


def _dashboard(filters: DashboardFilters) -> Dashboard:
    today = timezone.localdate()
    reference = min(filters.end, today)
    as_of = timezone.now() if reference == today else _day_start(reference + dt.timedelta(days=1))
    notice_hours = ClinicPolicy.current().cancellation_notice_hours
    rows: dict[tuple, DashboardRow] = {}

    def row(practitioner_id: int, location_id: int | None) -> DashboardRow:
        key = (practitioner_id, location_id)
        if key not in rows:
            rows[key] = DashboardRow("", "", key=key)
        return rows[key]

    values = {
        "start": filters.start,
        "end": filters.end,
        "as_of": as_of,
        "lately_from": as_of - dt.timedelta(days=DROPPED_AFTER),
        "quiet_before": reference - dt.timedelta(days=DROPPED_AFTER),
    }
    if filters.location_id is not None:
        values["location"] = filters.location_id
    if filters.practitioner_id is not None:
        values["practitioner"] = filters.practitioner_id
    shape = (filters.location_id is not None, filters.practitioner_id is not None)
    for practitioner_id, location_id, *found in _statements.rows(
        shape, router.db_for_read(Appointment), **values
    ):
        target = row(practitioner_id, location_id)
        for name, value in zip(_FIGURES, found, strict=True):
            setattr(target, name, getattr(target, name) + (value or 0))

    names = dict(
        Practitioner.objects.filter(pk__in={k[0] for k in rows}).values_list("pk", "display_name")
    )
    places = dict(Location.objects.filter(pk__in={k[1] for k in rows}).values_list("pk", "name"))
    for (practitioner_id, location_id), found in rows.items():
        found.practitioner = names.get(practitioner_id, "")
        found.location = places.get(location_id, NO_VISIT_YET)
    ordered = sorted(
        rows.values(), key=lambda r: (r.practitioner, r.location == NO_VISIT_YET, r.location)
    )
    total = DashboardRow("Total", "All")
    for found in ordered:
        total.add(found)
    return Dashboard(filters, reference, notice_hours, ordered, total)
