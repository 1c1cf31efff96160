"""Synthetic patients for search benchmarks and the index test (not demo data)."""

from __future__ import annotations

import datetime as dt
import random

from clinic.models import Patient

FIRST = [
    "Hélène",
    "Jordan",
    "Samuel",
    "Aiko",
    "Mateo",
    "Priya",
    "Liam",
    "Zoë",
    "Kwame",
    "Olivia",
    "Ethan",
    "Fatima",
    "Noah",
    "Amelia",
    "Ravi",
    "Chloé",
    "Lucas",
    "Grace",
    "Hiroshi",
    "Isabella",
    "Owen",
    "Mei",
    "Benjamin",
    "Sofia",
    "Thomas",
    "Aaliyah",
]
LAST = [
    "Tremblay",
    "Avery",
    "O'Neill",
    "Tanaka",
    "García",
    "Patel",
    "MacDonald",
    "Lefèvre",
    "Mensah",
    "Nguyen",
    "Kowalski",
    "Haddad",
    "Desjardins",
    "Brooks",
    "Sharma",
    "Gagnon",
    "Silva",
    "Whitehorse",
    "Yamamoto",
    "Rossi",
    "Fitzgerald",
    "Lin",
    "Cohen",
    "Petrov",
    "Bergström",
    "Johnson",
    "Chang",
    "St-Pierre",
    "Hernández",
    "Lindqvist",
]


SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "sen",
    "dal",
    "vor",
    "li",
    "tan",
    "bek",
    "ou",
    "ria",
    "zu",
    "ham",
    "pel",
    "ty",
    "gor",
    "nes",
    "wa",
    "chi",
    "lund",
    "ez",
    "bra",
    "mo",
    "quin",
]


def surname(rng: random.Random) -> str:
    """A made-up surname; a real clinic's surnames are about this diverse."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def bulk_patients(count: int, *, seed: int = 7) -> int:
    """Insert `count` plausible patients (with search text) in batches; returns the count.

    One in fifty has a surname from the real-world list above (accents, apostrophes), the
    rest made-up ones, so a name fragment matches as few rows as it would in a clinic.
    """
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    batch: list[Patient] = []
    for index in range(count):
        first = rng.choice(FIRST)
        last = rng.choice(LAST) if index % 50 == 0 else surname(rng)
        patient = Patient(
            legal_first_name=first,
            legal_last_name=last,
            date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(23000)),
            email=f"p{index}@example.org",
            phone=f"{rng.choice(['604', '778', '250'])}-555-{index % 10000:04d}",
        )
        patient.search_text = patient.build_search_text()
        batch.append(patient)
        if len(batch) == 2000:
            Patient.objects.bulk_create(batch)
            batch = []
    Patient.objects.bulk_create(batch)
    return count
