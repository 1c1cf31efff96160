"""custody models; each module is re-exported here."""

from custody.models.backups import BackupRun

__all__ = ["BackupRun"]
