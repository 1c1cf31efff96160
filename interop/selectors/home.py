"""Reads shaped for pages of the interop app."""

from __future__ import annotations

from django.http import HttpRequest

from clinic.selectors import HomePanel
from interop.models import BulkExport


def export_home_panel(request: HttpRequest) -> HomePanel:
    """The clinic admin's home: a link to the FHIR export, with the latest export's state."""
    latest = BulkExport.objects.only("status", "created_at", "finished_at").first()
    return HomePanel(template="interop/_home_panel.html", context={"latest": latest}, order=60)
