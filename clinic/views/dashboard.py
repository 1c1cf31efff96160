"""The clinic dashboard (issue 20): the clinic admin sees every practitioner, a
physiotherapist their own figures only. The page and its CSV read one selector
(clinic.selectors.dashboard), so the file holds exactly the page's table."""

from __future__ import annotations

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dateformat
from django.views.decorators.http import require_GET

from clinic import fragments
from clinic.dashboard_charts import Bars, bar_chart
from clinic.forms.dashboard import DashboardFilterForm
from clinic.models import Location, Practitioner
from clinic.permissions import Role, allow_roles
from clinic.selectors.dashboard import Dashboard, DashboardFilters, clinic_dashboard


def _scope(request: HttpRequest) -> tuple[DashboardFilterForm, DashboardFilters | None]:
    """The filter form and the filters it gives. A physiotherapist is fixed to their own
    practitioner: naming another one is refused (403) rather than silently swapped, so a
    shared link never seems to show a colleague's figures when it does not."""
    admin = Role.CLINIC_ADMIN in request.user.roles
    own = None
    if not admin:
        own = getattr(request.user, "practitioner", None)
        asked = request.GET.get("practitioner")
        if asked and (own is None or asked != str(own.pk)):
            raise PermissionDenied("A physiotherapist sees their own figures only.")
    locations = list(Location.objects.values_list("pk", "name"))
    practitioners = list(Practitioner.objects.values_list("pk", "display_name")) if admin else None
    default = DashboardFilters.default()
    data = request.GET.copy()
    data.setdefault("date_from", default.start.isoformat())
    data.setdefault("date_to", default.end.isoformat())
    form = DashboardFilterForm(data, locations=locations, practitioners=practitioners)
    if not form.is_valid():
        return form, None
    chosen = form.cleaned_data
    practitioner_id = chosen.get("practitioner") if admin else (own.pk if own else 0)
    return form, DashboardFilters(
        start=chosen["date_from"],
        end=chosen["date_to"],
        location_id=chosen["location"],
        practitioner_id=practitioner_id,
    )


CHARTS = (
    ("Visits and new patients", "", (("Visits", "visits"), ("New patients", "new_patients"))),
    (
        "No-show and late-cancel rate (%)",
        "%",
        (("No-show rate", "no_show_rate"), ("Late-cancel rate", "late_cancel_rate")),
    ),
    (
        "Courses started, completed and dropped",
        "",
        (("Started", "started"), ("Completed", "completed"), ("Dropped", "dropped")),
    ),
)


def _charts(dashboard: Dashboard) -> list[dict]:
    """The three charts, per practitioner (summed over locations): a heading and the SVG."""
    people = dashboard.by_practitioner()
    names = [p.practitioner for p in people]
    return [
        {
            "title": title,
            "svg": bar_chart(
                f"{title} per practitioner",
                names,
                [Bars(label, [getattr(p, name) for p in people]) for label, name in series],
                unit=unit,
            ),
        }
        for title, unit, series in CHARTS
    ]


@allow_roles(Role.CLINIC_ADMIN, Role.PHYSIO)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Per practitioner and location over a date range (last 90 days by default): new
    patients, visits, no-show and late-cancel rates, courses, the MCID share; three charts
    and the table, with a CSV of the same table. Bad filters: errors by the fields and no
    figures (200, as the audit page's filters: a GET that changed nothing)."""
    form, filters = _scope(request)
    board = clinic_dashboard(filters) if filters else None
    return render(
        request,
        "clinic/dashboard/dashboard.html",
        {
            "form": form,
            "board": board,
            "figures": _figures(board) if board else "",
            "query": request.GET.urlencode(),
            "own_only": Role.CLINIC_ADMIN not in request.user.roles,
        },
    )


def _figures(board: Dashboard) -> str:
    """The period, charts, table and notes: a Jinja2 fragment (clinic.fragments). As a
    Django template this part took 2.8 ms of the page at seed_bench scale (20 rows of 12
    cells and three charts; docs/PERFORMANCE.md), as Jinja2 a tenth of that."""
    header, *rows, total = board.table()
    start, end = board.filters.start, board.filters.end
    return fragments.render(
        "clinic/dashboard/board.html",
        {
            "period": f"{dateformat.format(start, 'j M Y')} to {dateformat.format(end, 'j M Y')}",
            "reference_day": dateformat.format(board.reference_day, "j M Y"),
            "caption_range": f"{start.isoformat()} to {end.isoformat()}",
            "charts": _charts(board),
            "headers": header,
            "rows": rows,
            "total": total,
            "notice_hours": board.notice_hours,
        },
    )


@allow_roles(Role.CLINIC_ADMIN, Role.PHYSIO)
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's table as CSV, for the same filters (bad filters: the page with its
    errors, 422: no file to save)."""
    form, filters = _scope(request)
    if filters is None:
        page = dashboard(request)
        page.status_code = 422
        return page
    board = clinic_dashboard(filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="clinic-dashboard-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerows(board.table())
    return response
