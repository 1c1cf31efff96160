"""Reads for the audit page: the access log filtered, the change history of every tracked
model, and the emergency accesses waiting for review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import islice

from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.models import registered_models

from clinic.models import AccessLog, CareTeamMember, Patient, User

PATIENT_MATCH_LIMIT = 200


@dataclass(frozen=True)
class AuditFilters:
    user: User | None = None
    patient: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def patient_ids(self) -> list[int] | None:
        """Ids of the patients whose names match every word (None: no name filter)."""
        if not self.patient:
            return None
        query = Q()
        for word in self.patient.split():
            query &= (
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
        return list(
            Patient.objects.filter(query).values_list("pk", flat=True)[:PATIENT_MATCH_LIMIT]
        )


def _day_start(day: dt.date, *, end: bool = False) -> dt.datetime:
    """Clinic-local midnight at the start of `day` (or of the day after, with end=True)."""
    moment = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time.min)
    return timezone.make_aware(moment)


@dataclass
class Change:
    at: dt.datetime
    who: str
    what: str
    kind: str
    record: str


def audit_reads(filters: AuditFilters) -> QuerySet[AccessLog]:
    """Access-log rows matching the filters, newest first."""
    logs = AccessLog.objects.select_related("user", "patient", "review__reviewed_by")
    patient_ids = filters.patient_ids()
    if patient_ids is not None:
        logs = logs.filter(patient_id__in=patient_ids)
    if filters.user:
        logs = logs.filter(user=filters.user)
    if filters.action:
        logs = logs.filter(action=filters.action)
    if filters.date_from:
        logs = logs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        logs = logs.filter(at__lt=_day_start(filters.date_to, end=True))
    return logs.order_by("-at", "-pk")


def emergency_accesses_to_review() -> QuerySet[AccessLog]:
    return (
        AccessLog.objects.filter(action=AccessLog.Action.EMERGENCY, review__isnull=True)
        .select_related("user", "patient")
        .order_by("-at")
    )


def audit_changes(filters: AuditFilters, limit: int = 100) -> list[Change]:
    """Recent change-history rows of every tracked model, newest first, filtered like the
    access log (a model without a patient column is left out when filtering by patient)."""
    patient_ids = filters.patient_ids()
    rows: list[Change] = []
    for model in registered_models.values():
        history = model.history.model if hasattr(model, "history") else None
        if history is None:
            continue
        query = history.objects.select_related("history_user").order_by("-history_date")
        if filters.user:
            query = query.filter(history_user=filters.user)
        if filters.date_from:
            query = query.filter(history_date__gte=_day_start(filters.date_from))
        if filters.date_to:
            query = query.filter(history_date__lt=_day_start(filters.date_to, end=True))
        if patient_ids is not None:
            field = next(
                (f for f in ("patient_id",) if f in {c.attname for c in history._meta.fields}),
                None,
            )
            if model is Patient:
                query = query.filter(id__in=patient_ids)
            elif field:
                query = query.filter(patient_id__in=patient_ids)
            else:
                continue
        kinds = {"+": "created", "~": "changed", "-": "deleted"}
        for row in islice(query, limit):
            rows.append(
                Change(
                    at=row.history_date,
                    who=(
                        (row.history_user.get_full_name() or row.history_user.username)
                        if row.history_user
                        else "system"
                    ),
                    what=model._meta.verbose_name,
                    kind=kinds.get(row.history_type, row.history_type),
                    record=f"#{row.id}",
                )
            )
    rows.sort(key=lambda change: change.at, reverse=True)
    return rows[:limit]


def care_team_for(patient: Patient) -> list[CareTeamMember]:
    """The patient's current care team (open memberships), with who added each and how."""
    return list(
        CareTeamMember.objects.filter(patient=patient, removed_at__isnull=True)
        .select_related("practitioner", "added_by")
        .order_by("added_at", "pk")
    )
