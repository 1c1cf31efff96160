"""On PostgreSQL, with real concurrent transactions: signing a needling session (of any
visit type) and booking an IMS visit within the interval for the same patient are decided
one after the other, because both lock the patient row before reading the needlings that
count (issue 17: spacing counts every needling). Exactly one of the two wins."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from clinic.models import Appointment, AppointmentType, NeedlingDay
from clinic.services import BookingError, Slot, appointment_book
from treatments import services
from treatments.models import TreatmentSession
from treatments.tests.factories import complete_session, credential_for, ready_patient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 6


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): row locks under concurrent transactions")


def race(attempts) -> tuple[list, list]:
    barrier = threading.Barrier(len(attempts))
    wins, refusals, errors = [], [], []

    def run(attempt):
        try:
            barrier.wait()
            wins.append(attempt())
        except (BookingError, ValidationError) as refusal:
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


def test_signing_a_needling_and_booking_ims_three_days_later_leave_one_winner(physio, front_desk):
    credential_for(physio)
    practitioner = physio.practitioner
    ims = AppointmentType.objects.get(name="IMS treatment")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(10), tzinfo=timezone.get_current_timezone())
    outcomes = set()
    for _ in range(ROUNDS):
        patient = ready_patient(physio)
        draft = complete_session(physio, patient)  # today, no appointment
        slot = Slot(practitioner, practitioner.locations.first(), start, ims)

        def sign(draft=draft):
            return services.session_sign(session=draft, by=physio)

        def book(patient=patient, slot=slot):
            return appointment_book(patient=patient, slot=slot, by=front_desk)

        wins, refusals = race([sign, book])
        assert len(wins) == 1, f"{len(wins)} winners"
        assert len(refusals) == 1
        signed = TreatmentSession.objects.get(pk=draft.pk).is_signed
        booked = Appointment.objects.filter(patient=patient, is_ims=True).exists()
        assert signed != booked
        assert NeedlingDay.objects.filter(patient=patient).exists() == signed
        refusal = refusals[0]
        if signed:
            assert isinstance(refusal, BookingError)
            assert refusal.code == "spacing"
        else:
            assert any(m.startswith("IMS spacing:") for m in refusal.messages)
        outcomes.add("signed" if signed else "booked")
        # Free the slot for the next round's patient.
        Appointment.objects.filter(practitioner=practitioner, start=start).delete()
    assert outcomes  # at least one round decided; either order is correct
