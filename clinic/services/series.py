"""Weekly series of visits for a plan of care: propose, book all or none, and move or
cancel "this and later ones".

No booking rule lives here. Every visit is judged by the booking service
(clinic.services.scheduling: `appointment_book_check` for a proposal, `appointment_book`
and `appointment_reschedule` for the writes, which lock the practitioner and patient rows
as any booking does), and the alternatives come from the schedule's own free-slot finder
(clinic.selectors.scheduling.free_slots). The one thing the booking service cannot see
in a proposal is the series' own other visits, not yet written: their IMS spacing is
judged with the same selector the service uses (`too_close`, the IMS interval setting).

Why weekly: Gunn recommends IMS about once a week, the effect lasting roughly 7-10 days
(C. C. Gunn, The Gunn Approach to the Treatment of Chronic Pain, 2nd ed., 1996, as
summarised in the project's DOMAIN.md), and his trial averaged about eight treatments
(Gunn CC et al., Spine 1980;5(3):279-291); sources and the interval setting are in
clinic.selectors.scheduling.ims_next_eligible.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import (
    Appointment,
    AppointmentType,
    CarePlan,
    Location,
    Patient,
    Practitioner,
    User,
)
from clinic.selectors.scheduling import free_slots, min_interval, too_close
from clinic.selectors.series import series_remaining, series_this_and_later
from clinic.services.scheduling import (
    BookingError,
    Slot,
    appointment_book,
    appointment_book_check,
    appointment_cancel,
    appointment_reschedule,
    clinic_date,
)

WEEK = 7  # days between the visits of a weekly series
SEARCH_DAYS = 2  # an alternative may be up to this many days before or after the wanted day
SERIES_MAX = 40  # more visits than a course can plan (CarePlan's SESSIONS_PLANNED_MAX)


class Fit:
    AS_ASKED = "as_asked"
    MOVED = "moved"
    NONE = "none"


@dataclass(frozen=True)
class ProposedVisit:
    """One visit of a proposed series: the weekly time asked for (`wanted`) and the time
    proposed (`start`: the wanted one, the nearest that passes the booking rules within
    SEARCH_DAYS days, or None), with why the wanted time could not be booked."""

    number: int
    wanted: dt.datetime
    start: dt.datetime | None
    fit: str
    reasons: tuple[str, ...] = ()

    @property
    def bookable(self) -> bool:
        return self.start is not None

    @property
    def moved(self) -> bool:
        return self.fit == Fit.MOVED

    @property
    def value(self) -> str:
        """The proposal's start as the confirmation form sends it back (ISO, clinic-local)."""
        return timezone.localtime(self.start).isoformat() if self.start else ""


@dataclass(frozen=True)
class SeriesFailure:
    """A visit the booking service refused at write time, with every rule it broke."""

    number: int
    start: dt.datetime
    messages: tuple[str, ...]


class SeriesError(Exception):
    """Nothing was written: `failures` lists each visit that was refused and why."""

    def __init__(self, failures: list[SeriesFailure], message: str = "") -> None:
        self.failures = failures
        self.message = message or "Nothing was booked: " + "; ".join(
            f"visit {f.number} ({_when(f.start)}): {' '.join(f.messages)}" for f in failures
        )
        super().__init__(self.message)


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "D j M Y H:i")


def _shift(start: dt.datetime, *, days: int, minutes: int = 0) -> dt.datetime:
    """`start` moved by whole clinic-local calendar days and minutes of the clock, so a
    weekly visit keeps its local time across a change to or from daylight saving time."""
    local = timezone.localtime(start)
    naive = dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time())
    naive += dt.timedelta(minutes=minutes)
    return naive.replace(tzinfo=timezone.get_current_timezone())


def _problems(error: BookingError) -> tuple[str, ...]:
    return tuple(problem.message for problem in error.problems)


