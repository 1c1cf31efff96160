"""The patient's whole record in plain words, for the patient: the portal's readable page
and the PDF of it (treatments.services.summaries renders the same context).

It lives in treatments because it composes all three apps (DESIGN.md: the chart and the
patient's documents live here for the same reason); the JSON export in clinic gathers the
clinical apps through its section registry instead.

Only what the patient may read about themselves, in the words their visit summaries use:
every query is filtered by this patient, visits are signed notes only (a draft is not yet a
record), treated areas are body regions and lay muscle names (no segment codes), and the
staff's working notes (an appointment's desk note, screening guidance, clearance reasons,
the session's subjective/objective text) stay out; the JSON download carries the notes in
full.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from clinic import outcomes
from clinic.models import Appointment, Consent, Intake, OutcomeScore, Patient
from clinic.selectors import intake_answers
from treatments.models import (
    DocumentStatus,
    NeedlingSite,
    RecordCopy,
    SessionAddendum,
    TreatmentSession,
)
from treatments.selectors.documents import TreatedArea, clinic_details, treated_areas
from treatments.selectors.sessions import PortalDocument, portal_documents

# Appointments still to come: the patient can act on these (come, cancel, rebook).
UPCOMING = (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN)


@dataclass
class RecordVisit:
    """One signed IMS visit as its visit summary tells it."""

    session: TreatmentSession
    areas: list[TreatedArea]
    home_care: list
    addenda: list[SessionAddendum] = field(default_factory=list)


@dataclass
class RecordScore:
    """A questionnaire's result on one day, named in full ("Neck Disability Index")."""

    name: str
    short: str
    score: OutcomeScore


def _details(patient: Patient) -> list[tuple[str, str]]:
    """Demographics and contact as (label, value), blanks left out."""
    address = ", ".join(
        filter(
            None,
            [
                patient.address_line1,
                patient.address_line2,
                patient.city,
                patient.province,
                patient.postal_code,
            ],
        )
    )
    emergency = " · ".join(
        filter(
            None,
            [
                patient.emergency_contact_name,
                patient.emergency_contact_relationship,
                patient.emergency_contact_phone,
            ],
        )
    )
    rows = [
        ("Legal name", patient.legal_name),
        ("Preferred name", patient.preferred_name),
        ("Date of birth", f"{patient.date_of_birth.day} {patient.date_of_birth:%B %Y}"),
        ("Sex", patient.get_sex_display() if patient.sex else ""),
        ("Gender", patient.gender),
        ("Pronouns", patient.pronouns),
        ("Phone", patient.phone),
        ("E-mail", patient.email),
        ("Preferred contact", patient.get_preferred_contact_display()),
        ("Address", address),
        ("Emergency contact", emergency),
        ("Health number", patient.health_number),
        ("Insurer", " · ".join(filter(None, [patient.insurer, patient.insurer_policy_number]))),
        ("Referring physician", patient.referring_physician),
    ]
    return [(label, value) for label, value in rows if value]


def _scores(patient: Patient) -> list[RecordScore]:
    rows = []
    for score in OutcomeScore.objects.filter(patient=patient).order_by("recorded_at", "pk"):
        measure = outcomes.registry.find(score.instrument)
        name = measure.label if measure else score.instrument
        short = measure.short_label if measure else score.instrument
        rows.append(RecordScore(name=name, short=short if short != name else "", score=score))
    return rows


def _visits(patient: Patient) -> list[RecordVisit]:
    sessions = (
        TreatmentSession.objects.filter(patient=patient, status=TreatmentSession.Status.SIGNED)
        .select_related("practitioner")
        .prefetch_related(
            Prefetch(
                "sites",
                queryset=NeedlingSite.objects.select_related("muscle").order_by("created_at", "pk"),
            ),
            "home_care",
            Prefetch("addenda", queryset=SessionAddendum.objects.order_by("created_at", "pk")),
        )
        .order_by("-session_date", "-created_at")
    )
    return [
        RecordVisit(
            session=session,
            areas=treated_areas(list(session.sites.all())),
            home_care=list(session.home_care.all()),
            addenda=list(session.addenda.all()),
        )
        for session in sessions
    ]


def patient_record(patient: Patient) -> dict:
    """Everything the readable record shows (page and PDF), in a fixed number of queries
    whatever the length of the record."""
    now = timezone.now()
    appointments = list(
        Appointment.objects.filter(patient=patient)
        .select_related("practitioner", "location", "type")
        .order_by("start")
    )
    upcoming = [a for a in appointments if a.status in UPCOMING and a.end >= now]
    past = [a for a in reversed(appointments) if a not in upcoming]
    intakes = [
        (intake, intake_answers(intake, questionnaire=True))
        for intake in Intake.objects.filter(patient=patient, status=Intake.Status.SUBMITTED)
        .prefetch_related("screening_items")
        .order_by("-submitted_at")
    ]
    documents: list[PortalDocument] = portal_documents(patient)
    copy = (
        RecordCopy.objects.filter(patient=patient, status=DocumentStatus.READY)
        .order_by("-created_at")
        .first()
    )
    return {
        "patient": patient,
        "clinic": clinic_details(),
        "prepared_at": now,
        "details": _details(patient),
        "intakes": intakes,
        "consents": list(
            Consent.objects.filter(patient=patient).select_related("version").order_by("-signed_at")
        ),
        "scores": _scores(patient),
        "appointment_groups": [
            ("Coming up", upcoming, "No appointments booked."),
            ("Past and cancelled", past, "No past appointments."),
        ],
        "visits": _visits(patient),
        "documents": documents,
        "record_copy": copy,
        "title": f"Your record, {patient.display_name}",
    }
