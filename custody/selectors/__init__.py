"""custody selectors; each module's public names are re-exported here."""

from custody.selectors.backups import BackupAge, backup_age, backup_health

__all__ = ["BackupAge", "backup_age", "backup_health"]
