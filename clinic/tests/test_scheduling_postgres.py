"""On PostgreSQL: real concurrent transactions racing to book, and the exclusion
constraints that make overlaps impossible even for code that bypasses the service."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from clinic.models import Appointment, AppointmentType
from clinic.permissions import Role
from clinic.services.scheduling import BookingError, Slot, appointment_book
from clinic.tests.factories import (
    UserFactory,
    make_patient,
    make_practitioner,
    write_appointment,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")
RACERS = 8
ROUNDS = 20


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): row locks and exclusion constraints")


@pytest.fixture
def setting():
    desk = UserFactory(roles={Role.FRONT_DESK})
    practitioner = make_practitioner(hours=((0, 6), (6, 22)), name="Maya Chen")
    day = timezone.localdate() + dt.timedelta(days=10)
    return {
        "desk": desk,
        "practitioner": practitioner,
        "location": practitioner.locations.get(),
        "ims": AppointmentType.objects.get(name="IMS treatment"),
        "follow_up": AppointmentType.objects.get(name="Follow-up"),
        "day": day,
    }


def race(attempts) -> tuple[list, list]:
    """Run every attempt in its own thread and database connection, released together."""
    barrier = threading.Barrier(len(attempts))
    wins, refusals, errors = [], [], []

    def run(attempt):
        try:
            barrier.wait()
            wins.append(attempt())
        except BookingError as refusal:
            refusals.append(refusal)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return wins, refusals


def _book(setting, patient, start, kind="follow_up", practitioner=None):
    practitioner = practitioner or setting["practitioner"]
    slot = Slot(
        practitioner=practitioner,
        location=practitioner.locations.get(),
        start=start,
        type=setting[kind],
    )
    return lambda: appointment_book(patient=patient, slot=slot, by=setting["desk"])


def test_racing_bookings_for_one_practitioner_leave_exactly_one_winner(setting):
    patients = [make_patient(legal_first_name=f"P{i}") for i in range(RACERS)]
    for round_number in range(ROUNDS):
        hour = 7 + round_number % 14
        day = setting["day"] + dt.timedelta(days=round_number // 14)
        # Overlapping but not identical starts: 10:00, 10:05, 10:10, ...
        attempts = [
            _book(
                setting,
                patient,
                dt.datetime.combine(day, dt.time(hour, 5 * (i % 4)), tzinfo=VANCOUVER),
            )
            for i, patient in enumerate(patients)
        ]
        wins, refusals = race(attempts)
        assert len(wins) == 1, f"round {round_number}: {len(wins)} winners"
        assert len(refusals) == RACERS - 1
        assert all(r.code in {"practitioner_overlap", "patient_overlap"} for r in refusals)
    assert Appointment.objects.count() == ROUNDS
    assert _overlapping_pairs() == 0


def test_racing_ims_bookings_three_days_apart_leave_exactly_one_winner(setting):
    for round_number in range(ROUNDS):
        patient = make_patient(legal_first_name=f"Racer{round_number}")
        practitioner = make_practitioner(hours=((0, 6), (6, 22)), name=f"Physio {round_number}")
        # Eight attempts, alternating between two dates three days apart, different times.
        attempts = [
            _book(
                setting,
                patient,
                dt.datetime.combine(
                    setting["day"] + dt.timedelta(days=3 * (i % 2)),
                    dt.time(8 + i),
                    tzinfo=VANCOUVER,
                ),
                kind="ims",
                practitioner=practitioner,
            )
            for i in range(RACERS)
        ]
        wins, refusals = race(attempts)
        assert len(wins) == 1, f"round {round_number}: {len(wins)} winners"
        assert {r.code for r in refusals} <= {"spacing", "patient_overlap", "practitioner_overlap"}
        assert Appointment.objects.filter(patient=patient).count() == 1
    assert _overlapping_pairs() == 0


def _overlapping_pairs() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM clinic_appointment a JOIN clinic_appointment b
              ON a.id < b.id AND a.status <> 'cancelled' AND b.status <> 'cancelled'
             AND (a.practitioner_id = b.practitioner_id OR a.patient_id = b.patient_id)
             AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end")
            """
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("same", ["practitioner", "patient"])
def test_the_database_refuses_overlaps_that_bypass_the_service(setting, same):
    first_patient = make_patient(legal_first_name="First")
    other_practitioner = make_practitioner(hours=((0, 6), (6, 22)), name="Daniel Okafor")
    start = dt.datetime.combine(setting["day"], dt.time(10), tzinfo=VANCOUVER)

    def row(patient, practitioner, **extra):
        return Appointment(
            patient=patient,
            practitioner=practitioner,
            location=setting["location"],
            type=setting["follow_up"],
            start=start,
            end=start + dt.timedelta(minutes=30),
            local_date=setting["day"],
            booked_by=setting["desk"],
            **extra,
        )

    row(first_patient, setting["practitioner"]).save()
    clash = (
        row(make_patient(legal_first_name="Second"), setting["practitioner"])
        if same == "practitioner"
        else row(first_patient, other_practitioner)
    )
    with (
        pytest.raises(IntegrityError, match=f"clinic_appt_no_{same}_overlap"),
        transaction.atomic(),
    ):
        clash.save()
    # A cancelled appointment does not hold the slot.
    clash.status = Appointment.Status.CANCELLED
    clash.save()


def test_concurrent_reminder_runs_send_each_reminder_exactly_once(setting):
    from django.core import mail

    from clinic.services.reminders import appointment_reminders_send

    for index in range(12):
        start = timezone.now() + dt.timedelta(hours=2, minutes=31 * index)
        write_appointment(
            make_patient(legal_first_name=f"R{index}", email=f"r{index}@example.com"),
            setting["practitioner"],
            start,
            setting["follow_up"],
            by=setting["desk"],
        )
    mail.outbox = []
    wins, refusals = race([appointment_reminders_send for _ in range(RACERS)])
    assert sum(wins) == 12
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"r{i}@example.com" for i in range(12))
