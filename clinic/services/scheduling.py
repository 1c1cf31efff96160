"""Booking: the only code path that creates or moves appointments.

Invariants kept here (and, for overlaps, by PostgreSQL exclusion constraints too):
  a. a practitioner's non-cancelled appointments never overlap;
  b. a patient's non-cancelled appointments never overlap;
  c. IMS spacing: a new IMS visit is at least IMS_MIN_INTERVAL_DAYS clinic-local calendar
     days from every needling of the patient that counts (booked IMS visits and signed
     sessions with needling sites of any visit type: selectors.scheduling.needlings),
     before and after it; only a physiotherapist may override, with a reason; a visit
     of an active care plan that allows twice weekly may be closer inside the course's
     first two weeks (selectors.scheduling.EarlyAllowance), the plan's reason recorded
     on the visit as its override;
  d. appointments lie within the practitioner's working hours at that location, outside
     their time off, not in the past and at most BOOKING_HORIZON ahead.

Every check runs after locking the practitioner and patient rows (select_for_update), in
one transaction, so two bookings racing for the same slot are decided one after the other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from clinic.inputs import MAX_ID
from clinic.models import (
    Appointment,
    AppointmentType,
    CarePlan,
    Location,
    NeedlingDay,
    Patient,
    Practitioner,
    Room,
    User,
)
from clinic.permissions import Role
from clinic.queueing import send_after_commit
from clinic.selectors.consent import consent_current
from clinic.selectors.scheduling import (
    BOOKING_HORIZON,
    CARE_PLAN_REASON_PREFIX,
    ONLINE_LEAD,
    FreeSlot,
    free_slots,
    ims_next_eligible,
    min_interval,
    needling_days,
    plan_early_allowance,
    too_close,
)
from clinic.services.dashboard_facts import (
    COUNTED,
    dashboard_days_refresh,
    first_visits_refresh,
    plan_activity_refresh,
    plan_facts_refresh,
)
from clinic.services.desk_notices import desk_email_queue, desk_notice_add
from clinic.tasks import appointment_confirmation_task, waitlist_slot_freed_task


class BookingError(Exception):
    """A booking rule said no. `message` is for the person booking; `next_eligible` is
    set when the IMS spacing rule refused, with the first date that would be allowed.
    `problems` lists every rule the slot broke (this one first), so a form can show them
    all at once instead of one per submit."""

    def __init__(self, message: str, *, code: str = "", next_eligible: dt.date | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.next_eligible = next_eligible
        self.problems: list[BookingError] = [self]


def clinic_date(moment: dt.datetime) -> dt.date:
    """The clinic-local calendar date of an instant (spacing counts these)."""
    return timezone.localtime(moment).date()


def _day(value: dt.date) -> str:
    return date_format(value, "D j M Y")


def _time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


# --- IMS spacing -----------------------------------------------------------------------------


def _check_spacing(
    *,
    patient: Patient,
    day: dt.date,
    exclude_pk: int | None,
    override_reason: str,
    by: User,
    plan: CarePlan | None = None,
) -> tuple[str, User | None]:
    """Refuse an IMS visit on `day` too close to another, unless a physiotherapist overrides
    with a reason, or the visit's care plan allows twice weekly and both visits fall in
    the course's first two weeks (selectors.scheduling.EarlyAllowance: sources and the
    window there). Returns the override (reason, author) to store: for the plan's
    allowance, the plan's reason (prefixed) and the physiotherapist who wrote the plan."""
    gap = min_interval()
    if override_reason.startswith(CARE_PLAN_REASON_PREFIX):
        override_reason = ""  # the plan's own note carried over by a move: judged afresh
    days = needling_days(patient, exclude_pk=exclude_pk)
    if not too_close(day, days):
        return "", None
    allowance = plan_early_allowance(plan, day=day, exclude_pk=exclude_pk)
    if allowance is not None and not too_close(day, days, allowance):
        return allowance.history_reason, plan.created_by
    close = too_close(day, days, allowance)
    if override_reason.strip():
        if not by.has_role(Role.PHYSIO):
            raise BookingError(
                "Only a physiotherapist can override the IMS spacing rule.", code="override"
            )
        return override_reason.strip(), by
    other = min(close, key=lambda d: abs((d - day).days))
    distance = abs((other - day).days)
    when = (
        "the same day"
        if distance == 0
        else (
            f"{distance} day{'s' if distance != 1 else ''} {'before' if other < day else 'after'}"
        )
    )
    eligible = ims_next_eligible(
        patient, on_or_after=day, exclude_pk=exclude_pk, allowance=allowance
    )
    raise BookingError(
        f"IMS sessions need at least {gap} days between them: {patient.display_name} has IMS "
        f"or was needled on {_day(other)} ({when}). Next eligible date: {_day(eligible)}.",
        code="spacing",
        next_eligible=eligible,
    )