def _series_spacing(
    start: dt.datetime,
    type: AppointmentType,
    earlier: list[ProposedVisit],  # noqa: A002
) -> None:
    """The IMS interval against the series' own earlier proposals (not yet written, so
    the booking service cannot see them); the rule is the selectors' `too_close`."""
    if not type.is_ims:
        return
    days = {clinic_date(p.start): p.number for p in earlier if p.start is not None}
    close = too_close(clinic_date(start), list(days))
    if close:
        other = max(close)
        raise BookingError(
            f"IMS sessions need at least {min_interval()} days between them: visit "
            f"{days[other]} of this series is on {date_format(other, 'D j M Y')}.",
            code="spacing",
        )


def series_propose(
    *,
    plan: CarePlan,
    first_start: dt.datetime,
    practitioner: Practitioner,
    location: Location,
    type: AppointmentType,  # noqa: A002
    by: User,
    count: int | None = None,
) -> list[ProposedVisit]:
    """Propose `count` visits (by default the plan's remaining sessions) a week apart from
    `first_start`, at the same weekday and clinic-local time. A time the booking service
    would refuse is replaced by the nearest start (in time) within SEARCH_DAYS days before
    or after it, with the same practitioner and location, that it would accept; when there
    is none the visit is proposed as "no slot found". Writes nothing."""
    if count is None:
        count = series_remaining(plan)
    count = max(0, min(count, SERIES_MAX))
    patient: Patient = plan.patient
    proposals: list[ProposedVisit] = []

    def check(start: dt.datetime) -> None:
        slot = Slot(practitioner=practitioner, location=location, start=start, type=type)
        problems: list[str] = []
        try:
            appointment_book_check(patient=patient, slot=slot, by=by, plan=plan)
        except BookingError as refusal:
            problems.extend(_problems(refusal))
        try:
            _series_spacing(start, type, proposals)
        except BookingError as refusal:
            problems.append(refusal.message)
        if problems:
            error = BookingError(problems[0])
            error.problems = [BookingError(m) for m in problems]
            raise error

    now = timezone.now()
    for index in range(count):
        wanted = _shift(first_start, days=WEEK * index)
        try:
            check(wanted)
        except BookingError as refusal:
            reasons = _problems(refusal)
        else:
            proposals.append(ProposedVisit(index + 1, wanted, wanted, Fit.AS_ASKED))
            continue
        found = None
        for candidate in _candidates(wanted, practitioner, location, type, now):
            try:
                check(candidate)
            except BookingError:
                continue
            found = candidate
            break
        proposals.append(
            ProposedVisit(index + 1, wanted, found, Fit.MOVED if found else Fit.NONE, reasons)
        )
    return proposals


def _candidates(
    wanted: dt.datetime,
    practitioner: Practitioner,
    location: Location,
    type: AppointmentType,  # noqa: A002
    now: dt.datetime,
) -> list[dt.datetime]:
    """The practitioner's free starts at the location within SEARCH_DAYS days of `wanted`
    (the schedule's free-slot finder), nearest to it first; earlier before later on a tie."""
    day = clinic_date(wanted)
    starts = []
    for offset in range(-SEARCH_DAYS, SEARCH_DAYS + 1):
        for free in free_slots(
            type=type, day=day + dt.timedelta(days=offset), location=location, earliest=now
        ):
            if free.practitioner.pk == practitioner.pk and free.start != wanted:
                starts.append(free.start)
    return sorted(starts, key=lambda start: (abs(start - wanted), start))


