"""A large synthetic clinic for benchmarks (`manage.py seed_bench`): the shared machinery and
the front office (staff, locations, patients, intakes, consents, two years of appointments).

The clinical layers add their own rows in devtools.bench_data.assessments and .treatments:
`seed_bench` calls their `build(ctx)` in that order with the `BenchContext` built here.

Speed comes from writing rows, not model instances: `BulkWriter` sends plain tuples with
PostgreSQL's COPY (bulk_create elsewhere, e.g. SQLite in the tests) and assigns primary keys
itself, so related rows can point at each other before anything is written. Nothing here
calls save(), services or signals, so every column is set explicitly and every invariant the
services keep is kept by construction instead:

* a practitioner's appointments never overlap (one slot grid per practitioner and day), nor
  do a patient's (at most one visit per day);
* a patient's IMS visits are at least IMS_MIN_INTERVAL_DAYS clinic-local days apart, whatever
  their status;
* statuses follow the clock: the past is completed, no-show or cancelled, an appointment in
  progress is checked in, the future is booked (or cancelled), with matching timestamps.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from clinic import outcomes
from clinic.models import (
    Appointment,
    AppointmentType,
    CareTeamMember,
    Consent,
    Intake,
    Location,
    OutcomeScore,
    Patient,
    Practitioner,
    Room,
    ScreeningItem,
    TimeOff,
    User,
    WorkingHours,
)
from clinic.permissions import Role
from clinic.selectors.consent import consent_version_current
from clinic.services import user_set_roles

# Full-scale sizes (`--scale 1`). Appointments include the ones of the 50-session patient.
FULL_SCALE = {
    "practitioners": 20,
    "front_desk": 4,
    "patients": 20_000,
    "appointments": 200_000,
}
DAYS_BACK = 730  # two years of history ...
DAYS_AHEAD = 28  # ... and four weeks of bookings
BENCH_FIFTY = ("Bench", "Fifty")  # the patient with exactly 50 signed sessions
BENCH_FIFTY_SESSIONS = 50
COMMON_SURNAME = "Smith"  # ~1% of patients, for the search benchmark
COMMON_SURNAME_SHARE = 0.01
# Reference data that `seed_bench --reset` keeps (with its history and m2m tables).
KEEP_ON_RESET = (
    "clinic.AppointmentType",
    "clinic.ClinicPolicy",
    "clinic.ConsentVersion",
    "clinic.ScreeningItem",
)

# The working week: half-hour slots from 07:00; weekdays 07:00-19:00, Saturday 08:00-14:00.
SLOT_MINUTES = 30
IMS_SHARE = 0.4  # of the visits after an episode's initial assessment
DAY_OPENS = dt.time(7)
SLOTS_PER_DAY = 24
OPEN_SLOTS = {weekday: range(24) for weekday in range(5)} | {5: range(2, 14)}

LOCATIONS = (
    ("Kitsilano", "2150 West 4th Avenue, Vancouver, BC", "604-555-0140"),
    ("Downtown", "1055 West Georgia Street, Vancouver, BC", "604-555-0141"),
    ("North Shore", "1403 Lonsdale Avenue, North Vancouver, BC", "604-555-0142"),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Olivia Emma Charlotte Amelia Sophia Ava Isabella Mia Evelyn Harper Chloé Hélène Zoë "
    "Noémie Léa Camille Gabrielle Émilie Aiko Yuki Sakura Mei Ling Jia Xin Hana Ji-woo "
    "Seo-yeon Min-jun Priya Ananya Divya Aisha Fatima Noor Layla Amira Zainab Yasmin Ngozi "
    "Amara Chidinma Adaeze Kwame Kofi Emeka Tunde Oluwaseun Liam Noah Oliver Elijah James "
    "William Benjamin Lucas Henry Theodore Jack Levi Alexander Mateo Santiago Diego Javier "
    "Carlos Lucía Valentina Camila Sofía María José Luis Rafael Gabriel Thomas Samuel Ethan "
    "Owen Nathan Ryan Dylan Logan Hiroshi Kenji Takeshi Haruto Wei Jun Hao Arjun Rohan Vikram "
    "Ravi Sanjay Rahul Omar Hassan Ali Yusuf Mohammed Ibrahim Dmitri Ivan Sergei Anastasia "
    "Katarzyna Agnieszka Piotr Tomasz Siobhan Niamh Aoife Ciarán Seamus Bridget Margaret "
    "Dorothy Barbara Linda Patricia Susan Karen Nancy Robert Michael David Richard Joseph "
    "Charles Christopher Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kevin "
    "Brian George Edward Ronald Timothy Jason Jeffrey Grace Nora Ruby Hazel Aurora Willow "
    "Ingrid Astrid Freya Sven Lars Björn Malia Kai Koa Tala Sequoia Dakota Cheyenne Aponi"
)
PREFERRED = {
    "Alexander": "Alex", "Benjamin": "Ben", "Christopher": "Chris", "Daniel": "Dan",
    "Elizabeth": "Liz", "Katarzyna": "Kasia", "Margaret": "Maggie", "Matthew": "Matt",
    "Michael": "Mike", "Robert": "Bob", "Samuel": "Sam", "Theodore": "Teddy",
    "Valentina": "Vale", "William": "Will", "Anastasia": "Nastya", "Gabrielle": "Gabby",
}  # fmt: skip
SURNAMES = _words(
    "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier "
    "Bélanger Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Caron Beaulieu Cloutier "
    "Dubé Poirier Fournier Lapointe Leclerc Lefebvre Poulin Thibault St-Pierre Nadeau Martin "
    "Landry Martel Bédard Grenier Lessard Bernier Richard Michaud Hébert Desjardins Couture "
    "Turcotte Lachance Parent Blais Gosselin Savard Proulx Beaudoin Demers Perreault Wilson "
    "Brown Taylor Johnson Williams Jones Miller Davis Anderson Thomas Jackson White Harris "
    "Thompson Moore Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams "
    "Baker Nelson Carter Mitchell Roberts Campbell Stewart MacDonald MacLeod McKenzie Fraser "
    "Robertson Murray Reid Ross Hamilton Graham Kennedy Sinclair O'Neill O'Brien O'Connor "
    "Sullivan Murphy Walsh Byrne Doyle Fitzgerald Gallagher Nguyen Tran Le Pham Huynh Chen Wang "
    "Li Zhang Liu Huang Wu Lin Zhou Xu Sun Ma Wong Chan Leung Lam Cheung Ho Kim Lee Park Choi "
    "Jung Kang Cho Yoon Tanaka Suzuki Takahashi Watanabe Yamamoto Nakamura Kobayashi Sato "
    "Singh Sharma Patel Gill Sandhu Dhillon Grewal Sidhu Kaur Gupta Kumar Reddy Iyer Nair Shah "
    "Mehta Rao Das Khan Ahmed Hussain Rahman Ali Haddad Khoury Nasser Saleh Mansour Farah "
    "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores "
    "Rivera Gómez Díaz Reyes Morales Cruz Ortiz Silva Santos Oliveira Costa Ferreira Pereira "
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Müller Schmidt Schneider Fischer "
    "Weber Meyer Wagner Becker Hoffmann Kowalski Nowak Wiśniewski Wójcik Kowalczyk Petrov "
    "Ivanov Smirnov Popescu Horvat Novak Jansen de-Vries van-Dijk Bakker Visser Andersson "
    "Johansson Karlsson Nilsson Eriksson Larsen Hansen Pedersen Lindqvist Bergström Okafor "
    "Mensah Adeyemi Okonkwo Osei Boateng Abubakar Kamau Mwangi Otieno Tesfaye Haile Whitehorse "
    "Littlechild Cardinal Sparrow Thunderchild Manuel Joe George Jack Charlie"
)
STREETS = (
    "West 4th Avenue", "Commercial Drive", "Main Street", "Fraser Street", "Kingsway",
    "Granville Street", "Oak Street", "Cambie Street", "Victoria Drive", "Hastings Street",
    "Broadway", "Dunbar Street", "Lonsdale Avenue", "Marine Drive", "Knight Street",
    "Nanaimo Street", "Renfrew Street", "Arbutus Street", "Macdonald Street", "Denman Street",
)  # fmt: skip
CITIES = (
    ("Vancouver", "V5", 50), ("Vancouver", "V6", 25), ("North Vancouver", "V7", 10),
    ("Burnaby", "V5", 8), ("Richmond", "V6", 5), ("New Westminster", "V3", 2),
)  # fmt: skip
PHYSICIANS = (
    "", "", "", "Dr. R. Banerjee", "Dr. S. Wong", "Dr. A. Okoye", "Dr. M. Fournier",
    "Dr. J. Macdonald", "Dr. L. Huang", "Dr. P. Sidhu", "Dr. K. Nakamura",
)  # fmt: skip
INSURERS = (
    "", "", "Pacific Blue Cross", "Sun Life", "Manulife", "Canada Life", "ICBC", "WorkSafeBC",
)  # fmt: skip

# The intake's region (the outcome instrument's region) with its share of patients.
REGIONS = (("low_back", 35), ("neck", 30), ("upper_limb", 20), ("lower_limb", 15))
COMPLAINTS = {
    "neck": (
        "Neck pain and stiffness with headaches at the end of the work day.",
        "Pain between the shoulder blades spreading up the neck.",
        "Stiff neck after a car accident; turning to check the blind spot hurts.",
    ),
    "low_back": (
        "Low back pain that spreads into the buttock; sitting makes it worse.",
        "Sciatica down the back of the leg to the calf.",
        "Recurring low back pain since lifting at work.",
    ),
    "upper_limb": (
        "Pain on the outside of the elbow when gripping and lifting.",
        "Shoulder pain reaching overhead; wakes me at night.",
        "Numbness and tingling in the thumb and first fingers.",
    ),
    "lower_limb": (
        "Knee and calf pain when running or using stairs.",
        "Heel pain with the first steps in the morning.",
        "Hip and outer thigh pain lying on that side.",
    ),
}
MARKS = {
    "neck": ({"view": "back", "x": 0.5, "y": 0.17, "kind": "pain", "note": ""},),
    "low_back": (
        {"view": "back", "x": 0.5, "y": 0.47, "kind": "pain", "note": ""},
        {"view": "back", "x": 0.56, "y": 0.55, "kind": "paraesthesia", "note": "Tingling"},
    ),
    "upper_limb": ({"view": "front", "x": 0.2, "y": 0.42, "kind": "pain", "note": ""},),
    "lower_limb": ({"view": "front", "x": 0.41, "y": 0.72, "kind": "pain", "note": ""},),
}
ACTIVITIES = (
    "Sitting through a work meeting", "Carrying groceries", "Sleeping through the night",
    "Running 5 km", "Gardening", "Lifting my child", "Driving more than an hour",
    "Typing at the computer", "Playing tennis", "Climbing stairs", "Reaching overhead",
)  # fmt: skip
CANCEL_REASONS = (
    "Patient called: unwell", "Patient called: work conflict", "Practitioner unavailable",
    "Patient rescheduled", "Weather", "Family emergency",
)  # fmt: skip


# --- Writing rows ---------------------------------------------------------------------------


class BulkWriter:
    """Rows of one table as tuples in the order of `fields` (attnames: "patient_id"), sent
    every `chunk` rows. PostgreSQL gets them through COPY; other databases through
    bulk_create. Columns not named get their model default (computed once, so a field whose
    default must differ per row, e.g. a unique token, has to be named).

    With "id" among the fields the caller assigns keys with `next_id()` (sequences are
    reset afterwards by `reset_sequences`); without it the database numbers the rows.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str], *, chunk: int = 50_000):
        self.model = model
        opts = model._meta
        self.given = [opts.get_field(name) for name in fields]
        self.names = [f.attname for f in self.given]
        named = set(self.names)
        self.rest = []
        for f in opts.concrete_fields:
            if f.attname in named or f.primary_key:
                continue
            if f.unique:
                raise ValueError(f"{opts.label}.{f.name} is unique: give it per row.")
            default = f.get_default()
            if default is None and not f.null:
                raise ValueError(f"{opts.label}.{f.name} has no default: give it per row.")
            self.rest.append((f, default))
        self.chunk = chunk
        self.rows: list[tuple] = []
        self.written = 0
        self._next = None
        if "id" in named:
            top = model.objects.aggregate(top=Max("id"))["top"] or 0
            self._next = top + 1
        self.first_id = self._next  # the first key `next_id` hands out

    def next_id(self) -> int:
        value = self._next
        self._next += 1
        return value

    def add(self, *values: Any) -> None:
        self.rows.append(values)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self._copy()
        else:
            self._bulk_create()
        self.written += len(self.rows)
        self.rows = []

    def _copy(self) -> None:
        fields = self.given + [f for f, _ in self.rest]
        tail = tuple(_pg_value(f, v) for f, v in self.rest)
        json_at = [i for i, f in enumerate(self.given) if isinstance(f, models.JSONField)]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in self.rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i])
                copy.write_row((*row, *tail))

    def _bulk_create(self) -> None:
        objs = []
        for row in self.rows:
            values = dict(zip(self.names, row, strict=True))
            for f, default in self.rest:
                values[f.attname] = default
            objs.append(self.model(**values))
        self.model.objects.bulk_create(objs, batch_size=500)


