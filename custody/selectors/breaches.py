"""The breach register's annual counts, in the Ontario IPC's categories."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear

from custody.models import Breach

BREACH_EXPORT_COLUMNS = ("year", "category", "breaches", "patients_affected")


def breach_annual_counts(year: int) -> list[dict]:
    """One row per IPC category (Stolen, Lost, Used without authority, Disclosed without
    authority) for breaches discovered in `year`, zeros included, then a total; counted in
    one query."""
    in_year = Breach.objects.filter(discovered_on__year=year)
    aggregates = {}
    for value, _label in Breach.Category.choices:
        aggregates[f"{value}_n"] = Count("pk", filter=Q(category=value))
        aggregates[f"{value}_p"] = Sum("patients_affected", filter=Q(category=value))
    totals = in_year.aggregate(**aggregates)
    rows = [
        {
            "year": year,
            "category": label,
            "breaches": totals[f"{value}_n"] or 0,
            "patients_affected": totals[f"{value}_p"] or 0,
        }
        for value, label in Breach.Category.choices
    ]
    rows.append(
        {
            "year": year,
            "category": "Total",
            "breaches": sum(row["breaches"] for row in rows),
            "patients_affected": sum(row["patients_affected"] for row in rows),
        }
    )
    return rows


def breach_years() -> list[int]:
    return list(
        Breach.objects.annotate(year=ExtractYear("discovered_on"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
