"""Issue 21, acceptance 4: a Cliniko-shaped and a Jane-shaped export (100 patients, 500
appointments, bad rows on known lines; interop/tests/fixtures/make_import_fixtures.py)
give the exact dry-run counts and line-numbered errors; importing twice creates no
duplicates; an interrupted import leaves nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib

from clinic.models import Appointment, Patient
from clinic.services import patient_possible_duplicates
from clinic.tests.factories import make_patient
from interop.models import ImportedRecord
from interop.services import ImportFileError, import_file
from interop.services.imports import DuplicateIndex, ImportInterrupted
from interop.tests.helpers import clinic_for_fixtures, fixture_bytes, run

pytestmark = pytest.mark.django_db

SOURCES = ("cliniko", "jane")
PREFIX = {"cliniko": "", "jane": "J"}
PHONE_RULE = "Enter a phone number of 7 to 20 digits; spaces, dashes and brackets are fine."


def patient_errors(source: str) -> list[dict]:
    prefix = PREFIX[source]
    return [
        {"line": 10, "reason": "missing first name"},
        {"line": 20, "reason": "missing last name"},
        {"line": 30, "reason": "date of birth “1985-02-30” is not a date (e.g. 1984-03-27)"},
        {"line": 40, "reason": "date of birth: Check the date: it cannot be in the future."},
        {"line": 50, "reason": f"duplicate id {prefix}100004 (also on line 5)"},
        {"line": 60, "reason": f"mobile phone “604-555-CALL”: {PHONE_RULE}"},
    ]


def appointment_errors(source: str) -> list[dict]:
    prefix = PREFIX[source]
    return [
        {"line": 15, "reason": "no practitioner named “Dr Nobody” here"},
        {"line": 25, "reason": "no location named “Downtown annex” here"},
        {
            "line": 35,
            "reason": "start or end “2026-02-30 10:00” is not a date and time "
            "(e.g. 2026-03-27 14:30)",
        },
        {"line": 45, "reason": f"duplicate id {prefix}900005 (also on line 6)"},
        {
            "line": 55,
            "reason": f"patient {prefix}100009 has not been imported "
            "(import the patient file first)",
        },
        {"line": 65, "reason": "ends before it starts"},
        {"line": 501, "reason": "not booked: Alex Moreau is already booked 12:00-12:30 (with "},
    ]


def _written() -> tuple[int, int, int, int]:
    return (
        Patient.objects.count(),
        Patient.history.count(),
        Appointment.objects.count(),
        ImportedRecord.objects.count(),
    )


@pytest.fixture
def admin():
    return clinic_for_fixtures()


@pytest.mark.parametrize("source", SOURCES)
def test_patient_dry_run_gives_exact_counts_errors_and_duplicates_and_writes_nothing(source, admin):
    existing = make_patient(
        legal_first_name="Grace", legal_last_name="Hopper", date_of_birth=dt.date(1956, 12, 9)
    )
    before = _written()

    report = run(source, "patients", admin).as_dict()

    assert report["total"] == 100
    assert report["counts"] == {"new": 94, "updated": 0, "skipped": 0, "invalid": 6}
    assert report["invalid"] == patient_errors(source)
    assert [(d["line"], [m["pk"] for m in d["matches"]]) for d in report["duplicates"]] == [
        (70, [existing.pk])
    ]
    assert _written() == before


@pytest.mark.parametrize("source", SOURCES)
def test_appointment_dry_run_then_import_twice_creates_no_duplicates(source, admin):
    run(source, "patients", admin, commit=True)
    patients = Patient.objects.count()
    assert patients == 94

    dry = run(source, "appointments", admin).as_dict()
    assert dry["counts"] == {"new": 492, "updated": 0, "skipped": 1, "invalid": 7}
    assert dry["skipped"] == [
        {"line": 499, "reason": "cancelled visit in the future: nothing to book"}
    ]
    got = [(row["line"], row["reason"]) for row in dry["invalid"]]
    want = appointment_errors(source)
    assert [line for line, _ in got] == [row["line"] for row in want]
    for (_line, reason), expected in zip(got, want, strict=True):
        assert reason.startswith(expected["reason"])
    assert Appointment.objects.count() == 0

    first = run(source, "appointments", admin, commit=True).as_dict()
    assert first["counts"] == dry["counts"]
    assert Appointment.objects.count() == 492
    after_first = _written()

    again_patients = run(source, "patients", admin, commit=True).as_dict()
    again = run(source, "appointments", admin, commit=True).as_dict()
    assert again_patients["counts"] == {"new": 0, "updated": 0, "skipped": 94, "invalid": 6}
    assert again["counts"] == {"new": 0, "updated": 0, "skipped": 493, "invalid": 7}
    assert _written() == after_first


@pytest.mark.parametrize("source", SOURCES)
def test_past_visits_keep_the_source_status_and_future_ones_are_booked(source, admin):
    run(source, "patients", admin, commit=True)
    run(source, "appointments", admin, commit=True)
    records = dict(
        ImportedRecord.objects.filter(kind="appointments").values_list(
            "source_id", "appointment__status"
        )
    )
    prefix = PREFIX[source]
    # Lines 2-5 of the file: arrived, did not arrive, cancelled, left unmarked.
    assert [records[f"{prefix}90000{n}"] for n in (1, 2, 3, 4)] == [
        "completed",
        "no_show",
        "cancelled",
        "completed",
    ]
    future = Appointment.objects.filter(start__gt=dt.datetime.now(dt.UTC))
    assert future.count() == 48  # 50 future rows: one cancelled, one refused
    assert set(future.values_list("status", flat=True)) == {"booked"}


@pytest.mark.parametrize(("kind", "stop_at"), [("patients", 60), ("appointments", 300)])
def test_an_interrupted_import_leaves_nothing_written(kind, stop_at, admin):
    if kind == "appointments":
        run("cliniko", "patients", admin, commit=True)
    before = _written()

    def crash(done: int, total: int) -> None:
        if done == stop_at:
            raise ImportInterrupted("worker killed")

    with pytest.raises(ImportInterrupted):
        run("cliniko", kind, admin, commit=True, on_row=crash)

    assert _written() == before


def test_a_changed_row_updates_its_patient_and_an_unchanged_one_is_skipped(admin):
    run("cliniko", "patients", admin, commit=True)
    data = tablib.Dataset().load(fixture_bytes("cliniko", "patients").decode(), format="csv")
    row = list(data[0])
    row[data.headers.index("email")] = "ava.new@example.org"
    data[0] = row

    report = import_file(
        data=data.export("csv").encode(),
        file_name="changed.csv",
        source="cliniko",
        kind="patients",
        mapping={h: h for h in data.headers}
        | {"preferred_name": "preferred_first_name", "sex": "gender"},
        by=admin,
        commit=True,
    ).as_dict()

    assert report["counts"] == {"new": 0, "updated": 1, "skipped": 93, "invalid": 6}
    patient = ImportedRecord.objects.get(source="cliniko", source_id="100001").patient
    assert patient.email == "ava.new@example.org"


def test_xlsx_gives_the_same_report_as_csv(admin):
    data = tablib.Dataset().load(fixture_bytes("jane", "patients").decode(), format="csv")
    from interop.services.import_presets import builtin_mapping

    report = import_file(
        data=data.export("xlsx"),
        file_name="Patient List.xlsx",
        source="jane",
        kind="patients",
        mapping=builtin_mapping("jane", "patients"),
        by=admin,
    ).as_dict()

    assert report["counts"] == {"new": 94, "updated": 0, "skipped": 0, "invalid": 6}
    assert [row["line"] for row in report["invalid"]] == [10, 20, 30, 40, 50, 60]


def test_the_bulk_duplicate_rule_agrees_with_registration(admin):
    """DuplicateIndex is registration's rule (patient_possible_duplicates) for many rows at
    once: for each fixture person, both find the same existing patients."""
    run("cliniko", "patients", admin, commit=True)
    index = DuplicateIndex()
    checked = 0
    for patient in Patient.objects.all()[:40]:
        fields = {
            "legal_first_name": patient.legal_first_name.upper(),
            "legal_last_name": patient.legal_last_name,
            "date_of_birth": patient.date_of_birth,
            "email": "",
            "phone": patient.phone,
        }
        registration = patient_possible_duplicates(**fields)
        assert index.matches(fields) == sorted(p.pk for p in registration)
        assert patient.pk in index.matches(fields)
        checked += 1
    assert checked == 40


def test_a_file_without_a_required_column_is_refused_with_the_columns_named(admin):
    with pytest.raises(ImportFileError) as refused:
        import_file(
            data=b"first_name,last_name\nAda,Lovelace\n",
            file_name="x.csv",
            source="cliniko",
            kind="patients",
            mapping={"first_name": "first_name", "last_name": "last_name"},
            by=admin,
        )
    assert "Patient id in the old system (not mapped)" in refused.value.message
    assert "Date of birth (not mapped)" in refused.value.message
    with pytest.raises(ImportFileError, match="empty"):
        import_file(
            data=b"", file_name="x.csv", source="jane", kind="patients", mapping={}, by=admin
        )
