"""Reads of the import pages."""

from __future__ import annotations

from django.db.models import QuerySet

from interop.models import ImportJob

RECENT_JOBS = 20


def import_jobs_recent() -> QuerySet[ImportJob]:
    """The latest files uploaded, for the import page's list."""
    return ImportJob.objects.select_related("created_by").defer("report")[:RECENT_JOBS]
