"""Reads about patients, shaped for the front desk's and physiotherapists' pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields import CharField

from clinic import search
from clinic.models import Consent, Intake, Patient
from clinic.selectors.consent import consent_version_current


def patient_search(*, query: str = "", date_of_birth: dt.date | None = None) -> QuerySet[Patient]:
    """Patients matching every term of `query` (names, e-mail, phone digits; partial,
    accent- and case-insensitive) and the date of birth if given.

    Each term is a substring test on the normalised `search_text`, which the trigram index
    serves on PostgreSQL. Rows come annotated for the list: intake status and whether
    consent to the current version is on file.
    """
    patients = Patient.objects.all()
    for term in search.query_terms(query):
        patients = patients.filter(search_text__contains=term)
    if date_of_birth:
        patients = patients.filter(date_of_birth=date_of_birth)
    return with_list_status(patients).order_by("legal_last_name", "legal_first_name", "pk")


def with_list_status(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate `intake_state` ("submitted", "draft" or None) and `consent_current`."""
    latest_intake = Intake.objects.filter(patient=OuterRef("pk")).order_by("-created_at")
    current = consent_version_current()
    consent_current = (
        Exists(Consent.objects.filter(patient=OuterRef("pk"), version=current))
        if current
        else Value(False)
    )
    return patients.annotate(
        intake_state=Subquery(latest_intake.values("status")[:1], output_field=CharField()),
        consent_current=consent_current,
    )
