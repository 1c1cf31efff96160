"""Importing patients and appointments from another clinic system's export (CSV or XLSX).

One function does the work, `import_file`, and the dry run is that same work rolled back:
every row is checked, written inside one transaction, and the transaction is undone unless
`commit=True`. So the dry run's counts are exactly what the import will do, conflicts
between rows of the same file included, and an import that fails half-way (a crash, a
killed worker, a constraint) leaves nothing written.

Rows are matched to earlier imports by the source system's id (`ImportedRecord`, unique per
source, kind and id): a patient seen before is updated if the file changed them, skipped if
not; an appointment seen before is skipped. Running the same file twice creates nothing new.

Appointments: a visit in the past is history and is written as the source says (completed,
no-show or cancelled; a past visit the source left unmarked counts as completed), without
the booking rules; a visit in the future goes through `appointment_book` (hours, overlaps,
IMS spacing, horizon) and a refusal is reported on its line, never forced. Practitioners,
locations and appointment types are matched by name to the clinic's own.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clinic import search
from clinic.contact import phone_normalize, postal_code_normalize
from clinic.models import Appointment, AppointmentType, Location, Patient, Practitioner, User
from clinic.models.patients import phone_validator
from clinic.queueing import send_after_commit
from clinic.services import patient_update
from clinic.services.dashboard_facts import (
    dashboard_days_refresh,
    first_visits_refresh,
    plan_activity_refresh,
)
from clinic.services.scheduling import BookingError, Slot, appointment_book, clinic_date
from interop.models import ImportedRecord, ImportJob, ImportKind, ImportPreset, ImportSource
from interop.services.import_presets import FIELDS, header_key
from interop.tasks import import_job_run_task

logger = logging.getLogger(__name__)

# Rows listed per section of a report (the counts are always exact); a file with more bad
# rows than this needs its mapping fixed, not a longer list.
REPORT_ROWS_MAX = 500
PROGRESS_EVERY = 250
MAX_FILE_BYTES = 50 * 1024 * 1024

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M%p")
TRUE_WORDS = {"true", "yes", "y", "1", "t"}


class ImportFileError(Exception):
    """The file cannot be read at all (not CSV/XLSX, no header, a required column not
    mapped). `message` is for the admin."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportInterrupted(Exception):
    """Raised by tests (through `on_row`) to prove an interrupted import writes nothing."""


