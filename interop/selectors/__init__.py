"""Reads of the interop app; names re-exported here."""

from interop.selectors.calendar_feeds import (
    live_feed_by_digest,
    live_feed_of,
    patient_feed_appointments,
    practitioner_feed_appointments,
)

__all__ = [
    "live_feed_by_digest",
    "live_feed_of",
    "patient_feed_appointments",
    "practitioner_feed_appointments",
]
