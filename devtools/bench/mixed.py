"""The mixed-load run of `manage.py bench`: many simulated people using the site at once
(devtools/bench/client.py's `mixed` job), against the same gunicorn as the rest of the bench.

- front desk: search for a patient, open the booking form, book a free slot (each desk
  person has slots of their own, beyond every seeded booking and the contention run's days,
  each for a different patient, so a refusal is rare and, when it happens, expected);
- physiotherapists: open a patient's chart, open their draft session note for that
  patient and autosave it as they type (the session form's autosave endpoint), fetching
  what each page loads as soon as it shows (hx-trigger="load": the chart's readiness, the
  form's sites, site entry form, re-tests, readiness and sign panel) and the sign panel
  after each save;
- patients: open their documents page (Bench Fifty, the one portal account seed_bench makes,
  signed in once per simulated patient).

Afterwards the bookings are deleted (with their change history), and the draft notes get
their previous plan back and lose the history rows the autosaves wrote. The drafts
themselves (one per simulated physiotherapist, opened through the service when missing)
stay for the next run, as the page benchmark's draft does.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.models import Appointment, AppointmentType, Patient, Practitioner, TimeOff, User
from clinic.selectors.scheduling import min_interval
from devtools.bench import BenchFailed, booking
from devtools.bench.clinical import bench_fifty
from treatments import services as treatment_services
from treatments.models import TreatmentSession

NOTE = "Benchmark mixed-load booking"
TIMES = [dt.time(9 + n // 2, 30 * (n % 2)) for n in range(16)]  # 09:00-16:30
SAVES_PER_VISIT = 3
DRAFT_NOTE = "Mixed-load note"


@dataclass
class MixedPlan:
    users: list[dict]  # the client's job, one entry per simulated person
    accounts: list[User]  # every account that signs in (for benchmark.prepare_accounts)
    staff: set[int]
    days: list[dt.date]
    drafts: dict[int, str] = field(default_factory=dict)  # draft id -> its plan before
    started: dt.datetime | None = None

    def count(self, role: str) -> int:
        return sum(1 for user in self.users if user["role"] == role)


def split(users: int) -> dict[str, int]:
    """40 people: 16 at the front desk, 16 physiotherapists, 8 patients."""
    patients = max(1, users // 5)
    desk = max(1, (users - patients) // 2)
    return {"desk": desk, "physio": users - patients - desk, "patient": patients}


def _days(count: int) -> list[dt.date]:
    """`count` weekdays after the contention run's days, far enough after them that its
    IMS bookings (there while this run books) do not meet this run's patients' in the IMS
    spacing rule."""
    day = booking._days(min_interval())[-1] + dt.timedelta(days=min_interval() + 7)
    days = []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _physio_drafts(count: int) -> list[TreatmentSession]:
    """A draft session for each simulated physiotherapist: the practitioners with signed
    sessions taken in turn, each with a patient of theirs other than Bench Fifty (a draft
    of an earlier run is used again)."""
    fifty = bench_fifty()
    signed = TreatmentSession.objects.filter(status=TreatmentSession.Status.SIGNED)
    practitioners = list(
        Practitioner.objects.filter(active=True, pk__in=signed.values("practitioner"))
        .select_related("user")
        .order_by("pk")
    )
    if not practitioners:
        raise BenchFailed("No practitioner with signed sessions: run seed_bench.")
    drafts = []
    for n in range(count):
        practitioner = practitioners[n % len(practitioners)]
        nth = n // len(practitioners)
        patients = list(
            signed.filter(practitioner=practitioner)
            .exclude(patient=fifty)
            .order_by("patient_id")
            .values_list("patient_id", flat=True)
            .distinct()[: nth + 1]
        )
        if len(patients) <= nth:
            raise BenchFailed(f"{practitioner} has too few patients for {count} physios.")
        patient = Patient.objects.get(pk=patients[nth])
        draft = (
            TreatmentSession.objects.filter(
                patient=patient, practitioner=practitioner, status=TreatmentSession.Status.DRAFT
            )
            .order_by("pk")
            .first()
        )
        if draft is None:
            draft = treatment_services.session_start(patient=patient, practitioner=practitioner)
        drafts.append(draft)
    return drafts


def _bookings(desk: int, per_person: int, seed: int) -> tuple[list[list[dict]], list[dt.date]]:
    """Free slots, none shared between two desk people, each for a patient with nothing
    booked near the days (a different patient each time while the pool lasts)."""
    needed = desk * per_person
    practitioners = list(
        Practitioner.objects.filter(active=True, locations__isnull=False).distinct().order_by("pk")
    )
    if not practitioners:
        raise BenchFailed("No practitioner to book with.")
    per_day = len(practitioners) * len(TIMES)
    days = _days(math.ceil(needed / per_day) + 1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(days[0], dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    away = {
        (row["practitioner"], day)
        for row in TimeOff.objects.filter(start__lt=end, end__gt=start).values(
            "practitioner", "start", "end"
        )
        for day in days
        if timezone.localdate(row["start"]) <= day <= timezone.localdate(row["end"])
    }
    patients = list(
        Patient.objects.exclude(user__username="bench-fifty")
        .exclude(appointments__local_date__gte=days[0] - dt.timedelta(days=min_interval()))
        .order_by("pk")
        .values_list("pk", flat=True)[:needed]
    )
    if not patients:
        raise BenchFailed("No patient free to book for the mixed run.")
    ims = AppointmentType.objects.get(is_ims=True, active=True, duration_minutes=30)
    follow_up = (
        AppointmentType.objects.filter(is_ims=False, active=True, duration_minutes=30)
        .order_by("order")
        .first()
    )
    rng = random.Random(seed)  # noqa: S311 (a reproducible plan, not a secret)
    locations = {p.pk: p.locations.order_by("pk").first().pk for p in practitioners}
    slots = [
        (practitioner, day, time)
        for day in days
        for time in TIMES
        for practitioner in practitioners
        if (practitioner.pk, day) not in away
    ]
    plans: list[list[dict]] = [[] for _ in range(desk)]
    for n, (practitioner, day, time) in enumerate(slots[:needed]):
        plans[n % desk].append(
            {
                "patient": patients[n % len(patients)],
                "practitioner": practitioner.pk,
                "location": locations[practitioner.pk],
                "type": (ims if rng.random() < 0.6 else follow_up).pk,
                "date": day.isoformat(),
                "time": time.strftime("%H:%M"),
                "note": NOTE,
            }
        )
    return plans, days


def plan(*, users: int, seconds: float, think: float, desk_from: int, seed: int = 1) -> MixedPlan:
    """The simulated people and what each of them does; `desk_from` is the first
    bench-desk-N account number the run may use (the others' are busy elsewhere)."""
    counts = split(users)
    # At most one booking per think time and a half (search, form, post), plus a margin.
    per_person = math.ceil(seconds / max(think * 1.5, 0.05)) + 5
    bookings, days = _bookings(counts["desk"], per_person, seed)
    desk_users = booking.desk_accounts(desk_from + counts["desk"] - 1)[desk_from - 1 :]
    surnames = list(
        Patient.objects.order_by("legal_last_name")
        .values_list("legal_last_name", flat=True)
        .distinct()[:200]
    )
    rng = random.Random(seed)  # noqa: S311
    searches = rng.sample(surnames, min(50, len(surnames)))
    searches += [name[:4].lower() for name in searches[:10]]
    floor = reverse("floor")
    people: list[dict] = []
    for n, user in enumerate(desk_users):
        people.append(
            {
                "role": "desk",
                "username": user.username,
                "search": reverse("clinic:patient_list"),
                "book": reverse("clinic:appointment_new"),
                "searches": searches,
                "bookings": bookings[n],
                "check": floor,
            }
        )
    drafts = _physio_drafts(counts["physio"])
    physios: dict[int, User] = {}
    for draft in drafts:
        user = draft.practitioner.user
        physios[user.pk] = user
        people.append(
            {
                "role": "physio",
                "username": user.username,
                "chart": reverse("treatments:chart", args=[draft.patient_id]),
                "session": reverse("treatments:session_edit", args=[draft.pk]),
                "save": reverse("treatments:session_save", args=[draft.pk]),
                "saves_per_visit": SAVES_PER_VISIT,
                "note": DRAFT_NOTE,
                "check": floor,
            }
        )
    fifty = bench_fifty()
    documents = reverse("treatments:portal_documents")
    for _ in range(counts["patient"]):
        people.append(
            {
                "role": "patient",
                "username": fifty.user.username,
                "documents": documents,
                "check": documents,
            }
        )
    accounts = {u.pk: u for u in [*desk_users, *physios.values(), fifty.user]}
    return MixedPlan(
        users=people,
        accounts=list(accounts.values()),
        staff={u.pk for u in [*desk_users, *physios.values()]},
        days=days,
        drafts={draft.pk: draft.plan for draft in drafts},
    )


def job(mixed: MixedPlan, accounts: dict[int, dict], *, host: str, port: int, seconds: float,
        think: float, seed: int = 1) -> dict:  # fmt: skip
    """The client's job: each person with the account they sign in with."""
    by_name = {account["username"]: account for account in accounts.values()}
    users = []
    for person in mixed.users:
        account = {**by_name[person["username"]], "check": person["check"]}
        users.append({**person, "account": account})
    return {
        "job": "mixed",
        "host": host,
        "port": port,
        "seconds": seconds,
        "think_s": think,
        "seed": seed,
        "users": users,
    }


def booked() -> int:
    return Appointment.objects.filter(note=NOTE).count()


def clean_up(mixed: MixedPlan) -> dict[str, int]:
    """Delete the run's bookings (and their history); give the drafts their plan back and
    drop the history rows their autosaves wrote."""
    with transaction.atomic():
        ids = list(Appointment.objects.filter(note=NOTE).values_list("pk", flat=True))
        Appointment.history.filter(id__in=ids).delete()
        Appointment.objects.filter(pk__in=ids).delete()
        history = 0
        for pk, text in mixed.drafts.items():
            TreatmentSession.objects.filter(pk=pk).update(plan=text)
            if mixed.started is not None:
                history += TreatmentSession.history.filter(
                    id=pk, history_date__gte=mixed.started
                ).delete()[0]
    return {"bookings": len(ids), "history": history}


def remove_leftovers() -> int:
    """Bookings of an interrupted earlier run."""
    with transaction.atomic():
        ids = list(Appointment.objects.filter(note=NOTE).values_list("pk", flat=True))
        Appointment.history.filter(id__in=ids).delete()
        Appointment.objects.filter(pk__in=ids).delete()
    return len(ids)


# --- Figures -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


PAGE_ORDER = (
    "patient search",
    "booking form",
    "booking (post)",
    "patient chart",
    "patient chart readiness",
    "patient chart scores",
    "session form",
    "session form entries",
    "session form sites",
    "session form retests",
    "session form readiness",
    "session form sign panel",
    "autosave",
    "portal documents",
)


def figures(result: dict) -> dict:
    """Throughput, per-page counts and percentiles (wall time, as the people saw it, and
    the server's own time), errors."""
    elapsed = result["elapsed_s"]
    pages = {}
    total = 0
    names = [n for n in PAGE_ORDER if n in result["pages"]]
    names += sorted(set(result["pages"]) - set(PAGE_ORDER))
    for name in names:
        row = result["pages"][name]
        wall, server = row["wall_ms"], row["server_ms"]
        total += len(wall)
        pages[name] = {
            "n": len(wall),
            "per_s": len(wall) / elapsed,
            "wall": {q: percentile(wall, q) for q in (50, 95, 99)},
            "server": {q: percentile(server, q) for q in (50, 95, 99)} if server else None,
        }
    return {
        "elapsed_s": elapsed,
        "requests": total,
        "per_s": total / elapsed if elapsed else 0.0,
        "pages": pages,
        "errors": result["errors"],
        "refusals": result["refusals"],
        "booked": result["booked"],
    }