@dataclass
class Report:
    """What a run did (or, in a dry run, would do). Line numbers are the spreadsheet's: the
    header is line 1, the first record line 2."""

    kind: str
    commit: bool
    total: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "updated": 0, "skipped": 0, "invalid": 0}
    )
    invalid: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, outcome: str, line: int, reason: str = "") -> None:
        self.counts[outcome] += 1
        listed = {"invalid": self.invalid, "skipped": self.skipped}.get(outcome)
        if listed is not None and len(listed) < REPORT_ROWS_MAX:
            listed.append({"line": line, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "commit": self.commit,
            "total": self.total,
            "counts": dict(self.counts),
            "invalid": self.invalid,
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "ignored_columns": self.ignored_columns,
            "seconds": round(self.seconds, 2),
        }


# --- Reading the file -------------------------------------------------------------------------


def read_table(data: bytes, file_name: str) -> tablib.Dataset:
    """The file as a tablib Dataset with headers: XLSX by its name, CSV otherwise (UTF-8,
    with or without a byte-order mark, else Windows-1252 as older exports write)."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError("The file is larger than 50 MB; split it and import the parts.")
    try:
        if file_name.lower().endswith(".xlsx"):
            dataset = tablib.Dataset().load(data, format="xlsx")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
            if not text.strip():
                raise ImportFileError("The file is empty.")
            dataset = tablib.Dataset().load(text, format="csv")
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 (tablib and openpyxl raise many kinds)
        raise ImportFileError(f"The file could not be read as CSV or XLSX ({error}).") from None
    if not dataset.headers or not any(dataset.headers):
        raise ImportFileError("The file has no header row.")
    return dataset


def file_headers(data: bytes, file_name: str) -> list[str]:
    return [str(header or "") for header in read_table(data, file_name).headers]


def _columns(dataset: tablib.Dataset, kind: str, mapping: dict[str, str]) -> dict[str, int]:
    """Field key -> column index; ImportFileError naming every required field without a
    column."""
    index = {header_key(header): i for i, header in enumerate(dataset.headers)}
    columns: dict[str, int] = {}
    missing = []
    for spec in FIELDS[kind]:
        header = mapping.get(spec.key, "")
        if header and header_key(header) in index:
            columns[spec.key] = index[header_key(header)]
        elif spec.required:
            missing.append(f"{spec.label} ({header or 'not mapped'})")
    if missing:
        raise ImportFileError("No column for: " + "; ".join(missing) + ".")
    return columns


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet's number id: 1234.0 -> "1234"
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    return str(value).strip()


def _rows(dataset: tablib.Dataset, columns: dict[str, int]) -> Iterable[tuple[int, dict]]:
    for number, row in enumerate(dataset, start=2):
        values = {key: _cell(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if any(value not in ("", None) for value in values.values()):
            yield number, values


# --- Values ---------------------------------------------------------------------------------


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) > 10 else dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date (e.g. 1984-03-27)") from None


def parse_moment(value: Any) -> dt.datetime:
    """A date and time; one without an offset is the clinic's local time."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip()
        moment = None
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for date_fmt in DATE_FORMATS:
                for time_fmt in TIME_FORMATS:
                    try:
                        moment = dt.datetime.strptime(text, f"{date_fmt} {time_fmt}")
                        break
                    except ValueError:
                        continue
                if moment:
                    break
        if moment is None:
            raise ValueError(f"“{text}” is not a date and time (e.g. 2026-03-27 14:30)")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _truthy(value: Any) -> bool:
    return str(value).strip().casefold() in TRUE_WORDS


_SEX_WORDS = {
    "f": Patient.Sex.FEMALE,
    "female": Patient.Sex.FEMALE,
    "woman": Patient.Sex.FEMALE,
    "m": Patient.Sex.MALE,
    "male": Patient.Sex.MALE,
    "man": Patient.Sex.MALE,
    "intersex": Patient.Sex.INTERSEX,
}


def _join(*parts: str, sep: str = ", ") -> str:
    return sep.join(part for part in parts if part)


# --- Patients ---------------------------------------------------------------------------------


class DuplicateIndex:
    """Registration's duplicate rule (clinic.services.patients.patient_possible_duplicates:
    same normalised name and date of birth, or the same e-mail, or the same phone digits)
    over every existing patient at once, so 20,000 rows ask the database once, not 20,000
    times. Keys use the same normalisers (clinic.search)."""

    def __init__(self) -> None:
        self.by_name: dict[tuple, set[int]] = {}
        self.by_email: dict[str, set[int]] = {}
        self.by_phone: dict[str, set[int]] = {}
        self.label: dict[int, str] = {}
        rows = Patient.objects.values_list(
            "pk", "legal_first_name", "legal_last_name", "date_of_birth", "email", "phone"
        )
        for pk, first, last, dob, email, phone in rows.iterator(chunk_size=5000):
            self.label[pk] = f"{first} {last} (born {dob:%Y-%m-%d})"
            key = (search.normalize(first), search.normalize(last), dob)
            self.by_name.setdefault(key, set()).add(pk)
            if email:
                self.by_email.setdefault(email.strip().casefold(), set()).add(pk)
            digits = search.phone_digits(phone or "")
            if len(digits) >= 7:
                self.by_phone.setdefault(digits[-10:], set()).add(pk)

    def matches(self, fields: dict[str, Any], exclude_pk: int | None = None) -> list[int]:
        found: set[int] = set()
        key = (
            search.normalize(fields["legal_first_name"]),
            search.normalize(fields["legal_last_name"]),
            fields["date_of_birth"],
        )
        found |= self.by_name.get(key, set())
        if fields.get("email"):
            found |= self.by_email.get(fields["email"].casefold(), set())
        digits = search.phone_digits(fields.get("phone", ""))
        if len(digits) >= 7:
            found |= self.by_phone.get(digits[-10:], set())
        found.discard(exclude_pk)
        return sorted(found)


def _phone(value: str, what: str, problems: list[str]) -> str:
    if not value:
        return ""
    try:
        phone_validator(value)  # the record's own rule: digits and separators, no letters
        return phone_normalize(value)
    except ValidationError as error:
        problems.append(f"{what} “{value}”: {' '.join(error.messages)}")
        return ""


def patient_fields(values: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """A row's values as Patient fields; each problem found is appended to `problems`."""
    first = values.get("first_name", "")
    last = values.get("last_name", "")
    if not first:
        problems.append("missing first name")
    if not last:
        problems.append("missing last name")
    dob = None
    raw_dob = values.get("date_of_birth", "")
    if not raw_dob:
        problems.append("missing date of birth")
    else:
        try:
            dob = parse_date(raw_dob)
        except ValueError as error:
            problems.append(f"date of birth {error}")
    email = str(values.get("email", "")).casefold()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"e-mail “{email}” is not an address")
            email = ""
    mobile = _phone(values.get("mobile_phone", ""), "mobile phone", problems)
    home = _phone(values.get("home_phone", ""), "home phone", problems)
    work = _phone(values.get("work_phone", ""), "work phone", problems)
    phone = mobile or home or work
    sex_word = str(values.get("sex", "")).casefold()
    sex = _SEX_WORDS.get(sex_word, Patient.Sex.UNDISCLOSED)
    gender = "" if sex_word in _SEX_WORDS else str(values.get("sex", ""))
    country = str(values.get("country", ""))
    if header_key(country) in {header_key(settings.CLINIC_COUNTRY), "canada"}:
        country = ""
    other_phones = [f"{label} phone {number}" for label, number in (
        ("Home", home), ("Work", work)) if number and number != phone]  # fmt: skip
    notes = _join(
        str(values.get("notes", "")),
        f"Referral source: {values['referral_source']}" if values.get("referral_source") else "",
        "; ".join(other_phones),
        sep="\n",
    )
    if email:
        preferred = Patient.ContactMethod.EMAIL
    elif mobile:
        preferred = Patient.ContactMethod.SMS
    elif phone:
        preferred = Patient.ContactMethod.PHONE
    else:
        preferred = Patient.ContactMethod.EMAIL
    return {
        "legal_first_name": first,
        "legal_last_name": last,
        "preferred_name": values.get("preferred_name", ""),
        "date_of_birth": dob,
        "sex": sex,
        "gender": gender,
        "email": email,
        "phone": phone,
        "preferred_contact": preferred,
        "address_line1": values.get("address_1", ""),
        "address_line2": _join(values.get("address_2", ""), values.get("address_3", ""), country),
        "city": values.get("city", ""),
        "province": values.get("state", ""),
        "postal_code": postal_code_normalize(values.get("post_code", "")),
        "emergency_contact_name": values.get("emergency_contact", ""),
        "desk_notes": notes,
    }


def _field_problems(instance: Any, exclude: list[str]) -> list[str]:
    """The model's own field validation (lengths, plausible dates) in words."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        return [
            f"{instance._meta.get_field(name).verbose_name}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        ]
    return []


def _import_patients(
    rows: Iterable[tuple[int, dict]],
    *,
    source: str,
    by: User,
    job: ImportJob | None,
    report: Report,
    tick: Callable[[int], None],
) -> None:
    rows = list(rows)
    ids = {str(values.get("id", "")) for _line, values in rows}
    known = dict(
        ImportedRecord.objects.filter(
            source=source, kind=ImportKind.PATIENTS, source_id__in=ids
        ).values_list("source_id", "patient_id")
    )
    existing = Patient.objects.in_bulk(known.values())
    index = DuplicateIndex()
    seen: dict[str, int] = {}
    new: list[tuple[str, Patient]] = []
    for done, (line, values) in enumerate(rows, start=1):
        tick(done)
        problems: list[str] = []
        source_id = str(values.get("id", ""))
        if not source_id:
            problems.append("missing id")
        elif source_id in seen:
            problems.append(f"duplicate id {source_id} (also on line {seen[source_id]})")
        fields = patient_fields(values, problems)
        if not problems:
            patient = Patient(**fields)
            problems += _field_problems(patient, exclude=["user", "search_text"])
        if problems:
            report.add("invalid", line, "; ".join(problems))
            continue
        seen[source_id] = line
        if source_id in known:
            current = existing[known[source_id]]
            changed = {
                name: value for name, value in fields.items() if getattr(current, name) != value
            }
            if not changed:
                report.add("skipped", line, f"patient {source_id} unchanged since the last import")
                continue
            patient_update(patient=current, by=by, **changed)
            report.add("updated", line)
            continue
        patient.search_text = patient.build_search_text()
        new.append((source_id, patient))
        report.add("new", line)
        matches = index.matches(fields)
        if matches and len(report.duplicates) < REPORT_ROWS_MAX:
            report.duplicates.append(
                {
                    "line": line,
                    "name": f"{patient.legal_name} (born {patient.date_of_birth:%Y-%m-%d})",
                    "matches": [{"pk": pk, "label": index.label[pk]} for pk in matches],
                }
            )
    created = bulk_create_with_history(
        [patient for _id, patient in new],
        Patient,
        batch_size=1000,
        default_user=by,
        default_change_reason=f"Imported from {ImportSource(source).label}",
    )
    ImportedRecord.objects.bulk_create(
        [
            ImportedRecord(
                source=source,
                kind=ImportKind.PATIENTS,
                source_id=source_id,
                patient=patient,
                job=job,
            )
            for (source_id, _unsaved), patient in zip(new, created, strict=True)
        ],
        batch_size=2000,
    )


# --- Appointments -----------------------------------------------------------------------------


def _appointment_status(values: dict[str, Any]) -> str:
    """The visit's state as the source says: explicit columns (Cliniko's cancelled_at,
    did_not_arrive, patient_arrived) first, then a status word (Jane's "State")."""
    Status = Appointment.Status
    if values.get("cancelled_at"):
        return Status.CANCELLED
    if _truthy(values.get("did_not_arrive", "")):
        return Status.NO_SHOW
    if _truthy(values.get("arrived", "")):
        return Status.COMPLETED
    word = header_key(values.get("status", ""))
    if "cancel" in word:
        return Status.CANCELLED
    if word in {"noshow", "didnotarrive", "dna", "missed"}:
        return Status.NO_SHOW
    if word in {"arrived", "completed", "complete", "attended", "checkedout", "checkedin"}:
        return Status.COMPLETED
    return Status.BOOKED


def _by_name(objects: Iterable[Any], *names: Callable[[Any], str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for obj in objects:
        for name in names:
            key = search.normalize(name(obj) or "")
            if key:
                found.setdefault(key, obj)
    return found


def _import_appointments(
    rows: Iterable[tuple[int, dict]],
    *,
    source: str,
    by: User,
    job: ImportJob | None,
    report: Report,
    tick: Callable[[int], None],
    now: dt.datetime,
) -> None:
    rows = list(rows)
    Status = Appointment.Status
    patient_ids = {str(values.get("patient_id", "")) for _line, values in rows}
    patients_by_source = dict(
        ImportedRecord.objects.filter(
            source=source, kind=ImportKind.PATIENTS, source_id__in=patient_ids
        ).values_list("source_id", "patient_id")
    )
    patients = Patient.objects.in_bulk(patients_by_source.values())
    done_ids = set(
        ImportedRecord.objects.filter(
            source=source,
            kind=ImportKind.APPOINTMENTS,
            source_id__in={str(values.get("id", "")) for _line, values in rows},
        ).values_list("source_id", flat=True)
    )
    practitioners = _by_name(
        Practitioner.objects.select_related("user"),
        lambda p: p.display_name,
        lambda p: p.user.get_full_name(),
    )
    locations = _by_name(Location.objects.all(), lambda location: location.name)
    types = _by_name(AppointmentType.objects.all(), lambda kind: kind.name)
    seen: dict[str, int] = {}
    history_patients: set[int] = set()
    history_days: set[dt.date] = set()
    records: list[ImportedRecord] = []
    label = ImportSource(source).label
    for done, (line, values) in enumerate(rows, start=1):
        tick(done)
        problems: list[str] = []
        source_id = str(values.get("id", ""))
        if not source_id:
            problems.append("missing id")
        elif source_id in seen:
            problems.append(f"duplicate id {source_id} (also on line {seen[source_id]})")
        patient_source = str(values.get("patient_id", ""))
        patient = patients.get(patients_by_source.get(patient_source))
        if patient is None:
            problems.append(
                f"patient {patient_source or '(none)'} has not been imported "
                "(import the patient file first)"
            )
        practitioner = practitioners.get(search.normalize(str(values.get("practitioner", ""))))
        if practitioner is None:
            problems.append(f"no practitioner named “{values.get('practitioner', '')}” here")
        location = locations.get(search.normalize(str(values.get("location", ""))))
        if location is None:
            problems.append(f"no location named “{values.get('location', '')}” here")
        kind = types.get(search.normalize(str(values.get("appointment_type", ""))))
        if kind is None:
            problems.append(f"no appointment type named “{values.get('appointment_type', '')}”")
        start = end = None
        try:
            start = parse_moment(values.get("start", ""))
            end = parse_moment(values["end"]) if values.get("end") else None
        except ValueError as error:
            problems.append(f"start or end {error}")
        if start and end and end <= start:
            problems.append("ends before it starts")
        if problems:
            report.add("invalid", line, "; ".join(problems))
            continue
        seen[source_id] = line
        if source_id in done_ids:
            report.add("skipped", line, f"appointment {source_id} was imported before")
            continue
        status = _appointment_status(values)
        note = f"Imported from {label} (appointment {source_id})"[:200]
        if start < now:
            appointment = Appointment(
                patient=patient,
                practitioner=practitioner,
                location=location,
                type=kind,
                start=start,
                end=end or start + kind.duration,
                is_ims=kind.is_ims,
                local_date=clinic_date(start),
                status=Status.COMPLETED if status == Status.BOOKED else status,
                booked_by=by,
                note=note,
            )
            if appointment.status == Status.COMPLETED:
                appointment.completed_at = appointment.end
            elif appointment.status == Status.CANCELLED:
                try:
                    appointment.cancelled_at = parse_moment(values["cancelled_at"])
                except (KeyError, ValueError):
                    appointment.cancelled_at = start
                appointment.cancel_reason = f"Cancelled in {label}"
            problems = _field_problems(appointment, exclude=["patient", "practitioner", "type"])
            if problems:
                report.add("invalid", line, "; ".join(problems))
                continue
            appointment._history_user = by
            try:
                with transaction.atomic():
                    appointment.save()
            except IntegrityError:
                report.add(
                    "invalid",
                    line,
                    f"overlaps another visit of {practitioner} or the patient at that time",
                )
                continue
            history_patients.add(patient.pk)
            history_days.add(appointment.local_date)
        else:
            if status == Status.CANCELLED:
                report.add("skipped", line, "cancelled visit in the future: nothing to book")
                continue
            if status != Status.BOOKED:
                report.add("invalid", line, f"a future visit cannot be “{status.label}”")
                continue
            try:
                appointment = appointment_book(
                    patient=patient,
                    slot=Slot(practitioner=practitioner, location=location, start=start, type=kind),
                    by=by,
                    note=note,
                )
            except BookingError as error:
                reasons = "; ".join(problem.message for problem in error.problems)
                report.add("invalid", line, f"not booked: {reasons}")
                continue
        records.append(
            ImportedRecord(
                source=source,
                kind=ImportKind.APPOINTMENTS,
                source_id=source_id,
                appointment=appointment,
                job=job,
            )
        )
        report.add("new", line)
    ImportedRecord.objects.bulk_create(records, batch_size=2000)
    if history_patients:
        # The dashboard's facts, as the services keep them when a visit is completed.
        first_visits_refresh(sorted(history_patients), also_days=sorted(history_days))
        dashboard_days_refresh(sorted(history_days))
        plan_activity_refresh(history_patients)


# --- The run ----------------------------------------------------------------------------------


def progress_key(job_pk: int) -> str:
    return f"interop:import:{job_pk}:progress"


def import_file(
    *,
    data: bytes,
    file_name: str,
    source: str,
    kind: str,
    mapping: dict[str, str],
    by: User,
    commit: bool = False,
    job: ImportJob | None = None,
    on_row: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Check and import one file; a dry run unless `commit`. Raises ImportFileError when the
    file cannot be read. `on_row(done, total)` is called for every row (progress; tests
    raise from it to interrupt the run)."""
    started = timezone.now()
    now = now or started
    dataset = read_table(data, file_name)
    columns = _columns(dataset, kind, mapping)
    used = set(columns.values())
    report = Report(kind=kind, commit=commit, total=dataset.height)
    report.ignored_columns = [
        str(header) for i, header in enumerate(dataset.headers) if i not in used and header
    ]

    def tick(done: int) -> None:
        if on_row is not None:
            on_row(done, dataset.height)

    rows = _rows(dataset, columns)
    with transaction.atomic():
        if kind == ImportKind.PATIENTS:
            _import_patients(rows, source=source, by=by, job=job, report=report, tick=tick)
        else:
            _import_appointments(
                rows, source=source, by=by, job=job, report=report, tick=tick, now=now
            )
        if not commit:
            transaction.set_rollback(True)
    report.seconds = (timezone.now() - started).total_seconds()
    return report


# --- Jobs: the page's way in, through Celery --------------------------------------------------


def import_job_create(
    *, by: User, source: str, kind: str, file_name: str, data: bytes, mapping: dict[str, str]
) -> ImportJob:
    """Store the uploaded file and queue its dry run. The file is read once here, so a file
    that is not a table is the form's error, not a failed job."""
    dataset = read_table(data, file_name)
    job = ImportJob(
        source=source,
        kind=kind,
        file_name=file_name[:200],
        mapping=mapping,
        rows_total=dataset.height,
        created_by=by,
    )
    job.file.save(f"import-{timezone.now():%Y%m%d%H%M%S}.bin", ContentFile(data), save=False)
    job.save()
    send_after_commit(import_job_run_task, job.pk)
    return job


@transaction.atomic
def import_job_remap(
    *, job: ImportJob, by: User, mapping: dict[str, str], save_as: str = ""
) -> ImportJob:
    """A new mapping for the file: the dry run runs again with it. `save_as` also keeps the
    mapping as a preset (replacing one of that name)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (ImportJob.Status.CHECKED, ImportJob.Status.FAILED):
        raise ValidationError("This file is being processed or is already imported.")
    if save_as:
        ImportPreset.objects.update_or_create(
            name=save_as,
            defaults={
                "source": job.source,
                "kind": job.kind,
                "mapping": mapping,
                "created_by": by,
            },
        )
    job.mapping = mapping
    job.status = ImportJob.Status.CHECKING
    job.report = {}
    job.error = ""
    job.rows_done = 0
    job.save(update_fields=["mapping", "status", "report", "error", "rows_done"])
    send_after_commit(import_job_run_task, job.pk)
    return job


@transaction.atomic
def import_job_commit(*, job: ImportJob, by: User) -> ImportJob:
    """After the dry run, the import itself (queued)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.CHECKED:
        raise ValidationError("Run the dry run first; this file is not ready to import.")
    job.status = ImportJob.Status.IMPORTING
    job.rows_done = 0
    job.save(update_fields=["status", "rows_done"])
    send_after_commit(import_job_run_task, job.pk)
    return job


def import_job_run(job_pk: int) -> bool:
    """The task's work: the dry run of a job that is checking, the import of one that is
    importing; anything else has been done already (a second delivery does nothing). Runs
    outside a transaction; `import_file` holds its own. Progress goes to the cache, since
    the job row's own updates would wait for the import's transaction."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is None or not job.running:
        return False
    commit = job.status == ImportJob.Status.IMPORTING
    key = progress_key(job.pk)

    def on_row(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            cache.set(key, (done, total), 3600)

    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        report = import_file(
            data=data,
            file_name=job.file_name,
            source=job.source,
            kind=job.kind,
            mapping=job.mapping,
            by=job.created_by,
            commit=commit,
            job=job,
            on_row=on_row,
        )
    except ImportFileError as error:
        _job_fail(job, error.message)
        return False
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        _job_fail(job, "The import stopped on an unexpected error; nothing was written.")
        raise
    finally:
        cache.delete(key)
    now = timezone.now()
    job.report = report.as_dict()
    job.rows_done = job.rows_total = report.total
    if commit:
        job.status, job.imported_at = ImportJob.Status.DONE, now
        # The rows are in the clinic's records now: the uploaded copy of the old system's
        # export (every patient's details) is not kept beside them.
        job.file.delete(save=False)
    else:
        job.status, job.checked_at = ImportJob.Status.CHECKED, now
    job.save(
        update_fields=[
            "report",
            "rows_done",
            "rows_total",
            "status",
            "imported_at",
            "checked_at",
            "file",
        ]
    )
    return True


def _job_fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=message[:300])


def import_job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in the file) of a running job."""
    done, total = cache.get(progress_key(job.pk)) or (0, job.rows_total)
    return done, total