def _pg_value(f: models.Field, value: Any) -> Any:
    return json.dumps(value) if isinstance(f, models.JSONField) else value


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """After rows were written with explicit keys, let the database number new rows after
    them (PostgreSQL identity sequences; SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# --- The context handed to the clinical layers -----------------------------------------------


class Visit(NamedTuple):
    """One appointment as the clinical layers need it."""

    id: int
    patient_id: int
    practitioner_id: int
    kind: str  # "initial", "ims" or "follow_up"
    start: dt.datetime
    end: dt.datetime
    local_date: dt.date
    status: str
    intake_id: int  # the intake of the episode this visit belongs to


@dataclass
class BenchPatient:
    id: int
    region: str  # the intake region: neck, low_back, upper_limb, lower_limb
    side: str  # "L" or "R": the affected side
    practitioner_index: int


@dataclass
class BenchPractitioner:
    id: int
    user_id: int
    location_id: int


@dataclass
class BenchContext:
    """What the front office built, in plain data, and how to write more rows."""

    seed: int
    scale: float
    now: dt.datetime
    today: dt.date
    first_day: dt.date
    practitioners: list[BenchPractitioner] = field(default_factory=list)
    desk_user_ids: list[int] = field(default_factory=list)
    patients: list[BenchPatient] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    bench_fifty_id: int | None = None
    # Models written with explicit keys (their sequences are reset at the end).
    keyed_models: list[type[models.Model]] = field(default_factory=list)
    # Data one clinical layer leaves for the next (e.g. assessments for treatments).
    shared: dict[str, Any] = field(default_factory=dict)

    def rng(self, salt: str) -> random.Random:
        """A generator per purpose, so adding rows in one layer does not reshuffle another."""
        return random.Random(f"{self.seed}:{salt}")  # noqa: S311 (synthetic data)

    def writer(self, model: type[models.Model], fields: Sequence[str]) -> BulkWriter:
        writer = BulkWriter(model, fields)
        if "id" in fields:
            self.keyed_models.append(model)
        return writer


def scaled(name: str, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(FULL_SCALE[name] * scale))


def uuid_from(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID from a seeded generator (deterministic tokens)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- Staff and places -----------------------------------------------------------------------


def build_staff(ctx: BenchContext, *, password: str | None) -> None:
    """Locations with a room per practitioner, physiotherapists with weekly hours and two
    weeks off a year, front desk and a clinic admin. Small: written through the ORM."""
    from django.contrib.auth.hashers import make_password

    rng = ctx.rng("staff")
    count = scaled("practitioners", ctx.scale)
    hashed = make_password(password)  # None gives an unusable password
    locations = [
        Location.objects.create(name=name, address=address, phone=phone)
        for name, address, phone in LOCATIONS
    ]

    def user(username: str, first: str, last: str, role: Role) -> User:
        account = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@bench-clinic.example",
            password=hashed,
        )
        return user_set_roles(user=account, roles={role})

    ctx.desk_user_ids = [
        user(f"bench-desk-{n}", rng.choice(FIRST_NAMES), rng.choice(SURNAMES), Role.FRONT_DESK).pk
        for n in range(1, scaled("front_desk", ctx.scale) + 1)
    ]
    user("bench-admin", "Morgan", "Avery", Role.CLINIC_ADMIN)

    rooms_used = {location.pk: 0 for location in locations}
    hours, time_off = [], []
    tz = timezone.get_current_timezone()
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        account = user(f"bench-physio-{index + 1:02d}", first, last, Role.PHYSIO)
        location = locations[index % len(locations)]
        practitioner = Practitioner.objects.create(
            user=account, display_name=f"{first} {last}", order=index
        )
        practitioner.locations.add(location)
        rooms_used[location.pk] += 1
        Room.objects.get_or_create(location=location, name=f"Room {rooms_used[location.pk]}")
        for weekday, slots in OPEN_SLOTS.items():
            hours.append(
                WorkingHours(
                    practitioner=practitioner,
                    location=location,
                    weekday=weekday,
                    start=_slot_time(slots.start),
                    end=_slot_time(slots.stop),
                )
            )
        # Two weeks off a year, Monday to Monday.
        monday = ctx.first_day - dt.timedelta(days=ctx.first_day.weekday())
        weeks = (ctx.today + dt.timedelta(days=DAYS_AHEAD) - monday).days // 7
        for week in rng.sample(range(weeks), k=min(weeks, 4)):
            begins = monday + dt.timedelta(weeks=week)
            time_off.append(
                TimeOff(
                    practitioner=practitioner,
                    start=dt.datetime.combine(begins, dt.time.min, tzinfo=tz),
                    end=dt.datetime.combine(begins + dt.timedelta(days=7), dt.time.min, tzinfo=tz),
                    kind=TimeOff.Kind.HOLIDAY,
                    note="Holiday",
                )
            )
        ctx.practitioners.append(BenchPractitioner(practitioner.pk, account.pk, location.pk))
    WorkingHours.objects.bulk_create(hours)
    TimeOff.objects.bulk_create(time_off)


def _slot_time(slot: int) -> dt.time:
    minutes = DAY_OPENS.hour * 60 + slot * SLOT_MINUTES
    return dt.time(minutes // 60, minutes % 60)


# --- Patients and their visit plans ---------------------------------------------------------


class _Planned(NamedTuple):
    gap: int  # days after the previous visit (the first: days after the timeline starts)
    kind: str  # "initial", "ims" or "follow_up"


def _visit_counts(rng: random.Random, patients: int, total: int) -> list[int]:
    """Visits per patient: a few come once, most for a course, some for several courses;
    scaled so that they add up to `total` exactly."""
    raw = []
    for _ in range(patients):
        roll = rng.random()
        if roll < 0.15:
            raw.append(rng.randint(1, 2))
        elif roll < 0.8:
            raw.append(rng.randint(5, 12))
        else:
            raw.append(rng.randint(13, 36))
    factor = total / max(1, sum(raw))
    counts = [max(1, int(n * factor + rng.random())) for n in raw]
    # Nudge to the exact total, one visit at a time on random patients.
    difference = total - sum(counts)
    while difference:
        index = rng.randrange(patients)
        if difference > 0:
            counts[index] += 1
            difference -= 1
        elif counts[index] > 1:
            counts[index] -= 1
            difference += 1
    return counts


def _plan(rng: random.Random, visits: int, interval: int) -> list[_Planned]:
    """Episodes of care: an initial assessment, then IMS visits (planned no closer than
    `interval` days) mixed with follow-ups; months pass between episodes."""
    plan: list[_Planned] = []
    while len(plan) < visits:
        episode = min(visits - len(plan), rng.randint(6, 14))
        plan.append(_Planned(rng.randint(60, 240) if plan else 0, "initial"))
        since_ims = None  # days since the episode's last IMS visit
        for _ in range(episode - 1):
            if rng.random() < IMS_SHARE:
                gap = rng.randint(3, 8)
                if since_ims is not None and since_ims + gap < interval:
                    gap = interval - since_ims + rng.randint(0, 2)
                plan.append(_Planned(gap, "ims"))
                since_ims = 0
            else:
                gap = rng.randint(2, 6)
                plan.append(_Planned(gap, "follow_up"))
                if since_ims is not None:
                    since_ims += gap
    return plan


class _Calendar:
    """Each practitioner's half-hour slot grid, day by day, with their days off closed."""

    def __init__(self, closed: dict[int, set[dt.date]]):
        self.closed = closed
        self.grid: dict[tuple[int, dt.date], bytearray] = {}

    def _day(self, practitioner: int, day: dt.date) -> bytearray | None:
        key = (practitioner, day)
        grid = self.grid.get(key)
        if grid is None:
            slots = OPEN_SLOTS.get(day.weekday())
            if slots is None or day in self.closed[practitioner]:
                return None
            grid = bytearray(b"\x01" * SLOTS_PER_DAY)
            for slot in slots:
                grid[slot] = 0
            self.grid[key] = grid
        return grid

    def book(self, rng: random.Random, practitioner: int, day: dt.date, length: int) -> int | None:
        """Take a random free run of `length` slots on that day; its first slot, or None."""
        grid = self._day(practitioner, day)
        if grid is None:
            return None
        free = [
            slot
            for slot in range(SLOTS_PER_DAY - length + 1)
            if not any(grid[slot : slot + length])
        ]
        if not free:
            return None
        slot = rng.choice(free)
        grid[slot : slot + length] = b"\x01" * length
        return slot

    def book_at(self, practitioner: int, day: dt.date, slot: int, length: int) -> bool:
        grid = self._day(practitioner, day)
        if grid is None or any(grid[slot : slot + length]):
            return False
        grid[slot : slot + length] = b"\x01" * length
        return True


