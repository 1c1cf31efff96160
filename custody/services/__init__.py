"""custody services; each module's public names are re-exported here."""

from custody.services.archive_crypto import ArchiveKeyError, key_generate, key_parse
from custody.services.backups import (
    BackupError,
    RestoreFailed,
    RestoreRefused,
    RestoreReport,
    backup_copy_to_storage,
    backup_create,
    backup_nightly,
    backup_restore,
    backups_prune,
    configured_key,
)

__all__ = [
    "ArchiveKeyError",
    "BackupError",
    "RestoreFailed",
    "RestoreRefused",
    "RestoreReport",
    "backup_copy_to_storage",
    "backup_create",
    "backup_nightly",
    "backup_restore",
    "backups_prune",
    "configured_key",
    "key_generate",
    "key_parse",
]
