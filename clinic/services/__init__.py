"""Writes of the front office. Views, tasks and commands change state only through these.

One module per area; the names are re-exported here so callers write
`from clinic import services; services.patient_create(...)`.
"""

from clinic.services.accounts import roles_sync, roles_sync_after_migrate, user_set_roles
from clinic.services.audit import (
    EmergencyAccessRequired,
    access_log_write,
    access_review_record,
    emergency_access_grant,
    treats,
)
from clinic.services.care_plans import (
    care_plan_create,
    care_plan_discharge,
    care_plan_hold,
    care_plan_resume,
    care_plan_update,
)
from clinic.services.care_team import (
    care_team_add,
    care_team_remove,
)
from clinic.services.consent import (
    ConsentError,
    consent_sign,
    consent_version_next_number,
    consent_version_publish,
)
from clinic.services.dashboard_facts import (
    dashboard_days_refresh,
    first_visits_refresh,
    plan_facts_refresh,
)
from clinic.services.email_verification import (
    EmailVerificationError,
    document_email_refusal,
    email_verification_confirm,
    email_verification_create,
    email_verification_for_token,
    email_verification_pending,
    email_verification_send,
)
from clinic.services.intake import (
    IntakeError,
    intake_save_step,
    intake_start,
    intake_submit,
    screening_answer_outstanding,
    screening_clear,
)
from clinic.services.invitations import (
    InvitationError,
    invitation_for_token,
    invitation_token,
    portal_invitation_accept,
    portal_invitation_create,
    portal_invitation_send,
)
from clinic.services.patients import (
    patient_create,
    patient_possible_duplicates,
    patient_update,
)
from clinic.services.records import (
    correction_request_add,
    correction_request_settle,
    export_rows,
    export_section_register,
    patient_export,
)
from clinic.services.scheduling import (
    BookingError,
    Slot,
    appointment_book,
    appointment_book_check,
    appointment_cancel,
    appointment_cancel_by_patient,
    appointment_check_in,
    appointment_check_in_undo,
    appointment_complete,
    appointment_no_show,
    appointment_no_show_undo,
    appointment_reschedule,
    needling_day_record,
    online_bookings_acknowledge,
    slots_find,
)
from clinic.services.series import (
    SeriesError,
    series_book,
    series_cancel_from,
    series_move_from,
    series_propose,
)

__all__ = [
    "dashboard_days_refresh",
    "plan_facts_refresh",
    "first_visits_refresh",
    "BookingError",
    "EmergencyAccessRequired",
    "access_review_record",
    "care_plan_create",
    "care_plan_discharge",
    "care_plan_hold",
    "care_plan_resume",
    "care_plan_update",
    "care_team_add",
    "care_team_remove",
    "correction_request_add",
    "correction_request_settle",
    "export_rows",
    "export_section_register",
    "patient_export",
    "emergency_access_grant",
    "treats",
    "Slot",
    "appointment_book",
    "appointment_book_check",
    "slots_find",
    "appointment_cancel",
    "appointment_cancel_by_patient",
    "appointment_check_in",
    "appointment_check_in_undo",
    "appointment_complete",
    "appointment_no_show",
    "appointment_no_show_undo",
    "appointment_reschedule",
    "needling_day_record",
    "online_bookings_acknowledge",
    "SeriesError",
    "series_book",
    "series_cancel_from",
    "series_move_from",
    "series_propose",
    "ConsentError",
    "IntakeError",
    "InvitationError",
    "access_log_write",
    "consent_sign",
    "consent_version_next_number",
    "consent_version_publish",
    "intake_save_step",
    "intake_start",
    "intake_submit",
    "EmailVerificationError",
    "document_email_refusal",
    "email_verification_confirm",
    "email_verification_create",
    "email_verification_for_token",
    "email_verification_pending",
    "email_verification_send",
    "invitation_for_token",
    "invitation_token",
    "patient_create",
    "patient_possible_duplicates",
    "patient_update",
    "portal_invitation_accept",
    "portal_invitation_create",
    "portal_invitation_send",
    "roles_sync",
    "roles_sync_after_migrate",
    "screening_answer_outstanding",
    "screening_clear",
    "user_set_roles",
]