def _closed_days(ctx: BenchContext) -> dict[int, set[dt.date]]:
    closed: dict[int, set[dt.date]] = {}
    for index, practitioner in enumerate(ctx.practitioners):
        days = set()
        for start, end in TimeOff.objects.filter(practitioner_id=practitioner.id).values_list(
            "start", "end"
        ):
            day = timezone.localtime(start).date()
            while day < timezone.localtime(end).date():
                days.add(day)
                day += dt.timedelta(days=1)
        closed[index] = days
    return closed


def build_front_office(ctx: BenchContext) -> None:
    """Patients (with intakes, outcome scores, screening answers and consent) and their
    appointments over two years and four weeks ahead."""
    rng = ctx.rng("patients")
    interval = settings.IMS_MIN_INTERVAL_DAYS
    types = {
        "initial": AppointmentType.objects.get(name="Initial assessment"),
        "ims": AppointmentType.objects.filter(is_ims=True).order_by("order").first(),
        "follow_up": AppointmentType.objects.get(name="Follow-up"),
    }
    lengths = {kind: -(-t.duration_minutes // SLOT_MINUTES) for kind, t in types.items()}
    patients = scaled("patients", ctx.scale, minimum=2)
    total = scaled("appointments", ctx.scale, minimum=patients)
    fifty_visits = BENCH_FIFTY_SESSIONS + 1
    counts = _visit_counts(rng, patients, max(patients, total - fifty_visits))

    calendar = _Calendar(_closed_days(ctx))
    last_day = ctx.today + dt.timedelta(days=DAYS_AHEAD)
    window = (last_day - ctx.first_day).days
    by_location: dict[int, list[int]] = {}
    for index, practitioner in enumerate(ctx.practitioners):
        by_location.setdefault(practitioner.location_id, []).append(index)

    # The designated chart: an initial assessment, then IMS every two weeks, all attended.
    fifty_plan = [_Planned(3, "initial")] + [_Planned(14, "ims")] * BENCH_FIFTY_SESSIONS
    plans: list[tuple[int, list[_Planned]]] = [(-1, fifty_plan)]
    for index, count in enumerate(counts):
        plans.append((index, _plan(rng, count, interval)))

    placed: dict[int, list[tuple[int, dt.date, int, str]]] = {}  # patient -> visits
    order = list(range(1, len(plans)))
    rng.shuffle(order)
    for position in [0, *order]:
        key, plan = plans[position]
        home = 0 if key < 0 else key % len(ctx.practitioners)
        span = sum(p.gap for p in plan)
        if span > window - 30:  # several long courses: shorter breaks between them
            plan = [p._replace(gap=rng.randint(20, 40)) if p.gap > 40 else p for p in plan]
            span = sum(p.gap for p in plan)
        if key < 0:
            day = ctx.first_day
        else:
            day = ctx.first_day + dt.timedelta(days=rng.randint(0, max(0, window - span)))
        visits, last_ims, previous = [], None, None
        for planned in plan:
            day = day + dt.timedelta(days=planned.gap)
            if previous is not None:
                day = max(day, previous + dt.timedelta(days=1))
            if planned.kind == "ims" and last_ims is not None:
                day = max(day, last_ims + dt.timedelta(days=interval))
            practitioner = home
            if key >= 0 and planned.kind != "initial" and rng.random() < 0.05:
                colleagues = by_location[ctx.practitioners[home].location_id]
                practitioner = rng.choice(colleagues)
            slot = None
            while slot is None:
                slot = calendar.book(rng, practitioner, day, lengths[planned.kind])
                if slot is None:
                    if practitioner != home and rng.random() < 0.5:
                        practitioner = home
                    else:
                        day += dt.timedelta(days=1)
            if day > last_day + dt.timedelta(days=30):
                break  # nobody books that far ahead: the rest of the course is not booked
            visits.append((practitioner, day, slot, planned.kind))
            previous = day
            if planned.kind == "ims":
                last_ims = day
        placed[key] = visits

    fifty_last = placed[-1][-1][1]
    if fifty_last >= ctx.today:
        raise RuntimeError(f"The 50-session patient's last visit fell on {fifty_last}.")

    _write_patients(ctx, rng, placed, types, lengths)


def _write_patients(ctx, rng, placed, types, lengths) -> None:
    """Write the patients (Bench Fifty first, so it gets the lowest id), an intake with
    scores per episode, consent at the first attended visit, and the placed appointments."""
    tz = timezone.get_current_timezone()
    now = ctx.now
    version = consent_version_current()
    if version is None:
        raise RuntimeError("No published consent version: run the migrations first.")
    precautions = list(
        ScreeningItem.objects.filter(
            severity=ScreeningItem.Severity.PRECAUTION, active=True
        ).exclude(code="anticoagulants")
    )
    anticoagulant_item = ScreeningItem.objects.filter(code="anticoagulants").first()
    regions = [region for region, _ in REGIONS]
    weights = [weight for _, weight in REGIONS]
    keys = sorted(placed, key=lambda k: (k >= 0, k))  # Bench Fifty first: the lowest id
    smiths = set(rng.sample(range(len(keys) - 1), k=round((len(keys) - 1) * COMMON_SURNAME_SHARE)))
    surnames = [s for s in SURNAMES if COMMON_SURNAME.lower() not in s.lower()]

    patient_w = ctx.writer(
        Patient,
        [
            "id", "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth",
            "sex", "gender", "pronouns", "phone", "email", "preferred_contact", "address_line1",
            "city", "province", "postal_code", "emergency_contact_name",
            "emergency_contact_relationship", "emergency_contact_phone", "health_number",
            "insurer", "insurer_policy_number", "referring_physician", "user_id",
            "search_text", "created_at", "updated_at",
        ],
    )  # fmt: skip
    intake_w = ctx.writer(
        Intake,
        [
            "id", "patient_id", "status", "channel", "created_at", "updated_at",
            "submitted_at", "submitted_by_id", "presenting_complaint", "pain_marks", "onset",
            "duration", "nprs_now", "nprs_best", "nprs_worst", "aggravating_factors",
            "easing_factors", "past_treatments", "medical_history", "medications",
            "anticoagulants", "anticoagulant_details", "screening_reviewed", "region",
            "region_answers", "psfs",
        ],
    )  # fmt: skip
    screening_w = ctx.writer(Intake.screening_items.through, ["intake_id", "screeningitem_id"])
    score_w = ctx.writer(
        OutcomeScore,
        ["patient_id", "instrument", "value", "maximum", "higher_is_worse", "recorded_at",
         "intake_id"],
    )  # fmt: skip
    consent_w = ctx.writer(
        Consent,
        ["patient_id", "version_id", "typed_name", "signed_at", "channel", "ip_address",
         "recorded_by_id"],
    )  # fmt: skip
    appointment_w = ctx.writer(
        Appointment,
        [
            "id", "patient_id", "practitioner_id", "location_id", "room_id", "type_id",
            "start", "end", "is_ims", "local_date", "status", "booked_via", "booked_by_id",
            "created_at", "checked_in_at", "completed_at", "cancelled_at", "cancelled_by_id",
            "cancel_reason", "reminder_claimed_at", "reminder_sent_at",
        ],
    )  # fmt: skip

    # The care team, as the desk assigns it when booking: each practitioner of a visit the
    # patient did not cancel or miss (booking alone grants no access; clinic.services.
    # care_team). Without it the benchmarked clinical pages would meet break-the-glass.
    care_w = ctx.writer(
        CareTeamMember, ["patient_id", "practitioner_id", "source", "added_by_id", "added_at"]
    )
    rooms = {}
    for practitioner in ctx.practitioners:
        order = [p for p in ctx.practitioners if p.location_id == practitioner.location_id]
        number = order.index(practitioner) + 1
        rooms[practitioner.id] = Room.objects.get(
            location_id=practitioner.location_id, name=f"Room {number}"
        ).pk
    day_base: dict[dt.date, dt.datetime] = {}
    fifty_user = None

    for position, key in enumerate(keys):
        visits = placed[key]
        patient_id = patient_w.next_id()
        if key < 0:
            first, last = BENCH_FIFTY
            fifty_user = User.objects.create(
                username="bench-fifty",
                first_name=first,
                last_name=last,
                email="bench.fifty@example.org",
            )
            user_set_roles(user=fifty_user, roles={Role.PATIENT})
            ctx.bench_fifty_id = patient_id
        else:
            first = rng.choice(FIRST_NAMES)
            last = COMMON_SURNAME if position - 1 in smiths else rng.choice(surnames)
            if rng.random() < 0.04:
                last = f"{last}-{rng.choice(surnames)}"
        region = "neck" if key < 0 else rng.choices(regions, weights)[0]
        side = rng.choice("LR")
        home = visits[0][0]
        ctx.patients.append(BenchPatient(patient_id, region, side, home))
        physio = ctx.practitioners[home]

        # Episodes start at each initial assessment; each has its own intake.
        first_start = _start(day_base, tz, visits[0][1], visits[0][2])
        # Registered two weeks before the first visit (and never in the future).
        created = first_start - dt.timedelta(days=14, minutes=rng.randint(0, 600))
        created = min(created, now - dt.timedelta(days=2, minutes=rng.randint(0, 600)))
        patient = _patient(rng, patient_id, first, last, key, created, fifty_user)
        patient_w.add(*patient)

        intake_id = None
        consent_done = False
        team: set[int] = set()
        for practitioner_index, day, slot, kind in visits:
            practitioner = ctx.practitioners[practitioner_index]
            start = _start(day_base, tz, day, slot)
            end = start + dt.timedelta(minutes=lengths[kind] * SLOT_MINUTES)
            if kind == "initial":
                intake_id = _intake(
                    ctx, rng, intake_w, screening_w, score_w, patient_id, region, start,
                    ctx.desk_user_ids, precautions, anticoagulant_item, fifty_user,
                )  # fmt: skip
            status = _status(rng, start, end, now, certain=(key < 0 or kind == "initial"))
            if not consent_done and status == Appointment.Status.COMPLETED:
                consent_w.add(
                    patient_id,
                    version.pk,
                    f"{patient[1]} {patient[2]}",
                    start + dt.timedelta(minutes=3),
                    Consent.Channel.PORTAL if fifty_user and key < 0 else Consent.Channel.CLINIC,
                    "10.0.0.1",
                    fifty_user.pk if key < 0 else physio.user_id,
                )
                consent_done = True
            appointment_id = appointment_w.next_id()
            appointment_w.add(
                appointment_id,
                patient_id,
                practitioner.id,
                practitioner.location_id,
                rooms[practitioner.id],
                types[kind].pk,
                start,
                end,
                kind == "ims",
                day,
                *_status_columns(rng, status, start, end, now, created, ctx.desk_user_ids),
            )
            ctx.visits.append(
                Visit(
                    appointment_id, patient_id, practitioner.id, kind, start, end, day, status,
                    intake_id,
                )
            )  # fmt: skip
            if practitioner.id not in team and status not in (
                Appointment.Status.CANCELLED,
                Appointment.Status.NO_SHOW,
            ):
                team.add(practitioner.id)
                care_w.add(
                    patient_id,
                    practitioner.id,
                    CareTeamMember.Source.ASSIGNED,
                    ctx.desk_user_ids[0],
                    created,
                )

    for writer in (
        patient_w, intake_w, screening_w, score_w, consent_w, appointment_w, care_w,
    ):  # fmt: skip
        writer.flush()
    if fifty_user is not None:
        Patient.objects.filter(pk=ctx.bench_fifty_id).update(user=fifty_user)


def _start(cache: dict, tz, day: dt.date, slot: int) -> dt.datetime:
    base = cache.get(day)
    if base is None:
        base = dt.datetime.combine(day, DAY_OPENS, tzinfo=tz).astimezone(dt.UTC)
        cache[day] = base
    return base + dt.timedelta(minutes=slot * SLOT_MINUTES)


def _patient(rng, patient_id, first, last, key, created, fifty_user) -> tuple:
    born = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(26_000))
    sex = rng.choices(["female", "male", "intersex", "undisclosed"], [52, 45, 1, 2])[0]
    email_name = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and ch != "'")
    email = f"{email_name}{patient_id}@example.org" if rng.random() < 0.9 else ""
    if fifty_user is not None and key < 0:
        email = fifty_user.email
    phone = f"{rng.choice(['604', '778', '236', '250'])}-555-{rng.randrange(10_000):04d}"
    city, prefix, _ = rng.choices(CITIES, [c[2] for c in CITIES])[0]
    postal = f"{prefix}{rng.choice('ABCGHJKLMNPRSTVXYZ')} {rng.randint(1, 9)}"
    postal += f"{rng.choice('ABCEGHJKLMNPRSTVWXYZ')}{rng.randint(0, 9)}"
    preferred = PREFERRED.get(first, "") if rng.random() < 0.6 else ""
    contact = rng.choice(FIRST_NAMES) + " " + last if rng.random() < 0.7 else ""
    health = f"9{rng.randrange(10**8, 10**9)}" if rng.random() < 0.8 else ""
    insurer = rng.choice(INSURERS)
    values = Patient(
        legal_first_name=first,
        legal_last_name=last,
        preferred_name=preferred,
        email=email,
        phone=phone,
    )
    return (
        patient_id,
        first,
        last,
        preferred,
        born,
        sex,
        "",
        "",
        phone,
        email,
        rng.choices(["email", "phone", "sms"], [60, 25, 15])[0] if email else "phone",
        f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
        city,
        "BC",
        postal,
        contact,
        rng.choice(["Partner", "Parent", "Friend", "Sibling"]) if contact else "",
        f"604-555-{rng.randrange(10_000):04d}" if contact else "",
        health,
        insurer,
        f"P{rng.randrange(10**6, 10**7)}" if insurer else "",
        rng.choice(PHYSICIANS),
        None,  # the portal account is linked afterwards
        values.build_search_text(),
        created,
        created,
    )


