"""Where each resource comes from: one list of sources, read two ways.

A :class:`Source` names a resource type, the rows it is built from (a queryset with the
joins its builder needs, so a row costs no further query) and the lookup that ties a row to
its patient. ``patient_resources`` reads every source for one patient (the Bundle);
``type_resources`` reads every source of one type for the whole clinic, streaming with
``iterator(chunk_size=...)`` so memory holds one chunk, never the clinic (bulk NDJSON).

Only signed notes are exported (sessions, assessments and what hangs off them): a draft is
not yet part of the record. Shared resources (the clinic, its locations, the outcome
questionnaires) go in every Bundle; practitioners go in a Bundle when the patient's
records name them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from assessments.models import Assessment, AssessmentAddendum, RangeOfMotion
from clinic.models import (
    Appointment,
    CarePlan,
    Consent,
    Location,
    OutcomeScore,
    Patient,
    Practitioner,
)
from interop.fhir import admin, clinical, documents, people, questionnaires, visits
from interop.fhir.base import Resource
from interop.fhir.documents import Audience
from treatments.models import (
    AdverseEvent,
    CourseSummary,
    DischargeSummary,
    NeedlingCredential,
    NeedlingSite,
    SessionAddendum,
    TreatmentSession,
    VisitSummary,
)

CHUNK = 2000
SIGNED = "signed"


@dataclass(frozen=True)
class Source:
    resource_type: str
    name: str
    rows: Callable[[], QuerySet | Iterable[Any]]
    build: Callable[[Any, Audience], Iterable[Resource]]
    # The lookup from a row to its patient's id; None for shared rows.
    patient: str | None = None
    # For shared rows: the subset a patient's Bundle needs (default: all of them).
    for_patient: Callable[[int], QuerySet | Iterable[Any]] | None = None

    def all_rows(self) -> Iterator[Any]:
        rows = self.rows()
        if isinstance(rows, QuerySet):
            return rows.iterator(chunk_size=CHUNK)
        return iter(rows)

    def patient_rows(self, patient_id: int) -> Iterable[Any]:
        if self.patient is not None:
            return self.rows().filter(**{self.patient: patient_id})
        if self.for_patient is not None:
            return self.for_patient(patient_id)
        return self.rows()

    def count(self) -> int:
        rows = self.rows()
        return rows.count() if isinstance(rows, QuerySet) else len(list(rows))


def _one(builder):
    return lambda row, audience: [builder(row)]


# --- Row sets --------------------------------------------------------------------------------


class M:
    """The models the sources read (one namespace, so the table below stays short)."""

    Assessment = Assessment
    AssessmentAddendum = AssessmentAddendum
    RangeOfMotion = RangeOfMotion
    Appointment = Appointment
    CarePlan = CarePlan
    Consent = Consent
    Location = Location
    OutcomeScore = OutcomeScore
    Patient = Patient
    Practitioner = Practitioner
    AdverseEvent = AdverseEvent
    CourseSummary = CourseSummary
    DischargeSummary = DischargeSummary
    NeedlingCredential = NeedlingCredential
    NeedlingSite = NeedlingSite
    SessionAddendum = SessionAddendum
    TreatmentSession = TreatmentSession
    VisitSummary = VisitSummary


def _practitioners() -> QuerySet:
    return M.Practitioner.objects.select_related("user").prefetch_related(
        Prefetch(
            "needling_credentials",
            queryset=M.NeedlingCredential.objects.order_by("valid_from", "pk"),
        ),
        "locations",
    )


def _practitioners_of(patient_id: int) -> QuerySet:
    """The practitioners a patient's records name: bookings, notes, plans, and the staff
    who recorded an event, wrote an addendum or asked for a course summary."""
    ids: set[int] = set()
    for model in (M.Appointment, M.TreatmentSession, M.Assessment, M.CarePlan):
        ids.update(
            model.objects.filter(patient_id=patient_id).values_list("practitioner_id", flat=True)
        )
    users: set[int] = set()
    for model, field, lookup in (
        (M.TreatmentSession, "signed_by_id", "patient_id"),
        (M.Assessment, "signed_by_id", "patient_id"),
        (M.AdverseEvent, "recorded_by_id", "session__patient_id"),
        (M.SessionAddendum, "author_id", "session__patient_id"),
        (M.AssessmentAddendum, "author_id", "assessment__patient_id"),
        (M.CourseSummary, "requested_by_id", "patient_id"),
    ):
        users.update(
            model.objects.filter(**{lookup: patient_id})
            .exclude(**{field: None})
            .values_list(field, flat=True)
        )
    return _practitioners().filter(Q(pk__in=ids) | Q(user_id__in=users)).order_by("pk")


def _visited_appointments() -> QuerySet:
    """Appointments that were a visit: checked in or completed, or with a signed note."""
    return (
        M.Appointment.objects.filter(
            Q(status__in=visits.VISITED)
            | Q(treatment_session__status=SIGNED)
            | Q(assessments__status=SIGNED)
        )
        .select_related("type")
        .distinct()
        .order_by("pk")
    )


def _signed_sessions() -> QuerySet:
    return M.TreatmentSession.objects.filter(status=SIGNED).order_by("pk")


def _site_ids() -> QuerySet:
    return M.NeedlingSite.objects.only("pk", "session_id")


def _signed_assessments() -> QuerySet:
    return M.Assessment.objects.filter(status=SIGNED).order_by("pk")


def _measures():
    from clinic import outcomes

    return list(outcomes.registry)


def _measure(code: str):
    from clinic import outcomes

    return outcomes.registry.find(code)


# --- Builders that need more than one row ------------------------------------------------


def _session_provenance(session, audience) -> list[Resource]:
    targets = [{"reference": f"Procedure/{_site_id(site.pk)}"} for site in session.sites.all()]
    return [clinical.provenance_of_signing(session, kind="session", targets=targets)]


def _site_id(pk: int) -> str:
    from interop.fhir.base import stable_id

    return stable_id(f"Procedure/site/{pk}")


def _condition_id(key: str) -> str:
    from interop.fhir.base import stable_id

    return stable_id(f"Condition/{key}")


def _assessment_provenance(assessment, audience) -> list[Resource]:
    targets = [{"reference": f"Condition/{_condition_id(f'assessment/{assessment.pk}')}"}]
    return [clinical.provenance_of_signing(assessment, kind="assessment", targets=targets)]


def _session_addendum(addendum, audience) -> list[Resource]:
    return [clinical.provenance_of_addendum(addendum, addendum.session, kind="session", targets=[])]


def _assessment_addendum(addendum, audience) -> list[Resource]:
    note = addendum.assessment
    targets = [{"reference": f"Condition/{_condition_id(f'assessment/{note.pk}')}"}]
    return [clinical.provenance_of_addendum(addendum, note, kind="assessment", targets=targets)]


SOURCES: tuple[Source, ...] = (
    Source("Organization", "clinic", lambda: [None], lambda row, a: [admin.organization()]),
    Source("Location", "locations", lambda: M.Location.objects.order_by("pk"),
           _one(admin.location)),
    Source("Practitioner", "practitioners", _practitioners,
           lambda row, a: [admin.practitioner(row, row.needling_credentials.all())],
           for_patient=_practitioners_of),
    Source("PractitionerRole", "practitioner roles", _practitioners,
           lambda row, a: [admin.practitioner_role(row, [loc.pk for loc in row.locations.all()])],
           for_patient=_practitioners_of),
    Source("Patient", "patients", lambda: M.Patient.objects.order_by("pk"), _one(people.patient),
           patient="pk"),
    Source("Appointment", "appointments",
           lambda: M.Appointment.objects.select_related("type").order_by("pk"),
           _one(visits.appointment), patient="patient_id"),
    Source("Encounter", "visits", _visited_appointments, _one(visits.encounter_of_appointment),
           patient="patient_id"),
    Source("Encounter", "sessions without a booking",
           lambda: _signed_sessions().filter(appointment__isnull=True),
           lambda row, a: [visits.encounter_of_note(row, kind="session", on=row.session_date)],
           patient="patient_id"),
    Source("Encounter", "assessments without a booking",
           lambda: _signed_assessments().filter(appointment__isnull=True),
           lambda row, a: [visits.encounter_of_note(row, kind="assessment", on=row.assessed_on)],
           patient="patient_id"),
    Source("Condition", "plans of care", lambda: M.CarePlan.objects.order_by("pk"),
           _one(clinical.condition_of_plan), patient="patient_id"),
    Source("Condition", "assessments", _signed_assessments,
           _one(clinical.condition_of_assessment), patient="patient_id"),
    Source("Observation", "session NPRS and re-tests",
           lambda: _signed_sessions().prefetch_related("retests"),
           lambda row, a: clinical.observations_of_session(row), patient="patient_id"),
    Source("Observation", "ranges of motion",
           lambda: M.RangeOfMotion.objects.filter(assessment__status=SIGNED)
           .select_related("assessment").order_by("pk"),
           lambda row, a: [clinical.observation_of_range(row, row.assessment)],
           patient="assessment__patient_id"),
    Source("Observation", "outcome scores", lambda: M.OutcomeScore.objects.order_by("pk"),
           lambda row, a: [clinical.observation_of_score(row, _measure(row.instrument))],
           patient="patient_id"),
    Source("Questionnaire", "outcome measures", _measures,
           lambda row, a: [questionnaires.questionnaire(row)]),
    Source("QuestionnaireResponse", "outcome scores",
           lambda: M.OutcomeScore.objects.select_related("intake").order_by("pk"),
           lambda row, a: [questionnaires.questionnaire_response(row, _measure(row.instrument))],
           patient="patient_id"),
    Source("Procedure", "needling sites",
           lambda: M.NeedlingSite.objects.filter(session__status=SIGNED)
           .select_related("session", "muscle", "segment", "needle").order_by("pk"),
           lambda row, a: [clinical.procedure_of_site(row, row.session)],
           patient="session__patient_id"),
    Source("Consent", "consents", lambda: M.Consent.objects.select_related("version")
           .order_by("pk"), _one(people.consent), patient="patient_id"),
    Source("AdverseEvent", "adverse events",
           lambda: M.AdverseEvent.objects.filter(session__status=SIGNED)
           .select_related("session", "recorded_by__practitioner").order_by("pk"),
           lambda row, a: [clinical.adverse_event(row, row.session)],
           patient="session__patient_id"),
    Source("DocumentReference", "visit summaries",
           lambda: M.VisitSummary.objects.filter(status="ready").select_related("session")
           .order_by("pk"),
           lambda row, a: [documents.visit_summary(row, a)], patient="session__patient_id"),
    Source("DocumentReference", "course summaries",
           lambda: M.CourseSummary.objects.filter(status="ready")
           .select_related("requested_by__practitioner").order_by("pk"),
           lambda row, a: [documents.course_summary(row, a)], patient="patient_id"),
    Source("DocumentReference", "discharge summaries",
           lambda: M.DischargeSummary.objects.filter(status="ready").select_related("care_plan")
           .order_by("pk"),
           lambda row, a: [documents.discharge_summary(row, a)], patient="patient_id"),
    Source("Provenance", "signed sessions",
           lambda: _signed_sessions().select_related("signed_by__practitioner")
           .prefetch_related(Prefetch("sites", queryset=_site_ids())),
           _session_provenance, patient="patient_id"),
    Source("Provenance", "signed assessments",
           lambda: _signed_assessments().select_related("signed_by__practitioner"),
           _assessment_provenance, patient="patient_id"),
    Source("Provenance", "session addenda",
           lambda: M.SessionAddendum.objects.select_related("session", "author__practitioner")
           .order_by("pk"),
           _session_addendum, patient="session__patient_id"),
    Source("Provenance", "assessment addenda",
           lambda: M.AssessmentAddendum.objects.select_related("assessment", "author__practitioner")
           .order_by("pk"),
           _assessment_addendum, patient="assessment__patient_id"),
)  # fmt: skip

RESOURCE_TYPES: tuple[str, ...] = tuple(dict.fromkeys(source.resource_type for source in SOURCES))


def sources_of(resource_type: str) -> list[Source]:
    return [source for source in SOURCES if source.resource_type == resource_type]


def patient_resources(patient_id: int, audience: Audience) -> Iterator[Resource]:
    """Every resource of one patient's Bundle, in the order of SOURCES."""
    for source in SOURCES:
        for row in source.patient_rows(patient_id):
            yield from source.build(row, audience)


def source_resources(source: Source, audience: Audience) -> Iterator[Resource]:
    """Every resource of one source for the whole clinic, streamed in chunks."""
    for row in source.all_rows():
        yield from source.build(row, audience)
