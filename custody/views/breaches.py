"""The privacy breach register: list, record, complete, export the annual counts. There is
no delete view, on purpose (custody.models.Breach)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clinic.forms.common import form_add_errors
from clinic.permissions import Role, allow_roles
from custody import selectors, services
from custody.forms import BreachForm, YearForm
from custody.models import Breach


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def breaches(request: HttpRequest) -> HttpResponse:
    years = selectors.breach_years()
    year = timezone.localdate().year
    return render(
        request,
        "custody/breaches.html",
        {
            "breaches": Breach.objects.all()[:500],
            "years": sorted(set(years) | {year}, reverse=True),
            "counts": selectors.breach_annual_counts(year),
            "year": year,
        },
    )


def _save(request: HttpRequest, breach: Breach | None) -> HttpResponse:
    form = BreachForm(request.POST or None, instance=breach)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in BreachForm.Meta.fields}
        try:
            if breach is None:
                services.breach_record(by=request.user, **fields)
            else:
                # The form's instance holds the posted values: reload the stored row.
                services.breach_update(
                    breach=Breach.objects.get(pk=breach.pk), by=request.user, **fields
                )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, "Breach register updated.")
            return redirect("custody:breaches")
    status = 400 if form.errors else 200
    return render(
        request, "custody/breach_form.html", {"form": form, "breach": breach}, status=status
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def breach_new(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def breach_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, get_object_or_404(Breach, pk=pk))


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def breach_export(request: HttpRequest) -> HttpResponse:
    """The year's counts per Ontario IPC category, as CSV (?year=2026; this year if none)."""
    form = YearForm(request.GET or {"year": timezone.localdate().year})
    if not form.is_valid():
        return HttpResponse("Give a year between 1900 and 2199.", status=400)
    year = form.cleaned_data["year"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="privacy-breaches-{year}.csv"'
    writer = csv.DictWriter(response, fieldnames=selectors.BREACH_EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(selectors.breach_annual_counts(year))
    return response