def needling_day_record(
    *,
    patient: Patient,
    day: dt.date,
    session_id: int,
    appointment: Appointment | None,
) -> NeedlingDay:
    """Record that `patient` was needled on `day` (a session just signed with needling
    sites), so IMS spacing counts it whatever the appointment's type was.

    The caller (treatments.services.session_sign) runs inside its signing transaction and
    has locked the patient row first, as booking does, so a booking racing the signing is
    decided after it and sees this row. Idempotent per session."""
    needling, _ = NeedlingDay.objects.get_or_create(
        session_id=session_id,
        defaults={"patient": patient, "day": day, "appointment": appointment},
    )
    return needling


# --- Time and overlap checks ------------------------------------------------------------------


def _check_horizon(start: dt.datetime) -> None:
    # Before anything computes the end or converts to UTC: near year 9999 both overflow.
    if start > timezone.now() + BOOKING_HORIZON:
        last = timezone.localdate() + BOOKING_HORIZON
        raise BookingError(
            f"Appointments can be booked up to two years ahead: choose a date on or before "
            f"{_day(last)}.",
            code="horizon",
        )


def _check_when(
    *, practitioner: Practitioner, location: Location, start: dt.datetime, end: dt.datetime
) -> None:
    if start < timezone.now():
        raise BookingError(
            "That time has already passed; choose a time in the future.", code="past"
        )
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() != local_end.date():
        raise BookingError("An appointment must start and end on the same day.", code="hours")
    if not practitioner.locations.filter(pk=location.pk).exists():
        raise BookingError(f"{practitioner} does not work at {location}.", code="hours")
    blocks = practitioner.working_hours.filter(location=location, weekday=local_start.weekday())
    if not any(b.start <= local_start.time() and local_end.time() <= b.end for b in blocks):
        hours = ", ".join(f"{b.start:%H:%M}-{b.end:%H:%M}" for b in blocks) or "not working"
        raise BookingError(
            f"{_time(start)}-{_time(end)} is outside {practitioner}'s hours at {location} on "
            f"{local_start:%A}s ({hours}).",
            code="hours",
        )
    away = practitioner.time_off.filter(start__lt=end, end__gt=start).first()
    if away:
        raise BookingError(
            f"{practitioner} is away ({away.get_kind_display().lower()}) "
            f"from {_day(clinic_date(away.start))} to {_day(clinic_date(away.end))}.",
            code="time_off",
        )


def _overlapping(start: dt.datetime, end: dt.datetime, exclude_pk: int | None):
    appointments = Appointment.objects.filter(start__lt=end, end__gt=start).exclude(
        status=Appointment.Status.CANCELLED
    )
    if exclude_pk:
        appointments = appointments.exclude(pk=exclude_pk)
    return appointments.select_related("patient", "practitioner")


