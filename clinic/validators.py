"""Bounds on stored values: the plausible window of every user-entered date and time, and
the longest free text a field keeps.

A date far outside what a clinic can mean (year 1, 3000, 9999) poisons every page that
shows or computes with it: date arithmetic and time-zone shifts near year 1 or 9999
overflow, and a value the database driver cannot read back (year 0 or 10000 after a shift
to UTC) breaks the page that lists it. Three layers keep them out:

- forms and services: the model fields carry the validators below, so a ModelForm shows
  the error next to the field and a service's full_clean() raises ValidationError keyed to
  the field. The windows are relative to today where that means something (nothing that
  already happened lies in the future; bookings reach BOOKING_HORIZON ahead).
- the database: a CHECK constraint per column (date_check / moment_check) with FIXED
  literal bounds (DB_FIRST_DAY <= value < DB_END_DAY), so a raw INSERT with year 1 or 9999
  is refused too. Literals, not now(): a CHECK must hold for a row forever.
- text: LimitedTextField, a TextField whose max_length is checked by full_clean as well as
  by its form field (Django's own TextField gives max_length to the form field only).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils import timezone

from clinic.inputs import EARLIEST_DATE

# --- Windows -----------------------------------------------------------------------------

# The earliest instant a record can be about: EARLIEST_DATE (1900-01-01) at midnight UTC,
# the same instant as the database constraints' lower bound, so a local time just after
# midnight in a zone east of UTC is refused here with a message and not by the database.
EARLIEST_MOMENT = dt.datetime.combine(EARLIEST_DATE, dt.time(), tzinfo=dt.UTC)

# Bookings: the clinic books at most two years ahead (the schedule, working hours and
# policy change beyond that).
BOOKING_HORIZON = dt.timedelta(days=2 * 365)
# Time off: long leave (parental leave, a sabbatical) is planned further ahead than visits.
TIME_OFF_HORIZON = dt.timedelta(days=5 * 365)
# Reference data with a shelf life (needle lot validity and expiry): sterile needles expire
# within five years of manufacture; twenty years leaves room for any product.
REFERENCE_HORIZON = dt.timedelta(days=20 * 365)
# Something that already happened (an adverse event, a signature) is entered with the
# device's clock, which may run a little ahead, or rounded up to the next quarter hour.
CLOCK_SLACK = dt.timedelta(hours=1)

# --- Database bounds (fixed literals; every window above lies inside them) -----------------

DB_FIRST_DAY = dt.date(1900, 1, 1)
DB_END_DAY = dt.date(2200, 1, 1)  # exclusive
DB_FIRST_MOMENT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
DB_END_MOMENT = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)  # exclusive


def _day(value: dt.date) -> str:
    return f"{value:%Y-%m-%d}"


def _refuse_date(value: dt.date, latest: dt.date, latest_words: str) -> None:
    if value < EARLIEST_DATE:
        raise ValidationError(
            f"Check the year: a record cannot be dated before {_day(EARLIEST_DATE)}.",
            code="too_early",
        )
    if value > latest:
        raise ValidationError(f"Check the date: {latest_words}.", code="too_late")


def _refuse_moment(value: dt.datetime, latest: dt.datetime, latest_words: str) -> None:
    # Aware datetimes compare by instant without converting to UTC, so this never overflows
    # (Python compares through timedelta arithmetic), even for year 1 or 9999.
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    if value < EARLIEST_MOMENT:
        raise ValidationError(
            f"Check the year: a record cannot be dated before {_day(EARLIEST_DATE)}.",
            code="too_early",
        )
    if value > latest:
        raise ValidationError(f"Check the date: {latest_words}.", code="too_late")


def validate_past_date(value: dt.date | None) -> None:
    """A day that has already come: a session, an assessment, a date of birth, a summary's
    period. From 1900 (no living patient or record is older) to today."""
    if value is not None:
        _refuse_date(value, timezone.localdate(), "it cannot be in the future")


def validate_past_moment(value: dt.datetime | None) -> None:
    """An instant that has already happened (an adverse event, a signature, a clearance):
    from 1900 to now plus CLOCK_SLACK."""
    if value is not None:
        _refuse_moment(value, timezone.now() + CLOCK_SLACK, "it cannot be in the future")


def validate_booking_moment(value: dt.datetime | None) -> None:
    """An appointment's start or end: from 1900 (past visits stay valid) to BOOKING_HORIZON
    ahead (plus a day for the end of the last bookable visit). The booking service refuses
    the past for new bookings on its own."""
    if value is not None:
        _refuse_moment(
            value,
            timezone.now() + BOOKING_HORIZON + dt.timedelta(days=1),
            "appointments can be booked up to two years ahead",
        )


def validate_booking_date(value: dt.date | None) -> None:
    """A day in the booking window: an appointment's date, a recommended next visit."""
    if value is not None:
        _refuse_date(
            value,
            timezone.localdate() + BOOKING_HORIZON,
            "choose one within two years from today",
        )


def validate_time_off_moment(value: dt.datetime | None) -> None:
    """Time off: from 1900 to TIME_OFF_HORIZON (five years) ahead."""
    if value is not None:
        _refuse_moment(
            value,
            timezone.now() + TIME_OFF_HORIZON,
            "time off can be entered up to five years ahead",
        )


def validate_reference_date(value: dt.date | None) -> None:
    """A reference date with a shelf life (a needle lot's validity): up to twenty years ahead."""
    if value is not None:
        _refuse_date(
            value, timezone.localdate() + REFERENCE_HORIZON, "it can be at most twenty years ahead"
        )


def date_check(prefix: str, field: str, *, nullable: bool = False) -> models.CheckConstraint:
    """The database's own refusal of a date column outside [DB_FIRST_DAY, DB_END_DAY)."""
    return _check(prefix, field, DB_FIRST_DAY, DB_END_DAY, nullable)


def moment_check(prefix: str, field: str, *, nullable: bool = False) -> models.CheckConstraint:
    """The database's own refusal of a date-time column outside [DB_FIRST_MOMENT,
    DB_END_MOMENT)."""
    return _check(prefix, field, DB_FIRST_MOMENT, DB_END_MOMENT, nullable)


def _check(prefix: str, field: str, first, end, nullable: bool) -> models.CheckConstraint:
    condition = models.Q(**{f"{field}__gte": first, f"{field}__lt": end})
    if nullable:
        condition = models.Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=f"{prefix}_{field}_in_window")


# --- Free text -----------------------------------------------------------------------------

# A clinical narrative (a plan, an impression, a medical history, an addendum): several
# pages of typing; nobody writes more than this at a treatment table or in an intake.
NARRATIVE_MAX = 10_000
# A short note or reason (a desk note, a clearance or override reason, a follow-up): a
# long paragraph.
NOTE_MAX = 2_000
# A published document's body (the consent text, a home-care leaflet): a few printed pages.
DOCUMENT_MAX = 50_000


class LimitedTextField(models.TextField):
    """A TextField whose max_length is enforced by model validation (full_clean, so every
    service that cleans) as well as by its form field, which also gets a maxlength
    attribute. The column stays `text`: no database change. It also refuses NUL characters
    in model validation (Django's form CharField does, its model TextField does not), so
    text reaching a service without a form (e.g. the sign panel's reason) cannot make
    PostgreSQL refuse the write with a 500."""

    def __init__(self, *args, max_length: int, **kwargs) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)
        # Like CharField: added to the validators, not to the deconstructed arguments.
        self.validators.append(MaxLengthValidator(self.max_length))
        self.validators.append(ProhibitNullCharactersValidator())
