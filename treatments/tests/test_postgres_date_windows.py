"""On PostgreSQL: every user-entered date and date-time column has a CHECK constraint with
fixed bounds (1900-01-01 <= value < 2200-01-01, clinic/validators.py), so a raw INSERT or
UPDATE with year 1 or 9999 is refused, as are values the database accepts but the driver
cannot read back (year 10000, years BC). Issue 16, acceptance 4."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessments.tests.factories import make_assessment
from clinic import selectors
from clinic.models import (
    AppointmentType,
    Consent,
    RecallInvitation,
    ScreeningClearance,
    ScreeningItem,
    TimeOff,
)
from clinic.tests.factories import make_patient, make_practitioner, write_appointment
from treatments.models import AdverseEvent, CourseSummary
from treatments.tests.factories import complete_session, credential_for, ready_patient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "10000-01-01", "0001-01-01 BC"]
MOMENTS = [
    "0001-01-01 00:00+00",
    "9999-12-31 23:00+00",
    "1899-12-31 23:59+00",
    "2200-01-01 00:00+00",
    "10000-01-01 00:00+00",
    "0001-01-01 00:00+00 BC",
]

# (table, column, SQL type, a column that must move with it to keep another CHECK, offset)
COLUMNS = [
    ("clinic_patient", "date_of_birth", "date", None, None),
    ("clinic_appointment", "start", "timestamptz", "end", "+ interval '30 minutes'"),
    ("clinic_appointment", "end", "timestamptz", "start", "- interval '30 minutes'"),
    ("clinic_appointment", "local_date", "date", None, None),
    ("clinic_timeoff", "start", "timestamptz", "end", "+ interval '1 day'"),
    ("clinic_timeoff", "end", "timestamptz", "start", "- interval '1 day'"),
    ("clinic_recallinvitation", "eligible_from", "date", None, None),
    ("clinic_consent", "signed_at", "timestamptz", None, None),
    ("clinic_screeningclearance", "cleared_at", "timestamptz", None, None),
    ("treatments_treatmentsession", "session_date", "date", None, None),
    ("treatments_treatmentsession", "next_visit_on", "date", None, None),
    ("treatments_adverseevent", "occurred_at", "timestamptz", None, None),
    ("treatments_needlingcredential", "valid_from", "date", "expires_on", "+ 1"),
    ("treatments_needlingcredential", "expires_on", "date", "valid_from", "- 1"),
    ("treatments_coursesummary", "date_from", "date", "date_to", "+ 1"),
    ("treatments_coursesummary", "date_to", "date", "date_from", "- 1"),
    ("assessments_assessment", "assessed_on", "date", None, None),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): CHECK constraints on raw SQL")


@pytest.fixture
def rows(physio, front_desk) -> dict[str, int]:
    """One ordinary row per table, made the usual way; each test breaks a copy of it."""
    credential = credential_for(physio)
    session = complete_session(physio)
    session.next_visit_on = timezone.localdate() + dt.timedelta(days=7)
    session.save(update_fields=["next_visit_on"])
    patient = ready_patient(physio)
    practitioner = make_practitioner(name="Rowan Field")
    kind = AppointmentType.objects.get(name="Follow-up")
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    appointment = write_appointment(patient, practitioner, start, kind, by=front_desk)
    time_off = TimeOff.objects.create(
        practitioner=practitioner, start=start, end=start + dt.timedelta(days=1)
    )
    recall = RecallInvitation.objects.create(patient=patient, eligible_from=timezone.localdate())
    consent = Consent.objects.get(patient=patient, version=selectors.consent_version_current())
    clearance = ScreeningClearance.objects.create(
        patient=patient,
        intake=patient.intakes.first(),
        item=ScreeningItem.objects.first(),
        reason="Cleared after checking with the GP.",
        cleared_by=physio,
    )
    event = AdverseEvent.objects.create(
        session=session,
        kind=AdverseEvent.Kind.values[0],
        severity="mild",
        action_taken="Rested.",
        recorded_by=physio,
    )
    summary = CourseSummary.objects.create(
        patient=session.patient,
        date_from=timezone.localdate() - dt.timedelta(days=30),
        date_to=timezone.localdate(),
        requested_by=physio,
    )
    assessment = make_assessment(physio)
    return {
        "clinic_patient": make_patient().pk,
        "clinic_appointment": appointment.pk,
        "clinic_timeoff": time_off.pk,
        "clinic_recallinvitation": recall.pk,
        "clinic_consent": consent.pk,
        "clinic_screeningclearance": clearance.pk,
        "treatments_treatmentsession": session.pk,
        "treatments_adverseevent": event.pk,
        "treatments_needlingcredential": credential.pk,
        "treatments_coursesummary": summary.pk,
        "assessments_assessment": assessment.pk,
    }


def _constraint(table: str, column: str) -> str:
    """The CHECK's name, as clinic.validators.date_check/moment_check build it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c' "
            "AND conname LIKE %s",
            [table, f"%\\_{column}\\_in\\_window"],
        )
        names = [name for (name,) in cursor.fetchall()]
    assert len(names) == 1, (table, column, names)
    return names[0]