def _check_overlaps(
    *,
    patient: Patient,
    practitioner: Practitioner,
    room: Room | None,
    start: dt.datetime,
    end: dt.datetime,
    exclude_pk: int | None,
) -> None:
    """Refuse a time the practitioner, the patient or the room is already booked at (every
    clash at once: BookingError.problems)."""
    overlapping = _overlapping(start, end, exclude_pk)
    problems = []
    clash = overlapping.filter(practitioner=practitioner).first()
    if clash:
        problems.append(
            BookingError(
                f"{practitioner} is already booked {_time(clash.start)}-{_time(clash.end)} "
                f"(with {clash.patient.display_name}).",
                code="practitioner_overlap",
            )
        )
    clash = overlapping.filter(patient=patient).first()
    if clash:
        problems.append(
            BookingError(
                f"{patient.display_name} already has an appointment {_time(clash.start)}-"
                f"{_time(clash.end)} with {clash.practitioner}.",
                code="patient_overlap",
            )
        )
    if room is not None:
        clash = overlapping.filter(room=room).first()
        if clash:
            problems.append(
                BookingError(
                    f"{room.name} is in use {_time(clash.start)}-{_time(clash.end)}.",
                    code="room_overlap",
                )
            )
    _raise_all(problems)


def _raise_all(problems: list[BookingError]) -> None:
    """Raise the first problem, carrying them all."""
    if problems:
        first = problems[0]
        first.problems = [p for problem in problems for p in problem.problems]
        raise first


def _integrity_message(error: IntegrityError) -> BookingError:
    text = str(error)
    if "clinic_appt_no_practitioner_overlap" in text:
        return BookingError(
            "That time was just taken for this practitioner; choose another time.",
            code="practitioner_overlap",
        )
    if "clinic_appt_no_patient_overlap" in text:
        return BookingError(
            "The patient was just booked at an overlapping time; choose another time.",
            code="patient_overlap",
        )
    raise error


def _lock(practitioners: list[Practitioner], patient: Patient) -> None:
    """Lock in one global order (practitioners by id, then the patient) so two bookings
    never wait for each other in a circle."""
    for pk in sorted({p.pk for p in practitioners}):
        Practitioner.objects.select_for_update().get(pk=pk)
    Patient.objects.select_for_update().get(pk=patient.pk)


# --- Booking and moving -----------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    practitioner: Practitioner
    location: Location
    start: dt.datetime
    type: AppointmentType
    room: Room | None = None

    @property
    def end(self) -> dt.datetime:
        return self.start + self.type.duration


def _check_all(
    *,
    patient: Patient,
    slot: Slot,
    by: User,
    override_reason: str,
    exclude_pk: int | None,
    plan: CarePlan | None = None,
) -> tuple[str, User | None]:
    """Every booking rule for `slot`; raises BookingError with every rule it breaks (in
    this order: horizon, hours and time off, overlaps, IMS spacing). Returns the spacing
    override (reason, author) to store."""
    problems: list[BookingError] = []
    override: tuple[str, User | None] = ("", None)
    checks = [
        lambda: _check_horizon(slot.start),
        lambda: _check_when(
            practitioner=slot.practitioner, location=slot.location, start=slot.start, end=slot.end
        ),
        lambda: _check_overlaps(
            patient=patient,
            practitioner=slot.practitioner,
            room=slot.room,
            start=slot.start,
            end=slot.end,
            exclude_pk=exclude_pk,
        ),
    ]
    for check in checks:
        try:
            check()
        except BookingError as problem:
            problems.append(problem)
    if slot.type.is_ims:
        try:
            override = _check_spacing(
                patient=patient,
                day=clinic_date(slot.start),
                exclude_pk=exclude_pk,
                override_reason=override_reason,
                by=by,
                plan=plan,
            )
        except BookingError as problem:
            problems.append(problem)
    _raise_all(problems)
    return override


def _check_plan(plan: CarePlan | None, patient: Patient) -> None:
    """A visit joins only an active plan of its own patient (read under the patient lock:
    the plan services lock the same row)."""
    if plan is None:
        return
    current = CarePlan.objects.get(pk=plan.pk)
    if current.patient_id != patient.pk:
        raise BookingError("That care plan belongs to another patient.", code="plan")
    if not current.is_active:
        raise BookingError(
            f"The care plan is {current.get_status_display().lower()}: book the visit "
            "without it, or resume the plan first.",
            code="plan",
        )


