"""interop models; each module is re-exported here."""

from interop.models.imports import (
    ImportedRecord,
    ImportJob,
    ImportKind,
    ImportPreset,
    ImportSource,
)

__all__ = ["ImportJob", "ImportKind", "ImportPreset", "ImportSource", "ImportedRecord"]
