"""Writes of records custody; views and commands change state only through these."""

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
from custody.services.breaches import breach_record, breach_update
from custody.services.requests import (
    ACCESS_RESPONSE_DAYS,
    EXTENSION_MAX_DAYS,
    ReleaseItem,
    access_request_create,
    access_request_extend,
    access_request_refuse,
    access_request_release,
    release_items,
)
from custody.services.retention import (
    DestructionError,
    custody_province_set,
    custody_settings_get,
    legal_hold_lift,
    legal_hold_place,
    patient_records_destroy,
)

__all__ = [
    "ACCESS_RESPONSE_DAYS",
    "EXTENSION_MAX_DAYS",
    "ArchiveKeyError",
    "BackupError",
    "DestructionError",
    "ReleaseItem",
    "RestoreFailed",
    "RestoreRefused",
    "RestoreReport",
    "access_request_create",
    "access_request_extend",
    "access_request_refuse",
    "access_request_release",
    "backup_copy_to_storage",
    "backup_create",
    "backup_nightly",
    "backup_restore",
    "backups_prune",
    "breach_record",
    "breach_update",
    "configured_key",
    "custody_province_set",
    "custody_settings_get",
    "key_generate",
    "key_parse",
    "legal_hold_lift",
    "legal_hold_place",
    "patient_records_destroy",
    "release_items",
]