def _check_online(slot: Slot) -> None:
    """Online self-booking: only when the clinic allows it, only types offered online, not
    at the last minute and not beyond the booking window."""
    from clinic.models import ClinicPolicy

    _check_horizon(slot.start)
    policy = ClinicPolicy.current()
    if not policy.online_booking_enabled:
        raise BookingError(
            f"Online booking is not available; please call {settings.CLINIC_PHONE}.",
            code="online",
        )
    if not slot.type.bookable_online:
        raise BookingError(f"{slot.type} cannot be booked online.", code="online")
    if slot.start < timezone.now() + ONLINE_LEAD:
        raise BookingError(
            f"Online bookings need {int(ONLINE_LEAD.total_seconds() // 3600)} hours' notice; "
            f"for sooner, please call {settings.CLINIC_PHONE}.",
            code="online",
        )
    last_day = timezone.localdate() + dt.timedelta(days=policy.online_booking_days_ahead)
    if clinic_date(slot.start) > last_day:
        raise BookingError(f"Online booking is open up to {_day(last_day)}.", code="online")


def appointment_book_check(
    *,
    patient: Patient,
    slot: Slot,
    by: User,
    via: str = Appointment.Via.DESK,
    plan: CarePlan | None = None,
) -> None:
    """Would `appointment_book` accept this slot now? Raises its BookingError if not and
    writes nothing (no locks either: the booking itself checks again under its locks).
    For a confirmation step and for slot finders."""
    if via == Appointment.Via.PORTAL:
        _check_online(slot)
    _check_all(patient=patient, slot=slot, by=by, override_reason="", exclude_pk=None, plan=plan)


def slots_find(
    *,
    patient: Patient,
    type: AppointmentType,  # noqa: A002
    by: User,
    from_date: dt.date,
    practitioners: list[Practitioner] | None = None,
    location: Location | None = None,
    days: int = 21,
    limit: int = 24,
) -> list[FreeSlot]:
    """The first `limit` start times from `from_date` (for up to `days` days) at which
    `appointment_book` would book `patient` for `type` now: free in the practitioner's
    hours (selectors.free_slots), and then checked one by one with the booking service's
    own rules (overlaps of practitioner and patient, hours, time off, the horizon and, for
    IMS, the interval, which no slot finder may override). Nothing is written; a slot can
    still be taken before it is booked, when the booking refuses it with its usual
    message. Days inside the IMS interval are skipped before their times are checked."""
    now = timezone.now()
    wanted = {p.pk for p in practitioners} if practitioners else None
    gap = min_interval()
    needled = needling_days(patient) if type.is_ims else []
    found: list[FreeSlot] = []
    for offset in range(days):
        day = from_date + dt.timedelta(days=offset)
        if day < timezone.localdate():
            continue
        if any(abs((other - day).days) < gap for other in needled):
            continue
        for free in free_slots(type=type, day=day, location=location, earliest=now):
            if wanted is not None and free.practitioner.pk not in wanted:
                continue
            slot = Slot(
                practitioner=free.practitioner, location=free.location, start=free.start, type=type
            )
            try:
                appointment_book_check(patient=patient, slot=slot, by=by)
            except BookingError:
                continue
            found.append(free)
            if len(found) >= limit:
                return found
    return found


def appointment_book(
    *,
    patient: Patient,
    slot: Slot,
    by: User,
    via: str = Appointment.Via.DESK,
    override_reason: str = "",
    note: str = "",
    plan: CarePlan | None = None,
    series: uuid.UUID | None = None,
) -> Appointment:
    """Book `patient` into `slot` if every invariant holds; raises BookingError otherwise.
    With `plan` (an active care plan of the patient) the visit belongs to that course;
    `series` marks it as one visit of a weekly series (clinic.services.series).

    Side effects: the appointment's history row records who booked (and any spacing
    override with its reason, or the plan's reason when its allowance let the visit be
    closer than the interval).
    """
    try:
        with transaction.atomic():
            _lock([slot.practitioner], patient)
            if via == Appointment.Via.PORTAL:
                _check_online(slot)
            _check_plan(plan, patient)
            reason, override_by = _check_all(
                patient=patient,
                slot=slot,
                by=by,
                override_reason=override_reason,
                exclude_pk=None,
                plan=plan,
            )
            appointment = Appointment(
                patient=patient,
                practitioner=slot.practitioner,
                location=slot.location,
                room=slot.room,
                type=slot.type,
                start=slot.start,
                end=slot.end,
                is_ims=slot.type.is_ims,
                local_date=clinic_date(slot.start),
                booked_via=via,
                booked_by=by,
                note=note,
                spacing_override_reason=reason,
                spacing_override_by=override_by,
                plan=plan,
                series=series,
            )
            appointment._history_user = by
            if reason.startswith(CARE_PLAN_REASON_PREFIX):
                appointment._change_reason = reason  # simple_history's history_change_reason
            appointment.save()
            if plan is not None:
                plan_facts_refresh([plan.pk])  # the dashboard's location of the course
            else:
                plan_activity_refresh([patient.pk])  # their latest booking
            if via == Appointment.Via.PORTAL:
                # The patient booked it themselves: confirm by e-mail with the .ics, and
                # tell the desk's inbox when the clinic asked for that.
                send_after_commit(appointment_confirmation_task, appointment.pk)
                desk_email_queue(appointment=appointment, kind="booked")
            return appointment
    except IntegrityError as error:
        raise _integrity_message(error) from error


