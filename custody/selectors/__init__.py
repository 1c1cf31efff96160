"""Reads of records custody, shaped for one page or export; re-exported by area."""

from custody.selectors.backups import BackupAge, backup_age, backup_health
from custody.selectors.breaches import BREACH_EXPORT_COLUMNS, breach_annual_counts, breach_years
from custody.selectors.requests import (
    access_requests_open,
    access_requests_overdue,
    overdue_requests_panel,
    portal_access_requests,
)
from custody.selectors.retention import (
    RetentionRow,
    last_entries,
    legal_holds_in_force,
    past_retention,
    retention_rows,
)

__all__ = [
    "BREACH_EXPORT_COLUMNS",
    "BackupAge",
    "RetentionRow",
    "access_requests_open",
    "access_requests_overdue",
    "backup_age",
    "backup_health",
    "breach_annual_counts",
    "breach_years",
    "last_entries",
    "legal_holds_in_force",
    "overdue_requests_panel",
    "past_retention",
    "portal_access_requests",
    "retention_rows",
]