def series_book(
    *,
    plan: CarePlan,
    starts: list[dt.datetime],
    practitioner: Practitioner,
    location: Location,
    type: AppointmentType,  # noqa: A002
    by: User,
) -> list[Appointment]:
    """Book the accepted visits of a series, all in one transaction through
    `appointment_book` (its locks and every rule), each with the plan and one shared
    series id. If any visit is refused, nothing is written and SeriesError lists every
    refused visit with its reasons (the others are still tried, so all are reported)."""
    starts = sorted(set(starts))
    if not starts:
        raise SeriesError([], "Tick at least one visit to book.")
    if len(starts) > SERIES_MAX:
        raise SeriesError([], f"A series has at most {SERIES_MAX} visits.")
    series = uuid.uuid4()
    booked: list[Appointment] = []
    failures: list[SeriesFailure] = []
    with transaction.atomic():
        for number, start in enumerate(starts, start=1):
            slot = Slot(practitioner=practitioner, location=location, start=start, type=type)
            try:
                booked.append(
                    appointment_book(
                        patient=plan.patient, slot=slot, by=by, plan=plan, series=series
                    )
                )
            except BookingError as refusal:
                failures.append(SeriesFailure(number, start, _problems(refusal)))
        if failures:
            raise SeriesError(failures)  # leaves the atomic block: everything rolls back
    return booked


def _this_and_later(appointment: Appointment) -> list[Appointment]:
    """Lock the patient (as booking does) and read the series from this visit on."""
    Patient.objects.select_for_update().get(pk=appointment.patient_id)
    current = Appointment.objects.get(pk=appointment.pk)
    if current.status != Appointment.Status.BOOKED:
        raise BookingError(
            f"This visit is {current.get_status_display().lower()}; only booked visits "
            "can be moved or cancelled.",
            code="status",
        )
    if current.series is None:
        raise BookingError("This visit is not part of a series.", code="series")
    return list(series_this_and_later(current))


def series_cancel_from(*, appointment: Appointment, reason: str, by: User) -> list[Appointment]:
    """Cancel this visit and the later booked visits of its series, each through
    `appointment_cancel`, in one transaction: all are cancelled or none (SeriesError)."""
    if not reason.strip():
        raise BookingError("Give a reason for cancelling.", code="reason")
    failures: list[SeriesFailure] = []
    cancelled: list[Appointment] = []
    with transaction.atomic():
        visits = _this_and_later(appointment)
        for number, visit in enumerate(visits, start=1):
            try:
                cancelled.append(appointment_cancel(appointment=visit, reason=reason, by=by))
            except BookingError as refusal:
                failures.append(SeriesFailure(number, visit.start, _problems(refusal)))
        if failures:
            raise SeriesError(failures)
    return cancelled


def series_move_from(
    *, appointment: Appointment, slot: Slot, by: User, override_reason: str = ""
) -> list[Appointment]:
    """Move this visit to `slot` and shift each later booked visit of its series by the
    same number of calendar days and minutes (with `slot`'s practitioner, location and
    type), each through `appointment_reschedule`, in one transaction: all move or none
    (SeriesError with the first refused visit, numbered from this one, and its reasons)."""
    moved: list[Appointment] = []
    with transaction.atomic():
        visits = _this_and_later(appointment)
        old = timezone.localtime(visits[0].start)
        new = timezone.localtime(slot.start)
        days = (new.date() - old.date()).days
        minutes = (new.hour * 60 + new.minute) - (old.hour * 60 + old.minute)
        numbered = list(enumerate(visits, start=1))
        # Later first when moving later (earliest first when moving earlier), so no visit
        # is judged against a neighbour of the series still at its old place.
        if (days, minutes) > (0, 0):
            numbered.reverse()
        for number, visit in numbered:
            start = _shift(visit.start, days=days, minutes=minutes)
            target = Slot(
                practitioner=slot.practitioner, location=slot.location, start=start, type=slot.type
            )
            try:
                moved.append(
                    appointment_reschedule(
                        appointment=visit, slot=target, by=by, override_reason=override_reason
                    )
                )
            except BookingError as refusal:
                # Stop at the first refusal: the visits not yet moved would otherwise be
                # refused for the neighbour left at its old place, hiding the real reason.
                raise SeriesError([SeriesFailure(number, start, _problems(refusal))]) from None
    return sorted(moved, key=lambda a: a.start)
