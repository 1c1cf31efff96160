"""Which patients' records are past retention under the clinic's rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    DateField,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from assessments.models import Assessment, AssessmentAddendum
from clinic.models import Appointment, Consent, Intake, OutcomeScore, Patient
from custody.models import DestructionRecord, LegalHold
from custody.retention import RetentionRule
from treatments.models import SessionAddendum, TreatmentSession

# Every dated entry of a patient's record: (model, path to the patient, date field, is a
# date-time). An appointment counts by its day, booked or past: a future visit means the
# relationship is current.
ENTRY_SOURCES = (
    (TreatmentSession, "patient", "session_date", False),
    (Assessment, "patient", "assessed_on", False),
    (Appointment, "patient", "local_date", False),
    (Intake, "patient", "created_at", True),
    (OutcomeScore, "patient", "recorded_at", True),
    (Consent, "patient", "signed_at", True),
    (SessionAddendum, "session__patient", "created_at", True),
    (AssessmentAddendum, "assessment__patient", "created_at", True),
)


def _latest(model, path: str, field: str, moment: bool):
    latest = (
        model.objects.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(latest=Max(field))
        .values("latest")
    )
    if moment:
        return TruncDate(Subquery(latest, output_field=DateTimeField()))
    return Subquery(latest, output_field=DateField())


def last_entries(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`patients` annotated with `last_entry`: the latest date of any entry in their record
    (ENTRY_SOURCES), or the day they were registered when there is none."""
    registered = TruncDate("created_at")
    return patients.annotate(
        registered_on=registered,
        last_entry=Greatest(
            *(
                Coalesce(_latest(*source), registered, output_field=DateField())
                for source in ENTRY_SOURCES
            ),
            output_field=DateField(),
        ),
    )


def _entry_on_or_after(source, cutoff: dt.date) -> Exists:
    """An entry of this kind dated `cutoff` or later (clinic-local days) for the outer
    patient: one probe of the (patient, date) index per patient, or a hash anti-join over
    the recent rows only."""
    model, path, field, moment = source
    bound = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min)) if moment else cutoff
    return Exists(model.objects.filter(**{path: OuterRef("pk"), f"{field}__gte": bound}))


def past_retention(rule: RetentionRule, today: dt.date) -> QuerySet[Patient]:
    """Patients whose records `rule` no longer requires on `today`, by name; never a patient
    under a legal hold in force, nor one already destroyed.

    Written as "born before the birth cutoff, registered before the entry cutoff, and no
    entry of any kind since", which is the same as "last entry before the entry cutoff"
    (last_entries) but lets PostgreSQL answer with index probes or anti-joins instead of
    computing every candidate's latest entry (20,000 patients: see docs/OPERATIONS.md)."""
    entry_cutoff, birth_cutoff = rule.cutoffs(today)
    registered_before = timezone.make_aware(dt.datetime.combine(entry_cutoff, dt.time.min))
    patients = Patient.objects.filter(
        date_of_birth__lt=birth_cutoff, created_at__lt=registered_before
    )
    for source in ENTRY_SOURCES:
        patients = patients.exclude(_entry_on_or_after(source, entry_cutoff))
    return (
        patients.exclude(
            Exists(LegalHold.objects.filter(patient=OuterRef("pk"), lifted_at__isnull=True))
        )
        .exclude(Exists(DestructionRecord.objects.filter(patient=OuterRef("pk"))))
        .order_by("legal_last_name", "legal_first_name", "pk")
    )


@dataclass(frozen=True)
class RetentionRow:
    patient: Patient
    last_entry: dt.date
    majority_on: dt.date
    retention_until: dt.date


def retention_rows(rule: RetentionRule, patients) -> list[RetentionRow]:
    """The rows of one page: each patient's last entry is looked up for this page only (one
    query), in the order given."""
    order = [patient.pk for patient in patients]
    found = {p.pk: p for p in last_entries(Patient.objects.filter(pk__in=order))}
    patients = [found[pk] for pk in order]
    return [
        RetentionRow(
            patient=patient,
            last_entry=patient.last_entry,
            majority_on=rule.majority_on(patient.date_of_birth),
            retention_until=rule.retention_until(
                last_entry=patient.last_entry, date_of_birth=patient.date_of_birth
            ),
        )
        for patient in patients
    ]


def legal_holds_in_force() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True).select_related("patient", "placed_by")