def appointment_reschedule(
    *, appointment: Appointment, slot: Slot, by: User, override_reason: str = ""
) -> Appointment:
    """Move a booked appointment to `slot` (time, practitioner, location, type) under the
    same invariants as a new booking, judged without the appointment's old place. A visit
    of a care plan keeps its plan, whose twice-weekly allowance (if any) counts."""
    try:
        with transaction.atomic():
            _lock([slot.practitioner, appointment.practitioner], appointment.patient)
            current = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if current.status != Appointment.Status.BOOKED:
                raise BookingError(
                    f"Only a booked appointment can be moved; this one is "
                    f"{current.get_status_display().lower()}.",
                    code="status",
                )
            reason, override_by = _check_all(
                patient=current.patient,
                slot=slot,
                by=by,
                override_reason=override_reason,
                exclude_pk=current.pk,
                plan=current.plan,
            )
            current.practitioner = slot.practitioner
            current.location = slot.location
            current.room = slot.room
            current.type = slot.type
            current.start, current.end = slot.start, slot.end
            current.is_ims = slot.type.is_ims
            current.local_date = clinic_date(slot.start)
            current.spacing_override_reason = reason
            current.spacing_override_by = override_by
            current.reminder_claimed_at = current.reminder_sent_at = None
            if current.start != appointment.start:
                # The patient confirmed the old time, not this one.
                current.confirmed_at, current.confirmed_via = None, ""
            current._history_user = by
            if reason.startswith(CARE_PLAN_REASON_PREFIX):
                current._change_reason = reason  # simple_history's history_change_reason
            current.save()
            if current.plan_id is not None:
                plan_facts_refresh([current.plan_id])  # its first visit may have moved
            else:
                plan_activity_refresh([current.patient_id])  # their latest booking
            return current
    except IntegrityError as error:
        raise _integrity_message(error) from error


# --- Status changes -----------------------------------------------------------------------------


def _transition(
    appointment: Appointment,
    *,
    allowed_from: tuple[str, ...],
    by: User,
    reason: str | None = None,
    **changes,
) -> Appointment:
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status not in allowed_from:
            raise BookingError(
                f"This appointment is {current.get_status_display().lower()}; "
                "that change is not possible now.",
                code="status",
            )
        was = current.status
        for name, value in changes.items():
            setattr(current, name, value)
        current._history_user = by
        if reason:
            current._change_reason = reason  # simple_history's history_change_reason
        current.save()
        if was == current.status:
            return current
        if Appointment.Status.COMPLETED in (was, current.status):
            # A completed visit (or one no longer completed) can change which visit was
            # the patient's first (the dashboard's "new patient"), its plan's count and
            # the day's counts (DashboardDay).
            first_visits_refresh([current.patient_id], also_days=[current.local_date])
            current.refresh_from_db(fields=["first_visit"])
        elif {was, current.status} & {*COUNTED, Appointment.Status.CANCELLED}:
            dashboard_days_refresh([current.local_date])  # its no-shows, late cancellations
        if current.plan_id is not None and Appointment.Status.COMPLETED in (was, current.status):
            plan_facts_refresh([current.plan_id])
        else:
            plan_activity_refresh([current.patient_id])  # their latest visit and booking
        return current


