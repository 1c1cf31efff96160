"""custody views; each module is re-exported here."""

from custody.views.breaches import breach_edit, breach_export, breach_new, breaches
from custody.views.portal import portal_release_download, portal_requests
from custody.views.requests import (
    request_detail,
    request_extend,
    request_new,
    request_refuse,
    request_release,
    requests_list,
)
from custody.views.retention import (
    destroy,
    destructions,
    home,
    legal_hold_lift,
    legal_hold_new,
    patient_lookup,
    province_set,
    retention,
)

__all__ = [
    "breach_edit",
    "breach_export",
    "breach_new",
    "breaches",
    "destroy",
    "destructions",
    "home",
    "legal_hold_lift",
    "legal_hold_new",
    "patient_lookup",
    "portal_release_download",
    "portal_requests",
    "province_set",
    "request_detail",
    "request_extend",
    "request_new",
    "request_refuse",
    "request_release",
    "requests_list",
    "retention",
]
