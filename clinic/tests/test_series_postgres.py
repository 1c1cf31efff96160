"""On PostgreSQL: a weekly series racing a single booking for one of its slots (issue 20,
acceptance 1). The series is booked in one transaction through the booking service's
locks, so either the other booking is decided first and the series books nothing, or the
series is decided first and the other booking is refused; never a half-written series."""

from __future__ import annotations

import datetime as dt
import threading
import time
import zoneinfo

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from clinic import services
from clinic.models import Appointment, AppointmentType
from clinic.permissions import Role
from clinic.services.scheduling import BookingError, Slot, appointment_book
from clinic.services.series import Fit, SeriesError
from clinic.tests.factories import UserFactory, make_patient, make_practitioner

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): row locks between connections")


@pytest.fixture
def setting():
    physio = UserFactory(roles={Role.PHYSIO})
    desk = UserFactory(roles={Role.FRONT_DESK})
    maya = make_practitioner(physio, hours=((0, 6), (8, 18)), name="Maya Chen")
    patient = make_patient(legal_first_name="Jordan", legal_last_name="Avery")
    plan = services.care_plan_create(
        patient=patient,
        practitioner=maya,
        by=physio,
        condition="Right lateral elbow pain",
        region="upper_limb",
        goals="Lift the kettle without pain.",
        measure="QUICKDASH",
        sessions_planned=8,
        started_on=timezone.localdate(),
    )
    day = timezone.localdate() + dt.timedelta(days=14)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday
    where = {
        "practitioner": maya,
        "location": maya.locations.get(),
        "type": AppointmentType.objects.get(name="IMS treatment"),
    }
    proposal = services.series_propose(
        plan=plan,
        first_start=dt.datetime.combine(day, dt.time(10), tzinfo=VANCOUVER),
        by=desk,
        **where,
    )
    assert [p.fit for p in proposal] == [Fit.AS_ASKED] * 8
    other = make_patient(legal_first_name="Sam", legal_last_name="Other")
    return {"desk": desk, "plan": plan, "where": where, "proposal": proposal, "other": other}


def _waiting_for_a_lock(timeout: float = 20) -> bool:
    """Has another connection started waiting for a row lock (the series, queued behind
    the open booking)? Polled from the booking's own connection."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Inside a transaction the activity view is a snapshot: take a fresh one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def test_a_booking_racing_the_series_for_visit_5_leaves_the_series_unwritten(setting):
    """Between the proposal and the write, another desk books visit 5's slot for another
    patient; its transaction is still open when the series starts writing. The series
    waits on the practitioner's row lock, then sees the slot taken: nothing is written."""
    where, proposal = setting["where"], setting["proposal"]
    fifth = proposal[4].start
    booked = threading.Event()
    seen_waiting: list[bool] = []
    errors: list[BaseException] = []

    def other_desk():
        try:
            with transaction.atomic():
                appointment_book(
                    patient=setting["other"],
                    slot=Slot(start=fifth, **where),
                    by=setting["desk"],
                )
                booked.set()
                seen_waiting.append(_waiting_for_a_lock())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
            booked.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_desk)
    thread.start()
    assert booked.wait(30)
    with pytest.raises(SeriesError) as caught:
        services.series_book(
            plan=setting["plan"],
            starts=[p.start for p in proposal],
            by=setting["desk"],
            **where,
        )
    thread.join(60)
    assert errors == []
    assert seen_waiting == [True]  # the series really was queued behind the open booking
    assert [f.number for f in caught.value.failures] == [5]
    assert "Nothing was booked" in caught.value.message
    assert "already booked" in caught.value.message or "just taken" in caught.value.message
    assert Appointment.objects.filter(plan=setting["plan"]).count() == 0
    assert Appointment.objects.filter(patient=setting["other"], start=fifth).count() == 1


def test_when_the_series_is_decided_first_the_other_booking_is_refused(setting):
    """The other way round: the series holds the practitioner's lock; the single booking
    waits, then is refused, and the whole series stands."""
    where, proposal = setting["where"], setting["proposal"]
    fifth = proposal[4].start
    started = threading.Event()
    outcome: list = []

    def other_desk():
        try:
            assert started.wait(30)
            outcome.append(
                appointment_book(
                    patient=setting["other"], slot=Slot(start=fifth, **where), by=setting["desk"]
                )
            )
        except BookingError as refusal:
            outcome.append(refusal)
        except BaseException as error:  # noqa: BLE001 - reported below
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_desk)
    thread.start()
    with transaction.atomic():
        booked = services.series_book(
            plan=setting["plan"], starts=[p.start for p in proposal], by=setting["desk"], **where
        )
        started.set()
        assert _waiting_for_a_lock()  # the other desk is queued behind the series
    thread.join(60)
    assert len(booked) == 8
    assert len(outcome) == 1
    assert isinstance(outcome[0], BookingError)
    assert Appointment.objects.filter(plan=setting["plan"]).count() == 8
    assert not Appointment.objects.filter(patient=setting["other"]).exists()