def appointment_check_in(*, appointment: Appointment, by: User) -> Appointment:
    """The patient has arrived: only on the appointment's own day."""
    if appointment.local_date != timezone.localdate():
        raise BookingError(
            f"Check-in is for the day of the visit ({_day(appointment.local_date)}).",
            code="status",
        )
    return _transition(
        appointment,
        allowed_from=(Appointment.Status.BOOKED,),
        by=by,
        status=Appointment.Status.CHECKED_IN,
        checked_in_at=timezone.now(),
    )


NO_CONSENT_FOR_IMS = (
    "No current consent for IMS: ask the patient to sign consent (portal or in clinic) "
    "before marking this visit completed."
)


def appointment_complete(*, appointment: Appointment, by: User) -> Appointment:
    """The visit took place: only once it has started. An IMS visit only for a patient who
    has signed the current consent: no needling without it, so a completed IMS visit without
    consent would record one that should not have happened. The rule holds for everyone who
    may complete a visit (front desk and physiotherapists alike); nothing is written when
    it refuses."""
    if appointment.start > timezone.now():
        raise BookingError("A visit can be completed once it has started.", code="status")
    if appointment.is_ims and consent_current(appointment.patient) is None:
        raise BookingError(NO_CONSENT_FOR_IMS, code="consent")
    return _transition(
        appointment,
        allowed_from=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
        by=by,
        status=Appointment.Status.COMPLETED,
        completed_at=timezone.now(),
    )


def appointment_no_show(*, appointment: Appointment, by: User) -> Appointment:
    if appointment.start > timezone.now():
        raise BookingError(
            "A no-show can only be recorded once the appointment has started.", code="status"
        )
    return _transition(
        appointment,
        allowed_from=(Appointment.Status.BOOKED,),
        by=by,
        status=Appointment.Status.NO_SHOW,
    )


def _undo_today(appointment: Appointment, what: str) -> None:
    if appointment.local_date != timezone.localdate():
        raise BookingError(
            f"{what} can only be undone on the day of the visit "
            f"({_day(appointment.local_date)}); ask a clinic admin to correct the record.",
            code="status",
        )


def appointment_check_in_undo(*, appointment: Appointment, by: User) -> Appointment:
    """Take back a check-in made by mistake (the wrong patient, a tap on the wrong row): the
    visit is booked again. Only on the visit's own day, so the record of who attended a past
    day cannot be rewritten from the desk; the history row keeps who undid it and when."""
    _undo_today(appointment, "A check-in")
    return _transition(
        appointment,
        allowed_from=(Appointment.Status.CHECKED_IN,),
        by=by,
        reason="undo check-in",
        status=Appointment.Status.BOOKED,
        checked_in_at=None,
    )


def appointment_no_show_undo(*, appointment: Appointment, by: User) -> Appointment:
    """Take back a no-show (the patient turned up late after all): booked again, on the
    visit's own day only. A no-show stops counting for IMS spacing, so another IMS visit may
    have been booked inside the interval meanwhile: undoing is then refused with the booking
    rule's message (the practitioner's time stays held by a no-show, so overlaps cannot
    arise)."""
    _undo_today(appointment, "A no-show")
    try:
        with transaction.atomic():
            _lock([appointment.practitioner], appointment.patient)
            if appointment.is_ims and not appointment.spacing_override_reason:
                _check_spacing(
                    patient=appointment.patient,
                    day=appointment.local_date,
                    exclude_pk=appointment.pk,
                    override_reason="",
                    by=by,
                )
            return _transition(
                appointment,
                allowed_from=(Appointment.Status.NO_SHOW,),
                by=by,
                reason="undo no-show",
                status=Appointment.Status.BOOKED,
            )
    except IntegrityError as error:
        raise _integrity_message(error) from error