def _refused_by(sql: str, params: list) -> str:
    """Run `sql`, which must fail on a CHECK constraint; returns the constraint's name."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return refused.value.__cause__.diag.constraint_name


def _set(column: str, kind: str, partner: str | None, offset: str | None) -> dict[str, str]:
    """SET-list and SELECT-list pieces: the column takes the bad value, its partner follows."""
    value = f"%s::{kind}"
    pieces = {column: value}
    if partner:
        pieces[partner] = f"({value} {offset})"
    return pieces


@pytest.mark.parametrize(
    ("table", "column", "kind", "partner", "offset"),
    # Adverse events are never updated (a trigger refuses first); the INSERT test has them.
    [spec for spec in COLUMNS if spec[0] != "treatments_adverseevent"],
)
def test_a_raw_update_out_of_window_is_refused(rows, table, column, kind, partner, offset):
    expected = {_constraint(table, column)} | ({_constraint(table, partner)} if partner else set())
    pieces = _set(column, kind, partner, offset)
    assignments = ", ".join(f'"{name}" = {value}' for name, value in pieces.items())
    for bad in DATES if kind == "date" else MOMENTS:
        params = [bad] * len(pieces) + [rows[table]]
        sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (fixed names)
        name = _refused_by(sql, params)
        assert name in expected, (bad, name)


@pytest.mark.parametrize(("table", "column", "kind", "partner", "offset"), COLUMNS)
def test_a_raw_insert_out_of_window_is_refused(rows, table, column, kind, partner, offset):
    expected = {_constraint(table, column)} | ({_constraint(table, partner)} if partner else set())
    columns = [
        c.name for c in connection.introspection.get_table_description(connection.cursor(), table)
    ]
    columns.remove("id")
    pieces = _set(column, kind, partner, offset)
    select = ", ".join(pieces.get(c, f'"{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    # Parameters in the order the placeholders appear in the SELECT list.
    placeholders = sum(1 for c in columns if c in pieces)
    for bad in (DATES if kind == "date" else MOMENTS)[:2]:
        sql = f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} WHERE id = %s"  # noqa: S608
        name = _refused_by(sql, [bad] * placeholders + [rows[table]])
        assert name in expected, (bad, name)


def test_the_rows_themselves_are_valid_and_the_bounds_are_inclusive(rows):
    """The CHECKs refuse only what is out of window: the fixture rows stand, and the first
    allowed day is accepted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clinic_patient SET date_of_birth = '1900-01-01' WHERE id = %s",
            [rows["clinic_patient"]],
        )
        cursor.execute(
            "UPDATE clinic_recallinvitation SET eligible_from = '2199-12-31' WHERE id = %s",
            [rows["clinic_recallinvitation"]],
        )
        assert cursor.rowcount == 1
