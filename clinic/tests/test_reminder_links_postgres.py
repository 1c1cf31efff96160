"""Issue 20: a reminder link pressed twice at once (a double tap, two tabs) acts once, on
PostgreSQL where the row lock is real."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from clinic.models import Appointment, AppointmentType, DeskNotice
from clinic.services.reminder_links import reminder_link_token, reminder_link_use
from clinic.tests.factories import make_patient, make_practitioner, write_appointment
from clinic.tests.test_scheduling_postgres import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACERS = 6


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): row locks")


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_a_link_used_at_once_from_many_tabs_acts_exactly_once(front_desk, action):
    maya = make_practitioner(hours=((0, 6), (0, 23)), name="Maya Chen")
    visit = write_appointment(
        make_patient(),
        maya,
        timezone.now().replace(microsecond=0) + dt.timedelta(days=3),
        AppointmentType.objects.get(name="Follow-up"),
        by=front_desk,
    )
    token = reminder_link_token(visit, action)
    wins, _refusals = race(
        [lambda: reminder_link_use(pk=visit.pk, action=action, token=token)] * RACERS
    )
    states = sorted(link.state for link in wins)
    again = "confirmed" if action == "confirm" else "cancelled"
    assert states == sorted(["done"] + [again] * (RACERS - 1))
    assert DeskNotice.objects.count() == 1
    visit.refresh_from_db()
    if action == "confirm":
        assert visit.confirmed_via == Appointment.ConfirmedVia.LINK
    else:
        assert visit.status == Appointment.Status.CANCELLED