def _intake(
    ctx, rng, intake_w, screening_w, score_w, patient_id, region, visit_start, desk_ids,
    precautions, anticoagulant_item, fifty_user,
) -> int:  # fmt: skip
    """A submitted intake before the episode's first visit, with its three outcome scores."""
    intake_id = intake_w.next_id()
    submitted = visit_start - dt.timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 900))
    submitted = min(submitted, ctx.now - dt.timedelta(minutes=rng.randint(30, 600)))
    created = submitted - dt.timedelta(minutes=rng.randint(8, 40))
    anticoagulants = rng.choices(["no", "yes", "unsure"], [91, 6, 3])[0]
    instrument = outcomes.REGION_INSTRUMENT[region]
    answers = {item.key: rng.choice(item.options).value for item in instrument.items}
    ratings = [rng.randint(1, 7) for _ in range(rng.randint(1, 3))]
    psfs = [
        {"activity": activity, "rating": rating}
        for activity, rating in zip(rng.sample(ACTIVITIES, len(ratings)), ratings, strict=True)
    ]
    nprs = rng.randint(3, 9)
    portal = fifty_user is not None and patient_id == ctx.bench_fifty_id
    intake_w.add(
        intake_id,
        patient_id,
        Intake.Status.SUBMITTED,
        Intake.Channel.PORTAL if portal else Intake.Channel.CLINIC,
        created,
        submitted,
        submitted,
        fifty_user.pk if portal else rng.choice(desk_ids),
        rng.choice(COMPLAINTS[region]),
        list(MARKS[region]),
        rng.choice(["sudden", "gradual", "injury", "surgery", "unsure"]),
        rng.choice(["lt6w", "6w-3m", "3-6m", "6-12m", "gt1y"]),
        nprs,
        max(0, nprs - rng.randint(1, 4)),
        min(10, nprs + rng.randint(0, 3)),
        "Sitting, lifting, the end of the work day.",
        "Heat, walking, stretching.",
        rng.choice(["", "Massage; physiotherapy exercises.", "Chiropractic, acupuncture."]),
        rng.choice(["No major illnesses.", "High blood pressure.", "Asthma.", ""]),
        "Apixaban 5 mg." if anticoagulants == "yes" else rng.choice(["", "Ibuprofen as needed."]),
        anticoagulants,
        "Apixaban" if anticoagulants == "yes" else "",
        True,
        region,
        answers,
        psfs,
    )
    if anticoagulants == "yes" and anticoagulant_item is not None:
        screening_w.add(intake_id, anticoagulant_item.pk)
    if precautions and rng.random() < 0.2:
        screening_w.add(intake_id, rng.choice(precautions).pk)
    scores = [
        ("NPRS", outcomes.score_nprs(nprs)),
        ("PSFS", outcomes.score_psfs(ratings)),
        (instrument.code, instrument.score(answers)),
    ]
    for code, score in scores:
        score_w.add(
            patient_id, code, score.value, score.maximum, score.higher_is_worse, submitted,
            intake_id,
        )  # fmt: skip
    return intake_id


