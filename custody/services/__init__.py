"""Writes of records custody; views and commands change state only through these."""

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
    "DestructionError",
    "ReleaseItem",
    "access_request_create",
    "access_request_extend",
    "access_request_refuse",
    "access_request_release",
    "breach_record",
    "breach_update",
    "custody_province_set",
    "custody_settings_get",
    "legal_hold_lift",
    "legal_hold_place",
    "patient_records_destroy",
    "release_items",
]
