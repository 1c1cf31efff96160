"""Privacy and audit: the break-the-glass page (physiotherapists) and the audit page (clinic
admins: who read which patient's records, every change, emergency accesses to review)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import islice

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from simple_history.models import registered_models

from clinic.forms import form_add_errors
from clinic.inputs import safe_next
from clinic.models import AccessLog, AccessReview, Patient, User
from clinic.permissions import Role, allow_roles
from clinic.services import emergency_access_grant

AUDIT_PAGE_SIZE = 50


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this record now?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="For example: the treating physiotherapist is away and the patient is here "
        "with a possible adverse reaction.",
    )


@allow_roles(Role.PHYSIO)
@require_http_methods(["GET", "POST"])
def emergency_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Break the glass: open a chart of a patient you do not treat, with a reason that the
    privacy officer reviews."""
    patient = get_object_or_404(Patient, pk=pk)
    form = EmergencyAccessForm(request.POST or None)
    target = safe_next(request, f"/treatments/patients/{patient.pk}/chart/")
    if request.method == "POST" and form.is_valid():
        try:
            emergency_access_grant(
                request=request, patient=patient, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.warning(
                request,
                f"Emergency access to {patient.display_name}'s records is open for an hour. "
                "It has been logged for review.",
            )
            return redirect(target)
    return render(
        request,
        "clinic/emergency_access.html",
        {"patient": patient, "form": form, "next": target},
        status=200 if request.method == "GET" or form.is_valid() else 422,
    )


class AccessReviewForm(forms.Form):
    """The privacy officer's note on a reviewed emergency access (optional)."""

    note = forms.CharField(label="Review note", max_length=300, required=False)


# --- The audit page ---------------------------------------------------------------------

# The years a date filter may name: the log has nothing before, and past year 9999 the
# day arithmetic overflows.
AUDIT_FIRST_DAY = dt.date(2000, 1, 1)
AUDIT_LAST_DAY = dt.date(2100, 12, 31)


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="Anyone",
    )
    patient = forms.CharField(label="Patient name", max_length=100, required=False)
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AccessLog.Action.choices], required=False
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def _in_range(self, name: str) -> dt.date | None:
        day = self.cleaned_data[name]
        if day is not None and not AUDIT_FIRST_DAY <= day <= AUDIT_LAST_DAY:
            raise forms.ValidationError(
                f"Choose a date between {AUDIT_FIRST_DAY:%Y-%m-%d} and {AUDIT_LAST_DAY:%Y-%m-%d}."
            )
        return day

    def clean_date_from(self) -> dt.date | None:
        return self._in_range("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._in_range("date_to")

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned


def _day_bounds(day: dt.date, *, end: bool = False) -> dt.datetime:
    moment = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time.min)
    return timezone.make_aware(moment)


def _patient_filter(text: str) -> Q:
    query = Q()
    for word in text.split():
        query &= (
            Q(legal_first_name__icontains=word)
            | Q(legal_last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return query


@dataclass
class Change:
    at: dt.datetime
    who: str
    what: str
    kind: str
    record: str


def _changes(data: dict, patient_ids: list[int] | None, limit: int = 100) -> list[Change]:
    """Recent change-history rows of every tracked model, newest first, filtered like the
    access log (a model without a patient column is left out when filtering by patient)."""
    rows: list[Change] = []
    for model in registered_models.values():
        history = model.history.model if hasattr(model, "history") else None
        if history is None:
            continue
        query = history.objects.select_related("history_user").order_by("-history_date")
        if data.get("user"):
            query = query.filter(history_user=data["user"])
        if data.get("date_from"):
            query = query.filter(history_date__gte=_day_bounds(data["date_from"]))
        if data.get("date_to"):
            query = query.filter(history_date__lt=_day_bounds(data["date_to"], end=True))
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


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET"])
def audit(request: HttpRequest) -> HttpResponse:
    """Who read which patient's records and what changed, filtered by user, patient, date
    and action; emergency accesses not yet reviewed come first."""
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    logs = AccessLog.objects.select_related("user", "patient", "review__reviewed_by")
    patient_ids = None
    if data.get("patient"):
        patient_ids = list(
            Patient.objects.filter(_patient_filter(data["patient"])).values_list("pk", flat=True)[
                :200
            ]
        )
        logs = logs.filter(patient_id__in=patient_ids)
    if data.get("user"):
        logs = logs.filter(user=data["user"])
    if data.get("action"):
        logs = logs.filter(action=data["action"])
    if data.get("date_from"):
        logs = logs.filter(at__gte=_day_bounds(data["date_from"]))
    if data.get("date_to"):
        logs = logs.filter(at__lt=_day_bounds(data["date_to"], end=True))
    page = Paginator(logs.order_by("-at", "-pk"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    to_review = (
        AccessLog.objects.filter(action=AccessLog.Action.EMERGENCY, review__isnull=True)
        .select_related("user", "patient")
        .order_by("-at")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clinic/audit.html",
        {
            "form": form,
            "page": page,
            "to_review": to_review,
            "changes": _changes(data, patient_ids) if request.GET.get("tab") == "changes" else [],
            "tab": request.GET.get("tab", "reads"),
            "query": query.urlencode(),
        },
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_POST
def access_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an emergency access as reviewed (a new row; the log row itself never changes)."""
    log = get_object_or_404(AccessLog, pk=pk, action=AccessLog.Action.EMERGENCY)
    form = AccessReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not marked as reviewed: {form.errors['note'][0]}")
    else:
        _, created = AccessReview.objects.get_or_create(
            log=log, defaults={"reviewed_by": request.user, "note": form.cleaned_data["note"]}
        )
        if created:
            messages.success(request, "Marked as reviewed.")
    return redirect(safe_next(request, reverse("clinic:audit")))
