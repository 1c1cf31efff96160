"""Helpers for the import tests: the fixture files, moved to today, and a clinic they fit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import tablib
from django.utils import timezone

from clinic.models import Location
from clinic.permissions import Role
from clinic.tests.factories import UserFactory, make_practitioner
from interop.services.import_presets import builtin_mapping

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_TODAY = dt.date(2026, 12, 2)
MOMENT_COLUMNS = {
    "cliniko": ("starts_at", "ends_at", "cancelled_at"),
    "jane": ("Start", "End"),
}
FORMATS = {"cliniko": "%Y-%m-%dT%H:%M:%S", "jane": "%Y-%m-%d %I:%M %p"}


def fixture_bytes(source: str, kind: str) -> bytes:
    """A fixture file; appointment times moved by whole weeks from the day the fixtures were
    written to today (past stays past, weekdays stay), read and written with tablib."""
    path = FIXTURES / f"{source}_{kind}.csv"
    if kind == "patients":
        return path.read_bytes()
    weeks = (timezone.localdate() - FIXTURE_TODAY).days // 7
    shift = dt.timedelta(weeks=weeks)
    data = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    fmt = FORMATS[source]
    for column in MOMENT_COLUMNS[source]:
        moved = []
        for value in data[column]:
            try:
                moved.append((dt.datetime.strptime(value, fmt) + shift).strftime(fmt))
            except ValueError:
                moved.append(value)  # blank, or the impossible date on purpose
        del data[column]
        data.append_col(moved, header=column)
    return data.export("csv").encode()


def clinic_for_fixtures():
    """The clinic the fixtures name: two practitioners at the Main clinic (open every day
    8 to 18) and a clinic admin who imports."""
    location = Location.objects.get_or_create(name="Main clinic")[0]
    for name in ("Alex Moreau", "Sam Okafor"):
        make_practitioner(location=location, name=name)
    return UserFactory(roles={Role.CLINIC_ADMIN})


def run(source: str, kind: str, by, *, commit: bool = False, **kwargs):
    from interop.services import import_file

    return import_file(
        data=fixture_bytes(source, kind),
        file_name=f"{source}_{kind}.csv",
        source=source,
        kind=kind,
        mapping=builtin_mapping(source, kind),
        by=by,
        commit=commit,
        **kwargs,
    )