def _status(rng, start, end, now, *, certain: bool) -> str:
    """What became of the visit by `now`. `certain` visits (initial assessments, the
    designated chart) were attended if past."""
    status = Appointment.Status
    if start > now:
        return status.CANCELLED if not certain and rng.random() < 0.05 else status.BOOKED
    if end > now:
        return status.CHECKED_IN
    if certain:
        return status.COMPLETED
    roll = rng.random()
    if roll < 0.08:
        return status.CANCELLED
    if roll < 0.11:
        return status.NO_SHOW
    return status.COMPLETED


def _status_columns(rng, status, start, end, now, registered, desk_ids) -> tuple:
    """status, booked_via, booked_by, created_at, checked_in_at, completed_at, cancelled_at,
    cancelled_by, cancel_reason, reminder_claimed_at, reminder_sent_at. Booked after the
    patient was registered, before the visit and before now."""
    booked = start - dt.timedelta(days=rng.randint(1, 21), minutes=rng.randint(0, 600))
    booked = min(max(booked, registered + dt.timedelta(hours=1)), now - dt.timedelta(hours=1))
    checked_in = completed = cancelled = cancelled_by = None
    reason = ""
    if status in (Appointment.Status.COMPLETED, Appointment.Status.CHECKED_IN):
        checked_in = start - dt.timedelta(minutes=rng.randint(0, 12))
    if status == Appointment.Status.COMPLETED:
        completed = min(now, end + dt.timedelta(minutes=rng.randint(0, 10)))
    if status == Appointment.Status.CANCELLED:
        cancelled = min(now, start - dt.timedelta(hours=rng.randint(2, 72)))
        cancelled = max(cancelled, booked + dt.timedelta(minutes=5))
        cancelled_by = rng.choice(desk_ids)
        reason = rng.choice(CANCEL_REASONS)
    reminded = start - dt.timedelta(hours=24)
    reminded = reminded if reminded <= now and reminded > booked else None
    if status == Appointment.Status.CANCELLED and cancelled and reminded and reminded > cancelled:
        reminded = None
    return (
        status,
        Appointment.Via.DESK,
        rng.choice(desk_ids),
        booked,
        checked_in,
        completed,
        cancelled,
        cancelled_by,
        reason,
        reminded,
        reminded,
    )
