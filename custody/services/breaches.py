"""The privacy breach register: rows are added and completed (notification dates), never
deleted (custody.models.Breach)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.models import User
from custody.models import Breach

FIELDS = (
    "what",
    "category",
    "occurred_on",
    "discovered_on",
    "patients_affected",
    "real_risk",
    "risk_reasoning",
    "commissioner_notified_on",
    "patients_notified_on",
)


def _check_dates(breach: Breach) -> None:
    errors = {}
    if breach.occurred_on and breach.discovered_on and breach.occurred_on > breach.discovered_on:
        errors["occurred_on"] = "It cannot have happened after it was discovered."
    for name in ("commissioner_notified_on", "patients_notified_on"):
        notified = getattr(breach, name)
        if notified and breach.discovered_on and notified < breach.discovered_on:
            errors[name] = "Notified before the breach was discovered? Check the date."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def breach_record(*, by: User, **fields: Any) -> Breach:
    breach = Breach(recorded_by=by, **{name: fields[name] for name in FIELDS if name in fields})
    breach.full_clean()
    _check_dates(breach)
    breach.save()
    return breach


@transaction.atomic
def breach_update(*, breach: Breach, by: User, **fields: Any) -> Breach:
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    for name in FIELDS:
        if name in fields:
            setattr(breach, name, fields[name])
    breach.full_clean()
    _check_dates(breach)
    breach._history_user = by
    breach.save()
    return breach