def appointment_cancel(
    *, appointment: Appointment, reason: str, by: User | None, history_reason: str = ""
) -> Appointment:
    """Cancel with a reason; the slot is free again and the visit stops counting for
    IMS spacing. `by` is None for a patient without a portal account cancelling from a
    reminder's link; the history row then says so in `history_reason`. A future slot is
    handed to the waitlist after commit (waitlist_slot_freed_task: automatic offers, when
    the clinic turns them on)."""
    reason = reason.strip()
    if not reason:
        raise BookingError("Give a reason for cancelling.", code="reason")
    with transaction.atomic():
        cancelled = _transition(
            appointment,
            allowed_from=(Appointment.Status.BOOKED,),
            by=by,
            reason=history_reason or None,
            status=Appointment.Status.CANCELLED,
            cancelled_at=timezone.now(),
            cancelled_by=by,
            cancel_reason=reason[:200],
        )
        if cancelled.start > timezone.now():
            # The freed slot goes to the waitlist (clinic.services.waitlist): offered
            # automatically when the clinic has that on; the task checks.
            send_after_commit(waitlist_slot_freed_task, cancelled.pk)
    return cancelled


def clinic_phone(appointment: Appointment) -> str:
    """The number a patient calls about this visit: its location's, else the clinic's."""
    return appointment.location.phone or settings.CLINIC_PHONE


def cancel_notice_problem(appointment: Appointment, *, now: dt.datetime | None = None) -> str:
    """Why the patient may no longer cancel this visit online ("" when they may): inside
    the clinic's notice period (ClinicPolicy.cancellation_notice_hours) they phone."""
    from clinic.models import ClinicPolicy

    hours = ClinicPolicy.current().cancellation_notice_hours
    if appointment.start - (now or timezone.now()) < dt.timedelta(hours=hours):
        return (
            f"Appointments can be cancelled online up to {hours} hours before. Please call "
            f"{clinic_phone(appointment)}."
        )
    return ""


def appointment_cancel_by_patient(
    *,
    appointment: Appointment,
    by: User | None,
    reason: str = "Cancelled online by patient",
    history_reason: str = "",
) -> Appointment:
    """A patient cancels online (the portal, or a reminder's link), allowed up to the
    clinic's notice period; the desk gets a notice (and an e-mail if the clinic asked)."""
    if problem := cancel_notice_problem(appointment):
        raise BookingError(problem, code="notice")
    with transaction.atomic():
        cancelled = appointment_cancel(
            appointment=appointment, reason=reason, by=by, history_reason=history_reason
        )
        desk_notice_add(appointment=cancelled, kind="cancelled")
    return cancelled


def appointment_confirm(
    *, appointment: Appointment, by: User | None, via: str = Appointment.ConfirmedVia.PHONE
) -> Appointment:
    """Record that the patient will come: told the desk (by phone, by default; `by` is the
    desk), or `via` the reminder's link (`by` is the patient's portal account, or None).
    Only a booked visit that has not started and is not confirmed yet; a second
    confirmation is refused and changes nothing. A link confirmation is a desk notice."""
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.start <= timezone.now():
            raise BookingError("A visit that has started cannot be confirmed.", code="status")
        if current.confirmed_at is not None:
            raise BookingError(
                f"This visit was already confirmed "
                f"({current.get_confirmed_via_display().lower()}).",
                code="confirmed",
            )
        label = Appointment.ConfirmedVia(via).label.lower()
        confirmed = _transition(
            current,
            allowed_from=(Appointment.Status.BOOKED,),
            by=by,
            reason=f"confirmed by patient ({label})",
            confirmed_at=timezone.now(),
            confirmed_via=via,
        )
        if via == Appointment.ConfirmedVia.LINK:
            desk_notice_add(appointment=confirmed, kind="confirmed")
        return confirmed


def online_bookings_acknowledge(*, appointment_ids: list[int], by: User) -> int:
    """The front desk has seen these online bookings: stop flagging them. Ids outside the
    database's integer range match nothing (SQLite would raise OverflowError on them)."""
    appointment_ids = [pk for pk in appointment_ids if 1 <= pk <= MAX_ID]
    return Appointment.objects.filter(
        pk__in=appointment_ids, booked_via=Appointment.Via.PORTAL, online_booking_seen_at=None
    ).update(online_booking_seen_at=timezone.now())
