"""On PostgreSQL: two patients accept offers of the same freed slot at the same moment
(issue 20, acceptance 3). Each acceptance locks the practitioner row, then its offer, and
books through the booking service: exactly one appointment is written, the other patient
gets "this time has been taken"."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import services
from clinic.models import Appointment, AppointmentType, WaitlistEntry, WaitlistOffer
from clinic.permissions import Role
from clinic.services.scheduling import Slot
from clinic.services.waitlist import waitlist_offer_token
from clinic.tests.factories import UserFactory, make_patient, make_practitioner

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): row locks between connections")


def test_two_patients_accepting_the_same_slot_at_once_book_it_once():
    desk = UserFactory(roles={Role.FRONT_DESK})
    maya = make_practitioner(UserFactory(roles={Role.PHYSIO}), name="Maya Chen")
    ims = AppointmentType.objects.get(name="IMS treatment")
    day = timezone.localdate() + dt.timedelta(days=14)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    slot = Slot(
        practitioner=maya,
        location=maya.locations.get(),
        start=dt.datetime.combine(day, dt.time(10), tzinfo=VANCOUVER),
        type=ims,
    )
    offers = []
    for name in ("Ada", "Bea"):
        patient = make_patient(
            legal_first_name=name,
            legal_last_name="Racer",
            email=f"{name}@example.org",
            email_confirmed=True,
        )
        entry = services.waitlist_entry_create(
            patient=patient, by=desk, type=ims, earliest_date=timezone.localdate()
        )
        offers.append(services.waitlist_offer_create(entry=entry, slot=slot, by=desk))
    urls = [reverse("clinic:waitlist_offer", args=[waitlist_offer_token(o)]) for o in offers]
    barrier = threading.Barrier(2)
    pages: dict[int, str] = {}
    errors: list[BaseException] = []

    def accept(index: int) -> None:
        try:
            client = Client()
            barrier.wait(10)
            response = client.post(urls[index])
            pages[index] = f"{response.status_code} {response.content.decode()}"
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    booked = [i for i, page in pages.items() if page.startswith("200") and "You are booked" in page]
    taken = [i for i, page in pages.items() if page.startswith("410") and "been taken" in page]
    assert len(booked) == 1
    assert len(taken) == 1
    assert Appointment.objects.filter(start=slot.start, practitioner=maya).count() == 1
    statuses = sorted(WaitlistOffer.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "gone"]
    assert sorted(WaitlistEntry.objects.values_list("status", flat=True)) == ["booked", "waiting"]
