"""Writes of the interop app; names re-exported here."""

from interop.services.calendar_feeds import (
    FeedError,
    IssuedFeed,
    calendar_feed_revoke,
    feed_body,
    feed_fetch_record,
    feed_fingerprint,
    feed_rate_limited,
    patient_feed_issue,
    practitioner_feed_issue,
    token_digest,
)

__all__ = [
    "FeedError",
    "IssuedFeed",
    "calendar_feed_revoke",
    "feed_body",
    "feed_fetch_record",
    "feed_fingerprint",
    "feed_rate_limited",
    "patient_feed_issue",
    "practitioner_feed_issue",
    "token_digest",
]
