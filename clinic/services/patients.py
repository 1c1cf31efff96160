"""Creating and changing patient records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic import search
from clinic.models import EmailVerification, Patient, User
from clinic.services.email_verification import email_verification_create

# Fields of Patient that the front desk writes (everything but the account link).
PATIENT_FIELDS = frozenset(
    field.name
    for field in Patient._meta.get_fields()
    if getattr(field, "editable", False)
    and field.concrete
    and field.name not in {"id", "user", "search_text", "created_at", "updated_at"}
)


def patient_possible_duplicates(
    *,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: dt.date | None,
    email: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
) -> QuerySet[Patient]:
    """Patients who may be the same person: same name and date of birth (ignoring case,
    accents and apostrophes), or the same e-mail address, or the same phone digits."""
    matches = Q(pk__in=[])
    if date_of_birth and legal_first_name and legal_last_name:
        first = search.normalize(legal_first_name)
        last = search.normalize(legal_last_name)
        same_dob = Patient.objects.filter(date_of_birth=date_of_birth).only(
            "pk", "legal_first_name", "legal_last_name"
        )
        same_name = [
            p.pk
            for p in same_dob
            if search.normalize(p.legal_first_name) == first
            and search.normalize(p.legal_last_name) == last
        ]
        matches |= Q(pk__in=same_name)
    if email:
        matches |= Q(email__iexact=email.strip())
    phone_digits = search.phone_digits(phone)
    if len(phone_digits) >= 7:
        matches |= Q(search_text__contains=phone_digits[-10:])
    queryset = Patient.objects.filter(matches)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.order_by("legal_last_name", "legal_first_name")


def _apply(patient: Patient, fields: dict[str, Any]) -> None:
    unknown = set(fields) - PATIENT_FIELDS
    if unknown:
        raise ValueError(f"Not patient fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(patient, name, value.strip() if isinstance(value, str) else value)
    patient.email = patient.email.lower()
    patient.search_text = patient.build_search_text()


@transaction.atomic
def patient_create(*, by: User, **fields: Any) -> Patient:
    """Register a patient. Duplicate detection is the caller's conversation with the user
    (patient_possible_duplicates); two records for one person remain possible on purpose,
    e.g. twins sharing a phone."""
    patient = Patient()
    _apply(patient, fields)
    patient.full_clean(exclude=["user"])
    patient._history_user = by
    patient.save()
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, by: User, **fields: Any) -> Patient:
    """Change a patient's demographics; the change history records who and what.

    A new e-mail address is not trusted with documents: unless it is the address already
    confirmed, a confirmation link goes to it (after commit) and no document is e-mailed
    (Patient.document_email) until the patient follows the link.
    """
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    old_email = patient.email
    _apply(patient, fields)
    patient.full_clean(exclude=["user"])
    patient._history_user = by
    patient.save()
    if patient.email != old_email:
        # Links to the old address are dead; a new one goes to a new, unconfirmed address.
        EmailVerification.objects.filter(
            patient=patient, used_at__isnull=True, revoked_at__isnull=True
        ).exclude(email__iexact=patient.email).update(revoked_at=timezone.now())
        if patient.email and not patient.email_confirmed:
            email_verification_create(patient=patient, by=by)
    return patient
