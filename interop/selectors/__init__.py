"""Reads of the interop app; re-exported by area."""

from interop.selectors.calendar_feeds import (
    live_feed_by_digest,
    live_feed_of,
    patient_feed_appointments,
    practitioner_feed_appointments,
)
from interop.selectors.home import export_home_panel
from interop.selectors.imports import RECENT_JOBS, import_jobs_recent

__all__ = [
    "RECENT_JOBS",
    "export_home_panel",
    "import_jobs_recent",
    "live_feed_by_digest",
    "live_feed_of",
    "patient_feed_appointments",
    "practitioner_feed_appointments",
]
