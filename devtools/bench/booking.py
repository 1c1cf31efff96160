"""The booking contention benchmark: a plan of attempts for concurrent front-desk clients, and
the database checks afterwards.

Clients fight over a small set of free slots (a few practitioners, a few times, on three
days beyond the seeded bookings) for a small pool of patients, with IMS and follow-up visits
mixed, so every refusal the booking service knows happens under load: the practitioner is
taken, the patient is already booked at that time, and IMS visits closer than the minimum
interval (two of the three days are 2 and 6 days apart; the outer two, 8). Every client's
first attempt is the same slot for a different patient: exactly one may win it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from clinic.models import (
    Appointment,
    AppointmentType,
    Location,
    Patient,
    Practitioner,
    TimeOff,
    User,
)
from clinic.permissions import Role
from clinic.selectors.scheduling import min_interval
from clinic.services import user_set_roles
from clinic.services.reminders import spacing_violations

NOTE = "Benchmark booking"
DAY_OFFSETS = (0, 2, 8)  # IMS on day 0 and 2 (or 2 and 8) too close; 0 and 8 allowed
TIMES = (dt.time(9), dt.time(9, 30), dt.time(10), dt.time(10, 30))
PRACTITIONERS = 4
PATIENTS = 24


@dataclass
class Plan:
    first_day: dt.date
    days: list[dt.date]
    practitioners: list[Practitioner]
    patients: list[Patient]
    attempts: list[list[dict]]  # per client, the booking form's fields

    @property
    def slots(self) -> int:
        return len(self.days) * len(self.practitioners) * len(TIMES)


def desk_accounts(count: int) -> list[User]:
    """`count` front-desk accounts: seed_bench's bench-desk-N, topped up with more of the
    same kind, so each concurrent client is its own person with its own session."""
    users = []
    for n in range(1, count + 1):
        user = User.objects.filter(username=f"bench-desk-{n}").first()
        if user is None:
            user = User.objects.create(
                username=f"bench-desk-{n}",
                first_name="Desk",
                last_name=f"Extra {n}",
                email=f"bench-desk-{n}@bench-clinic.example",
            )
            user = user_set_roles(user=user, roles={Role.FRONT_DESK})
        users.append(user)
    return users


def _days(gap: int) -> list[dt.date]:
    """Weekdays beyond every seeded booking and at least an IMS interval after them."""
    last = Appointment.objects.order_by("-local_date").values_list("local_date", flat=True)
    latest = last.first() or timezone.localdate()
    first = max(latest, timezone.localdate()) + dt.timedelta(days=gap + 7)
    while first.weekday() != 0:  # a Monday, so day 2 (Wednesday) and 8 (Tuesday) are weekdays
        first += dt.timedelta(days=1)
    return [first + dt.timedelta(days=offset) for offset in DAY_OFFSETS]


def plan(*, clients: int, attempts: int, seed: int = 1) -> Plan:
    rng = random.Random(seed)  # noqa: S311 (a reproducible plan, not a secret)
    days = _days(min_interval())
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(days[0], dt.time.min, tzinfo=tz)
    day_end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    away = TimeOff.objects.filter(start__lt=day_end, end__gt=day_start).values("practitioner")
    location = (
        Location.objects.filter(active=True, practitioners__isnull=False).order_by("pk").first()
    )
    practitioners = list(
        Practitioner.objects.filter(active=True, locations=location)
        .exclude(pk__in=away)
        .order_by("pk")[:PRACTITIONERS]
    )
    if not practitioners:
        raise ValueError("No practitioner free for the booking benchmark.")
    # Patients with nothing booked near the benchmark's days (none are, past the seed).
    patients = list(
        Patient.objects.exclude(user__username="bench-fifty")
        .exclude(
            appointments__local_date__gte=days[0] - dt.timedelta(days=min_interval()),
        )
        .order_by("pk")[:PATIENTS]
    )
    ims = AppointmentType.objects.get(is_ims=True, active=True, duration_minutes=30)
    follow_up = (
        AppointmentType.objects.filter(is_ims=False, active=True, duration_minutes=30)
        .order_by("order")
        .first()
    )

    def form(practitioner, day, time, patient, kind) -> dict:
        return {
            "patient": patient.pk,
            "practitioner": practitioner.pk,
            "location": location.pk,
            "type": kind.pk,
            "date": day.isoformat(),
            "time": time.strftime("%H:%M"),
            "note": NOTE,
        }

    per_client = []
    for client in range(clients):
        # First, all clients race for one slot with different patients.
        mine = [form(practitioners[0], days[0], TIMES[0], patients[client % len(patients)], ims)]
        for _ in range(attempts - 1):
            mine.append(
                form(
                    rng.choice(practitioners),
                    rng.choice(days),
                    rng.choice(TIMES),
                    rng.choice(patients),
                    ims if rng.random() < 0.6 else follow_up,
                )
            )
        per_client.append(mine)
    return Plan(days[0], days, practitioners, patients, per_client)


def booked(plan: Plan) -> int:
    return _ours(plan).count()


def _ours(plan: Plan):
    return Appointment.objects.filter(note=NOTE, local_date__in=plan.days)


def remove(plan: Plan) -> int:
    """Delete the benchmark's bookings (and their change history): the next run starts from
    the same free slots."""
    with transaction.atomic():
        ids = list(_ours(plan).values_list("pk", flat=True))
        Appointment.history.filter(id__in=ids).delete()
        Appointment.objects.filter(pk__in=ids).delete()
    return len(ids)


OVERLAPS = """
SELECT {who}, id, start, "end", previous_end FROM (
    SELECT {who}, id, start, "end",
           max("end") OVER (PARTITION BY {who} ORDER BY start, id
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
    FROM clinic_appointment WHERE status <> 'cancelled'
) AS ordered
WHERE previous_end > start
"""


def violations() -> dict[str, list[str]]:
    """Every appointment in the database checked: a practitioner booked twice at once, a
    patient booked twice at once, IMS visits closer than the minimum interval without a
    physiotherapist's override (the nightly audit's own check)."""
    found: dict[str, list[str]] = {}
    checks = (("practitioner overlaps", "practitioner_id"), ("patient overlaps", "patient_id"))
    for label, who in checks:
        with connection.cursor() as cursor:
            cursor.execute(OVERLAPS.format(who=who))
            found[label] = [
                f"{who} {row[0]}: appointment {row[1]} starts {row[2]:%Y-%m-%d %H:%M} before "
                f"an earlier one ends ({row[4]:%H:%M})"
                for row in cursor.fetchall()
            ]
    found["IMS spacing"] = [
        f"patient {first.patient_id}: IMS on {first.day} and {second.day} ({days} days)"
        for first, second, days in spacing_violations()
    ]
    return found
