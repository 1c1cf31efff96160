"""Appointment (every booking) and Encounter (every visit that took place)."""

from __future__ import annotations

from django.utils.text import slugify

from interop.fhir.admin import organization_ref, practitioner_ref
from interop.fhir.base import ACT_CODE, CS, Resource, coding, concept, instant, ref, resource
from interop.fhir.people import patient_ref

APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked_in": "arrived",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}
# A visit that took place: its appointment has an Encounter.
VISITED = ("checked_in", "completed")


def appointment(row) -> Resource:
    kind = row.type
    return resource(
        "Appointment",
        str(row.pk),
        status=APPOINTMENT_STATUS[row.status],
        cancelationReason=concept(text=row.cancel_reason) if row.cancel_reason else None,
        serviceType=[concept(coding(CS["appointment-type"], slugify(kind.name), kind.name))],
        appointmentType=concept(text="IMS visit" if row.is_ims else "Visit"),
        description=kind.name,
        start=instant(row.start),
        end=instant(row.end),
        minutesDuration=int((row.end - row.start).total_seconds() // 60),
        created=instant(row.created_at),
        comment=row.note,
        participant=[
            {"actor": patient_ref(row.patient_id), "required": "required", "status": "accepted"},
            {
                "actor": practitioner_ref(row.practitioner_id),
                "required": "required",
                "status": "accepted",
            },
            {"actor": ref("Location", str(row.location_id)), "status": "accepted"},
        ],
    )


def encounter_key(*, appointment_id=None, session_id=None, assessment_id=None) -> str:
    """The Encounter of a note: its appointment's when it has one, else its own."""
    if appointment_id:
        return f"appointment/{appointment_id}"
    if session_id:
        return f"session/{session_id}"
    return f"assessment/{assessment_id}"


def encounter_ref(**keys) -> dict[str, str]:
    return ref("Encounter", encounter_key(**keys))


def _encounter(key, *, patient_id, practitioner_id, start, end, location_id=None, **more):
    return resource(
        "Encounter",
        key,
        status="finished",
        **{"class": coding(ACT_CODE, "AMB", "ambulatory")},
        subject=patient_ref(patient_id),
        participant=[{"individual": practitioner_ref(practitioner_id)}],
        period={"start": start, "end": end},
        location=[{"location": ref("Location", str(location_id))}] if location_id else [],
        serviceProvider=organization_ref(),
        **more,
    )


def encounter_of_appointment(row) -> Resource:
    return _encounter(
        encounter_key(appointment_id=row.pk),
        patient_id=row.patient_id,
        practitioner_id=row.practitioner_id,
        start=instant(row.checked_in_at or row.start),
        end=instant(row.completed_at or row.end) if row.status == "completed" else None,
        location_id=row.location_id,
        appointment=[ref("Appointment", str(row.pk))],
        type=[concept(text=row.type.name)],
    )


def encounter_of_note(row, *, kind: str, on) -> Resource:
    """A session or assessment written without an appointment: a visit of its own date."""
    key = encounter_key(**{f"{kind}_id": row.pk})
    return _encounter(
        key,
        patient_id=row.patient_id,
        practitioner_id=row.practitioner_id,
        start=on.isoformat(),
        end=on.isoformat(),
        type=[concept(text="IMS session" if kind == "session" else "Assessment")],
    )
