"""interop models; each module is re-exported here."""

from interop.models.calendar_feeds import CalendarFeed
from interop.models.export import BulkExport
from interop.models.imports import (
    ImportedRecord,
    ImportJob,
    ImportKind,
    ImportPreset,
    ImportSource,
)

__all__ = [
    "BulkExport",
    "CalendarFeed",
    "ImportJob",
    "ImportKind",
    "ImportPreset",
    "ImportSource",
    "ImportedRecord",
]
