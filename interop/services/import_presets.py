"""What an import reads: the fields of each kind of file and the built-in column mappings for
the exports of Cliniko and Jane.

A mapping is `{field key: header as written in the file}`. Headers are matched loosely
(`header_key`: case, spaces, underscores and punctuation ignored), so "First Name",
"first_name" and "FIRST-NAME" are one header. The admin can adjust a mapping on the dry-run
page and save it as a preset (interop.models.ImportPreset); those are offered beside these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interop.models import ImportKind, ImportSource


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    required: bool = False


PATIENT_FIELDS: tuple[ImportField, ...] = (
    ImportField("id", "Patient id in the old system", required=True),
    ImportField("title", "Title (read, not kept: the record has no title)"),
    ImportField("first_name", "First name", required=True),
    ImportField("last_name", "Last name", required=True),
    ImportField("preferred_name", "Preferred name"),
    ImportField("date_of_birth", "Date of birth", required=True),
    ImportField("sex", "Sex / gender"),
    ImportField("email", "E-mail"),
    ImportField("mobile_phone", "Mobile phone"),
    ImportField("home_phone", "Home phone"),
    ImportField("work_phone", "Work phone"),
    ImportField("address_1", "Address line 1"),
    ImportField("address_2", "Address line 2"),
    ImportField("address_3", "Address line 3"),
    ImportField("city", "City"),
    ImportField("state", "Province / state"),
    ImportField("post_code", "Postal code"),
    ImportField("country", "Country"),
    ImportField("emergency_contact", "Emergency contact"),
    ImportField("notes", "Notes (administrative)"),
    ImportField("referral_source", "Referral source"),
)

APPOINTMENT_FIELDS: tuple[ImportField, ...] = (
    ImportField("id", "Appointment id in the old system", required=True),
    ImportField("patient_id", "Patient id in the old system", required=True),
    ImportField("practitioner", "Practitioner (name)", required=True),
    ImportField("location", "Location / business (name)", required=True),
    ImportField("appointment_type", "Appointment type (name)", required=True),
    ImportField("start", "Starts at", required=True),
    ImportField("end", "Ends at"),
    ImportField("status", "Status (e.g. Arrived, No show, Cancelled)"),
    ImportField("cancelled_at", "Cancelled at"),
    ImportField("did_not_arrive", "Did not arrive (true/false)"),
    ImportField("arrived", "Arrived (true/false)"),
)

FIELDS: dict[str, tuple[ImportField, ...]] = {
    ImportKind.PATIENTS: PATIENT_FIELDS,
    ImportKind.APPOINTMENTS: APPOINTMENT_FIELDS,
}

# Cliniko's data export: one CSV per table, snake_case headers.
CLINIKO_PATIENTS = {
    "id": "id",
    "title": "title",
    "first_name": "first_name",
    "last_name": "last_name",
    "preferred_name": "preferred_first_name",
    "date_of_birth": "date_of_birth",
    "sex": "gender",
    "email": "email",
    "mobile_phone": "mobile_phone",
    "home_phone": "home_phone",
    "work_phone": "work_phone",
    "address_1": "address_1",
    "address_2": "address_2",
    "address_3": "address_3",
    "city": "city",
    "state": "state",
    "post_code": "post_code",
    "country": "country",
    "emergency_contact": "emergency_contact",
    "notes": "notes",
    "referral_source": "referral_source",
}
CLINIKO_APPOINTMENTS = {
    "id": "id",
    "patient_id": "patient_id",
    "practitioner": "practitioner",
    "location": "business",
    "appointment_type": "appointment_type",
    "start": "starts_at",
    "end": "ends_at",
    "cancelled_at": "cancelled_at",
    "did_not_arrive": "did_not_arrive",
    "arrived": "patient_arrived",
}
# Jane's "Patient List" and "Appointments Report" exports: title-case headers.
JANE_PATIENTS = {
    "id": "Patient Number",
    "first_name": "First Name",
    "last_name": "Last Name",
    "preferred_name": "Preferred Name",
    "date_of_birth": "Birth Date",
    "sex": "Sex",
    "email": "Email",
    "mobile_phone": "Mobile Phone",
    "home_phone": "Home Phone",
    "work_phone": "Work Phone",
    "address_1": "Address",
    "address_2": "Address Line 2",
    "city": "City",
    "state": "Province",
    "post_code": "Postal Code",
    "country": "Country",
    "emergency_contact": "Emergency Contact",
    "notes": "Notes",
    "referral_source": "Referral Source",
}
JANE_APPOINTMENTS = {
    "id": "Appointment ID",
    "patient_id": "Patient Number",
    "practitioner": "Staff Member",
    "location": "Location",
    "appointment_type": "Treatment",
    "start": "Start",
    "end": "End",
    "status": "State",
}

BUILTIN_PRESETS: dict[tuple[str, str], dict[str, str]] = {
    (ImportSource.CLINIKO, ImportKind.PATIENTS): CLINIKO_PATIENTS,
    (ImportSource.CLINIKO, ImportKind.APPOINTMENTS): CLINIKO_APPOINTMENTS,
    (ImportSource.JANE, ImportKind.PATIENTS): JANE_PATIENTS,
    (ImportSource.JANE, ImportKind.APPOINTMENTS): JANE_APPOINTMENTS,
}

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: object) -> str:
    """A header as compared: lower case, letters and digits only."""
    return _NOT_ALNUM.sub("", str(header or "").casefold())


def builtin_mapping(source: str, kind: str) -> dict[str, str]:
    """The built-in mapping for `source` and `kind` ({} for "other software": the admin maps
    the columns by hand)."""
    return dict(BUILTIN_PRESETS.get((source, kind), {}))


def mapping_guess(headers: list[str], kind: str, mapping: dict[str, str]) -> dict[str, str]:
    """`mapping` kept where its header is in the file; fields left unmapped are matched to a
    header with the field's own key or label (so "Date of birth" finds `date_of_birth`)."""
    by_key = {header_key(header): header for header in headers}
    guessed: dict[str, str] = {}
    for field in FIELDS[kind]:
        wanted = mapping.get(field.key, "")
        if wanted and header_key(wanted) in by_key:
            guessed[field.key] = by_key[header_key(wanted)]
            continue
        for candidate in (field.key, field.label):
            if header_key(candidate) in by_key:
                guessed[field.key] = by_key[header_key(candidate)]
                break
    return guessed
