"""Writes of the interop app; each module's public names are re-exported here."""

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
from interop.services.export import (
    bulk_export_file_name,
    bulk_export_request,
    bulk_export_resume,
    bulk_export_run,
)
from interop.services.imports import (
    ImportFileError,
    Report,
    file_headers,
    import_file,
    import_job_commit,
    import_job_create,
    import_job_progress,
    import_job_remap,
    import_job_run,
)

__all__ = [
    "FeedError",
    "ImportFileError",
    "IssuedFeed",
    "Report",
    "bulk_export_file_name",
    "bulk_export_request",
    "bulk_export_resume",
    "bulk_export_run",
    "calendar_feed_revoke",
    "feed_body",
    "feed_fetch_record",
    "feed_fingerprint",
    "feed_rate_limited",
    "file_headers",
    "import_file",
    "import_job_commit",
    "import_job_create",
    "import_job_progress",
    "import_job_remap",
    "import_job_run",
    "patient_feed_issue",
    "practitioner_feed_issue",
    "token_digest",
]
