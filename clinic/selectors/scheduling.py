"""Reads for the schedule: the front desk's day and week views, free slots, "my day".

Each page's data comes from a fixed number of queries, however many practitioners and
appointments there are (tested at 1x and 10x).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields import CharField
from django.utils import timezone

from clinic.models import (
    Appointment,
    AppointmentType,
    CarePlan,
    Consent,
    DeskNotice,
    Intake,
    Location,
    NeedlingDay,
    Patient,
    Practitioner,
    ScreeningClearance,
    SpacingAlert,
    TimeOff,
    WorkingHours,
)
from clinic.selectors.consent import consent_version_current_id

# How far ahead anyone can book: a date beyond it is a typing slip (and near year 9999 the
# conversion to UTC overflows). Defined with the other date windows; re-exported here.
from clinic.validators import BOOKING_HORIZON  # noqa: F401

SLOT_MINUTES = 15
DEFAULT_OPEN, DEFAULT_CLOSE = dt.time(8), dt.time(18)
ONLINE_LEAD = dt.timedelta(hours=2)  # patients cannot book online at the last minute


def min_interval() -> int:
    """IMS_MIN_INTERVAL_DAYS: the fewest clinic-local calendar days between IMS visits."""
    return settings.IMS_MIN_INTERVAL_DAYS


@dataclass(frozen=True, slots=True)
class Needling:
    """One needling that IMS spacing counts: a booked (or attended) IMS visit, or a signed
    session with needling sites (its NeedlingDay), or both when the session was on that
    visit. `key` names it for the spacing audit ("a<appointment id>" or "n<needling day
    id>" when there was no appointment); `overridden` when a physiotherapist recorded a
    reason on its appointment."""

    patient_id: int
    day: dt.date
    appointment_id: int | None
    needling_day_id: int | None
    overridden: bool

    @property
    def key(self) -> str:
        if self.appointment_id is not None:
            return f"a{self.appointment_id}"
        return f"n{self.needling_day_id}"


def needlings(
    patient: Patient | None = None,
    *,
    exclude_pk: int | None = None,
    counted_until: dt.date | None = None,
    overridden: bool = True,
    patient_ids: list[int] | None = None,
) -> list[Needling]:
    """THE rule for which visits count for IMS spacing, in (patient, day) order; every
    place that counts spacing (booking and rescheduling, signing, the booking modal, the
    patient page, the portal, the visit summary, the nightly audit, recall) reads it here.

    Counts, for one patient (or, for the audit, all patients):
      * IMS appointments that still hold their slot for a visit (booked, checked in,
        completed; cancelled and no-show visits do not count), as before;
      * every day the patient was actually needled: a signed session with at least one
        needling site, whatever the appointment's type was ("Initial assessment",
        "Follow-up") or with no appointment at all (NeedlingDay, written when signing).
        A draft session, or a signed one without needling sites, does not count.
    A session on an IMS appointment is one needling, dated by the session.

    `exclude_pk`: an appointment left out (the one being moved or signed). `counted_until`:
    only needlings on or before that day (the visit summary's "next session" date).
    `patient_ids`: several patients at once (the waitlist's matches for a slot), still two
    queries.
    `overridden=False` leaves out visits whose appointment carries a physiotherapist's
    override reason (the audit does not report those).

    Two queries, however many visits. Why a clinic-level NeedlingDay row rather than asking
    treatments through a registered provider: clinic must not import treatments, and a row
    in clinic's own tables is read by the booking service after it has locked the patient
    row; signing locks the same patient row before writing it, so a booking and a signing
    of one patient are decided one after the other (tested on PostgreSQL), and the audit
    and an alert can point at the row. A provider would read the same data but leave the
    rule's inputs outside clinic's own schema and constraints.
    """
    appointments = Appointment.objects.filter(
        is_ims=True, status__in=Appointment.COUNTS_FOR_SPACING
    )
    days = NeedlingDay.objects.all()
    if patient is not None:
        appointments = appointments.filter(patient=patient)
        days = days.filter(patient=patient)
    if patient_ids is not None:
        appointments = appointments.filter(patient_id__in=patient_ids)
        days = days.filter(patient_id__in=patient_ids)
    if exclude_pk:
        appointments = appointments.exclude(pk=exclude_pk)
        days = days.exclude(appointment_id=exclude_pk)
    if counted_until is not None:
        appointments = appointments.filter(local_date__lte=counted_until)
        days = days.filter(day__lte=counted_until)
    found: dict[str, Needling] = {}
    for pk, patient_id, day, reason in appointments.values_list(
        "pk", "patient_id", "local_date", "spacing_override_reason"
    ):
        found[f"a{pk}"] = Needling(patient_id, day, pk, None, bool(reason))
    for pk, patient_id, day, appointment_id, reason in days.values_list(
        "pk", "patient_id", "day", "appointment_id", "appointment__spacing_override_reason"
    ):
        needling = Needling(patient_id, day, appointment_id, pk, bool(reason))
        found[needling.key] = needling  # the session's own date wins over the booking's
    rows = found.values()
    if not overridden:
        rows = [n for n in rows if not n.overridden]
    return sorted(rows, key=lambda n: (n.patient_id, n.day, n.key))


def needling_days(
    patient: Patient, *, exclude_pk: int | None = None, counted_until: dt.date | None = None
) -> list[dt.date]:
    """The clinic-local dates that count for the patient's IMS spacing, ascending (see
    `needlings` for which visits count)."""
    found = needlings(patient, exclude_pk=exclude_pk, counted_until=counted_until)
    return sorted({n.day for n in found})


# --- A care plan's early twice-weekly allowance -----------------------------------------------

EARLY_COURSE_DAYS = 14  # "the first two weeks" of a course


@dataclass(frozen=True)
class EarlyAllowance:
    """A care plan that allows IMS twice weekly early in the course: two needlings may be
    `min_days` apart (IMS_EARLY_MIN_INTERVAL_DAYS, default 3) instead of the interval when
    BOTH fall inside the course's first two weeks, `first` .. `first` + 13 days
    (clinic-local calendar days). Outside that window the interval stands.

    `first`, the course's first day: the earliest IMS visit of the plan that counts for
    spacing (booked, checked in or completed; the visit being moved left out and the day
    it moves to put in), never before the plan's `started_on`. So a plan written at the
    assessment and started a fortnight later gets its two weeks from the first needling,
    and moving visit 1 later moves the window with it.

    Sources, and where they disagree. Gunn recommends IMS no more often than about once a
    week, the effect lasting roughly 7-10 days (C. C. Gunn, The Gunn Approach to the
    Treatment of Chronic Pain, 2nd ed., 1996; as summarised in the project's DOMAIN.md,
    the page not checked here). His controlled trial treated once or twice a week, about
    eight treatments on average (Gunn CC, Milbrandt WE, Little AS, Mason KE, Spine
    1980;5(3):279-291, as DOMAIN.md summarises it); that twice weekly belonged to the
    start of the course is not stated in what we hold, so "twice weekly for the first two
    weeks" is the clinic's pattern within the trial's range, allowed only when the
    physiotherapist writes a reason on the plan. Three days is the shortest gap that
    still gives two visits a week (Mon/Thu, Tue/Fri) without consecutive-day needling;
    it is a setting, like the interval, for a clinic whose clinicians decide otherwise."""

    plan_id: int
    first: dt.date
    min_days: int
    reason: str

    @property
    def last(self) -> dt.date:
        return self.first + dt.timedelta(days=EARLY_COURSE_DAYS - 1)

    def covers(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def allows(self, one: dt.date, other: dt.date) -> bool:
        """May needlings on these two days be closer than the interval?"""
        return self.covers(one) and self.covers(other) and abs((one - other).days) >= self.min_days

    @property
    def history_reason(self) -> str:
        """What the visit's record keeps (its spacing override reason and history)."""
        return f"{CARE_PLAN_REASON_PREFIX}{self.reason}"


# Starts the spacing override reason a plan's allowance writes on a visit, so pages (and a
# later move) can tell it from a physiotherapist's own override.
CARE_PLAN_REASON_PREFIX = "Care plan, twice weekly in the first two weeks: "


def plan_early_allowance(
    plan: CarePlan | None, *, day: dt.date, exclude_pk: int | None = None
) -> EarlyAllowance | None:
    """The plan's early twice-weekly allowance for a visit on `day` (see EarlyAllowance),
    or None: no plan, a weekly plan, or one not active. One query (the plan's first
    visit)."""
    if plan is None or not plan.is_active or not plan.twice_weekly:
        return None
    visits = Appointment.objects.filter(
        plan=plan, is_ims=True, status__in=Appointment.COUNTS_FOR_SPACING
    )
    if exclude_pk:
        visits = visits.exclude(pk=exclude_pk)
    first_visit = visits.aggregate(first=Min("local_date"))["first"]
    first = min(first_visit, day) if first_visit else day
    return EarlyAllowance(
        plan_id=plan.pk,
        first=max(first, plan.started_on),
        min_days=settings.IMS_EARLY_MIN_INTERVAL_DAYS,
        reason=plan.frequency_reason,
    )


def too_close(
    day: dt.date, dates: list[dt.date], allowance: EarlyAllowance | None = None
) -> list[dt.date]:
    """The needling days in `dates` that an IMS visit on `day` breaks the interval with
    (less than IMS_MIN_INTERVAL_DAYS apart), less those a plan's allowance permits."""
    gap = min_interval()
    return [
        other
        for other in dates
        if abs((other - day).days) < gap and not (allowance and allowance.allows(other, day))
    ]


def ims_next_eligible(
    patient: Patient,
    *,
    on_or_after: dt.date,
    exclude_pk: int | None = None,
    counted_until: dt.date | None = None,
    allowance: EarlyAllowance | None = None,
) -> dt.date:
    """The first date on or after `on_or_after` at least IMS_MIN_INTERVAL_DAYS clinic-local
    calendar days from every needling that counts (`needlings`: booked IMS visits and
    signed sessions with needling sites of any visit type), before and after it.

    The ~weekly interval: Gunn recommends IMS no more often than about once a week, the
    effect of a treatment lasting roughly 7-10 days (C. Chan Gunn, "The Gunn Approach to
    the Treatment of Chronic Pain: Intramuscular Stimulation for Myofascial Pain of
    Radiculopathic Origin", 2nd ed., Churchill Livingstone, 1996; summarised in
    the project's DOMAIN.md; the exact page was not checked here). His controlled trial treated
    once or twice a week (Gunn CC, Milbrandt WE, Little AS, Mason KE, "Dry needling of
    muscle motor points for chronic low-back pain: a randomized clinical trial with
    long-term follow-up", Spine 1980;5(3):279-291). The interval is therefore a clinic
    setting (IMS_MIN_INTERVAL_DAYS, default 7), and a physiotherapist may override it on an
    appointment with a recorded reason. The interval protects the muscle needled, not the
    appointment type, so every needling counts, not only IMS-typed bookings.

    With `allowance` (a care plan allowing twice weekly early in the course: see
    EarlyAllowance), needlings it permits closer are not counted against the day."""
    dates = needling_days(patient, exclude_pk=exclude_pk, counted_until=counted_until)
    if allowance is not None:
        # A twice-weekly plan: the first day no needling is too close to, allowance counted
        # (bounded: the interval after the last needling is always free).
        candidate = on_or_after
        while too_close(candidate, dates, allowance):
            candidate += dt.timedelta(days=1)
        return candidate
    return _next_eligible(dates, on_or_after)


def _next_eligible(dates: list[dt.date], on_or_after: dt.date) -> dt.date:
    """The first date on or after `on_or_after` at least the minimum interval from each of
    `dates` (in ascending order)."""
    gap = dt.timedelta(days=min_interval())
    candidate = on_or_after
    for day in dates:
        if abs(day - candidate) < gap:
            candidate = day + gap
    return candidate


def local_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def with_patient_status(
    appointments: QuerySet[Appointment], *, screening: bool = True
) -> QuerySet[Appointment]:
    """Annotate each appointment with its patient's intake state, current consent and an
    uncleared contraindication on the latest submitted intake (one query in all).

    `screening=False` leaves out the contraindication (`needling_blocked`), for pages that
    do not show it (the front desk's day grid)."""
    latest_intake = Intake.objects.filter(patient=OuterRef("patient_id")).order_by("-created_at")
    current = Consent.objects.filter(
        patient_id=OuterRef("patient_id"), version=consent_version_current_id()
    )
    status = {
        "intake_state": Subquery(latest_intake.values("status")[:1], output_field=CharField()),
        "consent_current": Exists(current),
    }
    if not screening:
        return appointments.annotate(**status)
    latest_submitted = Intake.objects.filter(
        patient=OuterRef("patient_id"), status=Intake.Status.SUBMITTED
    ).order_by("-submitted_at")
    through = Intake.screening_items.through
    uncleared = through.objects.filter(
        intake_id=OuterRef("latest_submitted_id"),
        screeningitem__severity="contraindication",
    ).exclude(
        Exists(
            ScreeningClearance.objects.filter(
                intake_id=OuterRef("intake_id"), item_id=OuterRef("screeningitem_id")
            )
        )
    )
    return appointments.annotate(
        intake_state=status["intake_state"],
        latest_submitted_id=Subquery(latest_submitted.values("pk")[:1]),
        consent_current=status["consent_current"],
        needling_blocked=Exists(uncleared),
    )


@dataclass(frozen=True, slots=True)
class DayAppointment:
    """What the day grid shows of an appointment: one row of a query, not a model instance
    (building the day's dozens of Appointment, Patient and AppointmentType objects cost more
    than reading them)."""

    pk: int
    practitioner_id: int
    start: dt.datetime  # clinic-local
    end: dt.datetime  # clinic-local
    status: str
    is_ims: bool
    flagged_online: bool  # booked online and not yet seen by the desk
    confirmed: bool  # the patient said they will come (reminder link, phone, desk)
    intake_state: str | None
    consent_current: bool
    patient_name: str  # Patient.display_name
    type_name: str

    def get_status_display(self) -> str:
        return _STATUS_LABELS.get(self.status, self.status)


_STATUS_LABELS = dict(Appointment.Status.choices)


@dataclass(frozen=True, slots=True)
class DeskAlert:
    """An unresolved IMS spacing alert as the day view shows it: one row of a query."""

    pk: int
    patient_name: str  # Patient.display_name
    days_apart: int
    first_date: dt.date
    second_date: dt.date


@dataclass(frozen=True, slots=True)
class OnlineBooking:
    """A booking made online that the desk has not seen yet: one row of a query."""

    pk: int
    start: dt.datetime
    patient_name: str  # Patient.display_name


@dataclass(frozen=True, slots=True)
class PatientReply:
    """A patient confirmed or cancelled a visit online, not yet seen by the desk (a
    DeskNotice): one row of a query."""

    pk: int
    kind: str  # DeskNotice.Kind
    start: dt.datetime  # the visit's
    patient_name: str  # Patient.display_name
    practitioner_name: str


_PATIENT_NAME = ("patient__preferred_name", "patient__legal_first_name", "patient__legal_last_name")


@functools.cache
def _alert_rows() -> QuerySet[SpacingAlert]:
    """The unresolved spacing alerts, newest first, with what the day view shows of them.
    Built once per process (a constant query) and read as rows, not model instances:
    0.51 -> 0.25 ms a request (CPU, timeit on the benchmark's data). Read it through a
    copy (`.all()`, `.filter()`): iterating it would keep its rows for the next request."""
    return (
        SpacingAlert.objects.filter(resolved_at__isnull=True)
        .order_by("-detected_at")
        .values_list("pk", "days_apart", "first_date", "second_date", *_PATIENT_NAME)
    )


@functools.cache
def _online_rows() -> QuerySet[Appointment]:
    """Bookings made online and not yet seen, in time order, before the "from now on"
    filter; built once per process and read as rows: 0.73 -> 0.47 ms a request (CPU)."""
    return (
        Appointment.objects.filter(
            booked_via=Appointment.Via.PORTAL,
            online_booking_seen_at__isnull=True,
            status=Appointment.Status.BOOKED,
        )
        .order_by("start")
        .values_list("pk", "start", *_PATIENT_NAME)
    )


@dataclass
class Placed:
    appointment: DayAppointment
    row: int  # 1-based grid row of the start
    span: int  # rows covered


@dataclass
class Column:
    practitioner: Practitioner
    open_rows: set[int] = field(default_factory=set)  # rows inside working hours, not off
    appointments: list[Placed] = field(default_factory=list)
    time_off: list[TimeOff] = field(default_factory=list)

    def cells(self, rows: list[dt.datetime]) -> list[dict | None]:
        """One entry per grid row: an appointment starting there (with its row span), a
        free or closed slot, or None where an appointment above covers the row."""
        starting = {placed.row: placed for placed in self.appointments}
        cells: list[dict | None] = []
        covered_until = 0
        for index, start in enumerate(rows, start=1):
            if index in starting:
                placed = starting[index]
                span = min(placed.span, len(rows) - index + 1)
                covered_until = index + span - 1
                cells.append({"kind": "appointment", "placed": placed, "span": span})
            elif index <= covered_until:
                cells.append(None)
            elif index in self.open_rows:
                cells.append(
                    {"kind": "free", "start": start, "practitioner_id": self.practitioner.pk}
                )
            else:
                cells.append({"kind": "closed", "start": start})
        return cells


@dataclass
class DaySchedule:
    day: dt.date
    location: Location
    locations: list[Location]
    rows: list[dt.datetime]
    columns: list[Column]

    @property
    def previous_day(self) -> dt.date:
        return self.day - dt.timedelta(days=1)

    @property
    def next_day(self) -> dt.date:
        return self.day + dt.timedelta(days=1)


@functools.cache
def _day_rows() -> QuerySet[Appointment]:
    """The day grid's appointment rows with their patient's status, before the day's
    filters: the fields DayAppointment takes, in its order. Built once per process (it
    depends on no request, data or setting; the consent version is a subquery) and
    filtered per request, as a queryset kept on a class-based view is: building the
    status annotations cost about 1.2 ms a request, filtering the built queryset 0.2 ms
    (timeit, the same SQL either way)."""
    return with_patient_status(Appointment.objects.all(), screening=False).values_list(
        "pk",
        "practitioner_id",
        "start",
        "end",
        "status",
        "is_ims",
        "booked_via",
        "online_booking_seen_at",
        "confirmed_at",
        "intake_state",
        "consent_current",
        "patient__preferred_name",
        "patient__legal_first_name",
        "patient__legal_last_name",
        "type__name",
    )


def _grid(day: dt.date, opens: dt.time, closes: dt.time) -> list[dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, opens, tzinfo=tz)
    end = dt.datetime.combine(day, closes, tzinfo=tz)
    rows = []
    while start < end:
        rows.append(start)
        start += dt.timedelta(minutes=SLOT_MINUTES)
    return rows


@dataclass
class _Staff:
    """The practitioners of a location with their working hours there (per weekday) and
    their time off in a span of days, as `_location_staff` reads them."""

    practitioners: dict[int, Practitioner]
    hours: dict[tuple[int, int], list[tuple[dt.time, dt.time]]]  # (practitioner, weekday)
    off: dict[int, list[TimeOff]]

    def off_on(self, practitioner_id: int, day: dt.date) -> list[TimeOff]:
        day_start, day_end = local_bounds(day)
        return [
            t for t in self.off.get(practitioner_id, []) if t.start < day_end and t.end > day_start
        ]


def _location_staff(*, location: Location, days: list[dt.date]) -> _Staff:
    """The active practitioners of `location`, in column order, with their hours there on
    the weekdays of `days` and their time off overlapping those days, in one query: a row
    per practitioner and (hours block, time off) pair, outer-joined, grouped here."""
    span_start, _ = local_bounds(days[0])
    _, span_end = local_bounds(days[-1])
    weekdays = sorted({day.weekday() for day in days})
    on_weekdays = (
        Q(working_hours__weekday=weekdays[0])
        if len(weekdays) == 1
        else Q(working_hours__weekday__in=weekdays)
    )
    staff = _Staff({}, {}, {})
    rows_read = (
        Practitioner.objects.filter(active=True, locations=location)
        .annotate(
            hours=FilteredRelation(
                "working_hours", condition=Q(working_hours__location=location) & on_weekdays
            ),
            away=FilteredRelation(
                "time_off",
                condition=Q(time_off__start__lt=span_end) & Q(time_off__end__gt=span_start),
            ),
        )
        .annotate(
            hours_weekday=F("hours__weekday"),
            hours_start=F("hours__start"),
            hours_end=F("hours__end"),
            away_id=F("away__id"),
            away_start=F("away__start"),
            away_end=F("away__end"),
            away_kind=F("away__kind"),
            away_note=F("away__note"),
        )
        .order_by(
            "order", "display_name", "pk", "hours_weekday", "hours_start", "away_start", "away_id"
        )
    )
    for row in rows_read:
        practitioner = staff.practitioners.setdefault(row.pk, row)
        if row.hours_start is not None:
            block = (row.hours_start, row.hours_end)
            blocks = staff.hours.setdefault((row.pk, row.hours_weekday), [])
            if block not in blocks:
                blocks.append(block)
        if row.away_id is not None:
            away = staff.off.setdefault(row.pk, [])
            if all(t.pk != row.away_id for t in away):
                away.append(
                    TimeOff(
                        pk=row.away_id,
                        practitioner=practitioner,
                        start=row.away_start,
                        end=row.away_end,
                        kind=row.away_kind,
                        note=row.away_note,
                    )
                )
    for away in staff.off.values():
        away.sort(key=lambda t: t.start)
    return staff


def _location_visits(
    *, location: Location, start: dt.datetime, end: dt.datetime
) -> dict[int, list[DayAppointment]]:
    """The visits (not cancelled) starting at `location` from `start` to before `end`, in
    time order, by practitioner: one query."""
    tz = timezone.get_current_timezone()
    portal = Appointment.Via.PORTAL
    by_practitioner: dict[int, list[DayAppointment]] = {}
    for (
        pk,
        practitioner_id,
        visit_start,
        visit_end,
        status,
        is_ims,
        booked_via,
        seen_at,
        confirmed_at,
        intake_state,
        consent_current,
        preferred_name,
        legal_first_name,
        legal_last_name,
        type_name,
    ) in (
        _day_rows()
        .filter(location=location, start__gte=start, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("start")
    ):
        by_practitioner.setdefault(practitioner_id, []).append(
            DayAppointment(
                pk=pk,
                practitioner_id=practitioner_id,
                start=visit_start.astimezone(tz),
                end=visit_end.astimezone(tz),
                status=status,
                is_ims=is_ims,
                flagged_online=booked_via == portal and seen_at is None,
                confirmed=confirmed_at is not None,
                intake_state=intake_state,
                consent_current=consent_current,
                patient_name=f"{preferred_name or legal_first_name} {legal_last_name}",
                type_name=type_name,
            )
        )
    return by_practitioner


def _opening(
    hours: list[tuple[dt.time, dt.time]], visits: list[DayAppointment]
) -> tuple[dt.time, dt.time]:
    """The grid's first and last times: the default day widened to every block of hours
    and every visit shown, from the hour."""
    opens = min([begins for begins, _ in hours] + [DEFAULT_OPEN])
    closes = max([ends for _, ends in hours] + [DEFAULT_CLOSE])
    for appointment in visits:
        opens = min(opens, appointment.start.time())
        closes = max(closes, appointment.end.time())
    return dt.time(opens.hour), closes


def _columns(
    *,
    day: dt.date,
    rows: list[dt.datetime],
    staff: _Staff,
    visits: dict[int, list[DayAppointment]],
    only: int | None = None,
) -> list[Column]:
    """A column per practitioner working on `day` or with visits then (only the
    practitioner `only` when given): the rows open for booking (inside a block of working
    hours and overlapping no time off) and the visits placed on the rows. `visits` holds
    this day's visits only."""
    # Each row's (number, start, end, start time, end time), worked out once for all columns.
    step = dt.timedelta(minutes=SLOT_MINUTES)
    slots = [
        (index, start, start + step, start.time(), (start + step).time())
        for index, start in enumerate(rows, start=1)
    ]
    columns = []
    first = rows[0]
    for practitioner in staff.practitioners.values():
        if only is not None and practitioner.pk != only:
            continue
        hours = staff.hours.get((practitioner.pk, day.weekday()), [])
        if not hours and practitioner.pk not in visits:
            continue
        off = staff.off_on(practitioner.pk, day)
        column = Column(practitioner, time_off=off)
        open_rows = column.open_rows
        for begins, ends in hours:
            open_rows.update(
                index
                for index, _, _, start_time, end_time in slots
                if begins <= start_time and end_time <= ends
            )
        for away in off:
            open_rows.difference_update(
                index for index, start, end, _, _ in slots if away.start < end and away.end > start
            )
        for appointment in visits.get(practitioner.pk, []):
            # Aware date-times subtract as instants: no conversion needed for the row.
            minutes = (appointment.start - first).total_seconds() / 60
            row = int(minutes // SLOT_MINUTES) + 1
            span = max(
                1, round((appointment.end - appointment.start).total_seconds() / 60 / SLOT_MINUTES)
            )
            column.appointments.append(Placed(appointment, row, span))
        columns.append(column)
    return columns


def day_schedule(
    *, day: dt.date, location: Location, locations: list[Location] | None = None
) -> DaySchedule:
    """One column per practitioner working at `location` on `day` (or with appointments
    there) and a 15-minute grid (the front desk's alerts are `desk_notices`). `locations`:
    the active locations, when the caller has read them already. Two queries."""
    day_start, day_end = local_bounds(day)
    staff = _location_staff(location=location, days=[day])
    visits = _location_visits(location=location, start=day_start, end=day_end)
    opens, closes = _opening(
        [block for blocks in staff.hours.values() for block in blocks],
        [visit for day_visits in visits.values() for visit in day_visits],
    )
    rows = _grid(day, opens, closes)
    return DaySchedule(
        day=day,
        location=location,
        locations=list(Location.objects.filter(active=True)) if locations is None else locations,
        rows=rows,
        columns=_columns(day=day, rows=rows, staff=staff, visits=visits),
    )


@dataclass
class DeskNotices:
    """What the desk's day view shows above the grid, whatever the day and location."""

    alerts: list[DeskAlert]
    online_new: list[OnlineBooking]  # the first 20, in time order
    replies: list[PatientReply]  # the newest 20 confirmations and cancellations unseen


def desk_notices() -> DeskNotices:
    """The unresolved IMS spacing alerts, the bookings made online that the desk has not
    seen yet (from now on), and the visits patients confirmed or cancelled online that the
    desk has not seen yet; three queries. The day view loads them right after the page
    (clinic.views.schedule.day_notices)."""
    alerts = [
        DeskAlert(pk, f"{preferred or first} {last}", days_apart, first_date, second_date)
        for pk, days_apart, first_date, second_date, preferred, first, last in _alert_rows().all()
    ]
    unseen = _online_rows().filter(start__gte=timezone.now())[:20]
    online_new = [
        OnlineBooking(pk, start, f"{preferred or first} {last}")
        for pk, start, preferred, first, last in unseen
    ]
    replies = [
        PatientReply(pk, kind, start, f"{preferred or first} {last}", practitioner)
        for pk, kind, start, preferred, first, last, practitioner in DeskNotice.objects.filter(
            seen_at__isnull=True
        )
        .order_by("-created_at", "-pk")
        .values_list(
            "pk",
            "kind",
            "appointment__start",
            "appointment__patient__preferred_name",
            "appointment__patient__legal_first_name",
            "appointment__patient__legal_last_name",
            "appointment__practitioner__display_name",
        )[:20]
    ]
    return DeskNotices(alerts=alerts, online_new=online_new, replies=replies)


@dataclass
class WeekSchedule:
    """A location's week as a time grid: a DaySchedule per day shown (Monday to Friday, and
    Saturday or Sunday when someone works or has visits then), all on the same rows of
    times; `practitioners`: everyone working at the location (the picker's choices),
    `practitioner`: the one chosen, or None for all."""

    monday: dt.date
    location: Location
    locations: list[Location]
    practitioners: list[Practitioner]
    practitioner: Practitioner | None
    days: list[DaySchedule]

    @property
    def previous_week(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next_week(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)


def week_schedule(
    *,
    week_of: dt.date,
    location: Location,
    practitioner_id: int | None = None,
    locations: list[Location] | None = None,
) -> WeekSchedule:
    """Monday to Sunday of the week containing `week_of` at `location`: for each day a
    column per practitioner working there (or with visits), or only the practitioner
    `practitioner_id` when that one works at the location. The same two queries as the
    day (`day_schedule`), whatever the number of days, practitioners and visits."""
    monday = week_of - dt.timedelta(days=week_of.weekday())
    week = [monday + dt.timedelta(days=offset) for offset in range(7)]
    staff = _location_staff(location=location, days=week)
    chosen = staff.practitioners.get(practitioner_id) if practitioner_id is not None else None
    only = chosen.pk if chosen else None
    week_start, _ = local_bounds(week[0])
    _, week_end = local_bounds(week[-1])
    visits = _location_visits(location=location, start=week_start, end=week_end)
    if only is not None:
        visits = {only: visits[only]} if only in visits else {}
        hours = [block for (pk, _), blocks in staff.hours.items() if pk == only for block in blocks]
    else:
        hours = [block for blocks in staff.hours.values() for block in blocks]
    opens, closes = _opening(hours, [visit for listed in visits.values() for visit in listed])
    days = []
    for day in week:
        day_start, day_end = local_bounds(day)
        day_visits: dict[int, list[DayAppointment]] = {}
        for pk, listed in visits.items():
            if on_day := [v for v in listed if day_start <= v.start < day_end]:
                day_visits[pk] = on_day
        rows = _grid(day, opens, closes)
        columns = _columns(day=day, rows=rows, staff=staff, visits=day_visits, only=only)
        if columns or day.weekday() < 5:  # a weekend nobody works or visits is left out
            days.append(DaySchedule(day, location, [], rows, columns))
    return WeekSchedule(
        monday=monday,
        location=location,
        locations=list(Location.objects.filter(active=True)) if locations is None else locations,
        practitioners=list(staff.practitioners.values()),
        practitioner=chosen,
        days=days,
    )


def physio_day(*, practitioner: Practitioner, day: dt.date) -> list[Appointment]:
    """The practitioner's patients on `day`, in order, with intake, consent and screening."""
    start, end = local_bounds(day)
    return list(
        with_patient_status(
            Appointment.objects.filter(practitioner=practitioner, start__gte=start, start__lt=end)
            .exclude(status=Appointment.Status.CANCELLED)
            .select_related("patient", "type", "location")
        ).order_by("start")
    )


@dataclass(frozen=True)
class ImsSummary:
    last: dt.date | None
    next_eligible: dt.date
    upcoming: list[dt.date]


def patient_ims_summary(patient: Patient, *, today: dt.date | None = None) -> ImsSummary:
    """The last needling (an IMS visit or any signed session with needling sites), the next
    date an IMS visit may be booked, and booked future IMS dates (two queries: the counting
    dates of `needling_days` serve all three)."""
    today = today or timezone.localdate()
    dates = needling_days(patient)
    past = [d for d in dates if d <= today]
    return ImsSummary(
        last=past[-1] if past else None,
        next_eligible=_next_eligible(dates, today),
        upcoming=[d for d in dates if d > today],
    )


def patient_appointments(
    patient: Patient, *, past_limit: int = 20
) -> tuple[list[Appointment], list[Appointment]]:
    """(upcoming, past) appointments of a patient: every upcoming one in order, and the
    `past_limit` most recent past or cancelled ones, newest first. Two bounded queries, so
    a patient with years of visits costs no more than a new one."""
    now = timezone.now()
    rows = Appointment.objects.filter(patient=patient).select_related(
        "practitioner", "type", "location"
    )
    cancelled = Appointment.Status.CANCELLED
    upcoming = list(rows.filter(end__gte=now).exclude(status=cancelled).order_by("start"))
    past = list(rows.filter(Q(end__lt=now) | Q(status=cancelled)).order_by("-start")[:past_limit])
    return upcoming, past


@dataclass(frozen=True)
class FreeSlot:
    practitioner: Practitioner
    location: Location
    start: dt.datetime


def free_slots(
    *,
    type: AppointmentType,
    day: dt.date,
    location: Location | None = None,  # noqa: A002
    earliest: dt.datetime | None = None,
) -> list[FreeSlot]:
    """Start times on `day` where `type` fits a practitioner's hours with nothing booked and
    no time off, from `earliest` on (by default the online booking's notice from now; the
    booking service re-checks everything)."""
    day_start, day_end = local_bounds(day)
    earliest = earliest or timezone.now() + ONLINE_LEAD
    practitioners = Practitioner.objects.filter(active=True).prefetch_related(
        Prefetch(
            "working_hours",
            queryset=WorkingHours.objects.filter(weekday=day.weekday()).select_related("location"),
            to_attr="day_hours",
        ),
        Prefetch(
            "time_off",
            queryset=TimeOff.objects.filter(start__lt=day_end, end__gt=day_start),
            to_attr="day_off",
        ),
    )
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for practitioner_id, start, end in (
        Appointment.objects.filter(start__lt=day_end, end__gt=day_start)
        .exclude(status=Appointment.Status.CANCELLED)
        .values_list("practitioner_id", "start", "end")
    ):
        busy.setdefault(practitioner_id, []).append((start, end))

    slots = []
    tz = timezone.get_current_timezone()
    for practitioner in practitioners:
        for block in practitioner.day_hours:
            if location and block.location_id != location.pk:
                continue
            start = dt.datetime.combine(day, block.start, tzinfo=tz)
            block_end = dt.datetime.combine(day, block.end, tzinfo=tz)
            while start + type.duration <= block_end:
                end = start + type.duration
                clear = (
                    start >= earliest
                    and not any(s < end and e > start for s, e in busy.get(practitioner.pk, []))
                    and not any(t.start < end and t.end > start for t in practitioner.day_off)
                )
                if clear:
                    slots.append(FreeSlot(practitioner, block.location, start))
                start += dt.timedelta(minutes=SLOT_MINUTES)
    return sorted(slots, key=lambda s: (s.start, s.practitioner.display_name))


@dataclass(frozen=True)
class Attendance:
    """A patient's no-shows and late cancellations, for the desk (the patient page).

    A late cancellation is one made less than the clinic's notice period (ClinicPolicy.
    cancellation_notice_hours) before the visit's start, whoever recorded it; the notice
    period is read now, so a changed policy recounts the past by the new rule."""

    visits: int  # completed visits
    no_shows: int
    late_cancels: int
    recent: list[Appointment]  # the latest no-shows and late cancellations, newest first
    notice_hours: int  # the policy's notice period the late cancellations were counted by

    @property
    def any(self) -> bool:
        return bool(self.no_shows or self.late_cancels)


def late_cancellation(notice_hours: int) -> Q:
    """A late cancellation: cancelled with less notice than the clinic's policy
    (ClinicPolicy.cancellation_notice_hours) before the visit's start. The one statement of
    the rule, for the patient's attendance record and the clinic dashboard alike."""
    notice = dt.timedelta(hours=notice_hours)
    return Q(
        status=Appointment.Status.CANCELLED,
        cancelled_at__isnull=False,
        cancelled_at__gt=F("start") - notice,
    )


def patient_attendance(patient: Patient, *, recent: int = 5) -> Attendance:
    """The patient's attendance record: the clinic's policy, the counts, and (only when
    there are any) the latest events: two or three queries."""
    from clinic.models import ClinicPolicy

    hours = ClinicPolicy.current().cancellation_notice_hours
    Status = Appointment.Status
    rows = Appointment.objects.filter(patient=patient)
    late = late_cancellation(hours)
    counts = rows.aggregate(
        visits=Count("pk", filter=Q(status=Status.COMPLETED)),
        no_shows=Count("pk", filter=Q(status=Status.NO_SHOW)),
        late_cancels=Count("pk", filter=late),
    )
    events = []
    if counts["no_shows"] or counts["late_cancels"]:  # most patients: no second query
        events = list(
            rows.filter(Q(status=Status.NO_SHOW) | late)
            .select_related("practitioner", "type")
            .order_by("-start")[:recent]
        )
    return Attendance(recent=events, notice_hours=hours, **counts)


# A booked visit whose start passed this long ago without a check-in is late (front desks
# phone the patient at about ten minutes): the desk's day view and day sheet flag it.
LATE_AFTER = dt.timedelta(minutes=10)


def visit_is_late(*, status: str, start: dt.datetime, day: dt.date, now: dt.datetime) -> bool:
    """Booked, not checked in, and started more than LATE_AFTER ago, on the visit's own
    day only (an earlier day's unrecorded visits are loose ends, not late)."""
    return (
        status == Appointment.Status.BOOKED
        and timezone.localtime(now).date() == day
        and start < now - LATE_AFTER
    )
