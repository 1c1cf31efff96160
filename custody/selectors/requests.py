"""Access requests: the open and overdue ones for the clinic, a patient's own for the portal."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from clinic.models import Patient
from clinic.permissions import Role
from clinic.selectors.home_panels import HomePanel
from custody.models import AccessRequest


def access_requests_open() -> QuerySet[AccessRequest]:
    return (
        AccessRequest.objects.filter(status=AccessRequest.Status.OPEN)
        .select_related("patient")
        .order_by("due_on", "pk")
    )


def access_requests_overdue(today: dt.date | None = None) -> list[AccessRequest]:
    """Open requests past their deadline (the extension counted). The due date is compared
    in Python over the open requests only: a clinic has a handful open at any time."""
    today = today or timezone.localdate()
    return [r for r in access_requests_open() if today > r.effective_due_on]


def overdue_requests_panel(request: HttpRequest) -> HomePanel | None:
    """The clinic admin's home: open access requests, the overdue ones first (registered in
    CustodyConfig.ready with clinic.selectors.admin_home_panel_register)."""
    if not request.user.is_authenticated or Role.CLINIC_ADMIN not in request.user.roles:
        return None
    open_requests = list(access_requests_open())
    if not open_requests:
        return None
    today = timezone.localdate()
    overdue = [r for r in open_requests if today > r.effective_due_on]
    return HomePanel(
        template="custody/_requests_panel.html",
        context={"overdue": overdue, "open_count": len(open_requests)},
        order=20,
    )


def portal_access_requests(patient: Patient) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(patient=patient).order_by("-received_on", "-pk")
