"""Writes of the treatments app: session notes and signing (sessions), patient documents
(summaries). Views, tasks and commands change state only through these.

One module per area; the names are re-exported here so callers write
`from treatments import services; services.session_sign(...)`.
"""

from treatments.services.incidents import NEXT_STATES, incident_review_add, incident_state
from treatments.services.sessions import (
    BILATERAL_THORAX_PROBLEM,
    PART_MODELS,
    SESSION_FIELDS,
    UNREAD,
    NotTheAuthor,
    SessionLocked,
    SessionSigning,
    adverse_event_notify,
    adverse_event_record,
    credential_on,
    part_remove,
    part_save,
    reference_data_ensure,
    session_addendum_add,
    session_sign,
    session_start,
    session_update,
    sign_problems,
    site_copy_values,
    sites_last_signed,
    sites_repeat_last,
)
from treatments.services.summaries import (
    course_summary_request,
    document_fail,
    document_render,
    document_retry,
    summaries_sweep,
    visit_summary_email,
    visit_summary_email_send,
    visit_summary_notify,
    visit_summary_request,
)

__all__ = [
    "NEXT_STATES",
    "incident_review_add",
    "incident_state",
    "BILATERAL_THORAX_PROBLEM",
    "PART_MODELS",
    "SESSION_FIELDS",
    "UNREAD",
    "NotTheAuthor",
    "SessionLocked",
    "SessionSigning",
    "adverse_event_notify",
    "adverse_event_record",
    "credential_on",
    "part_remove",
    "part_save",
    "reference_data_ensure",
    "session_addendum_add",
    "session_sign",
    "session_start",
    "session_update",
    "site_copy_values",
    "sites_last_signed",
    "sites_repeat_last",
    "sign_problems",
    "course_summary_request",
    "document_fail",
    "document_render",
    "document_retry",
    "summaries_sweep",
    "visit_summary_email",
    "visit_summary_email_send",
    "visit_summary_notify",
    "visit_summary_request",
]
