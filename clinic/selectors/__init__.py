"""Reads of the front office, shaped for one page each; re-exported by area."""

from clinic.selectors.audit import (
    AuditFilters,
    audit_changes,
    audit_reads,
    care_team_for,
    emergency_accesses_to_review,
)
from clinic.selectors.care_plans import (
    PlanProgress,
    care_plan_active,
    care_plan_progress,
    care_plans_for,
)
from clinic.selectors.consent import (
    consent_current,
    consent_history,
    consent_status,
    consent_version_current,
)
from clinic.selectors.intake import (
    NeedlingReadiness,
    ScreeningResult,
    intake_answers,
    intake_latest,
    intake_latest_submitted,
    needling_readiness,
    outcome_history,
    outcome_tracks,
    screening_for,
)
from clinic.selectors.open_notes import (
    OpenNote,
    OpenNotesProvider,
    open_notes,
    open_notes_register,
    open_notes_rows,
    open_notes_scope,
)
from clinic.selectors.patients import patient_search, patient_search_page, with_list_status
from clinic.selectors.scheduling import (
    day_schedule,
    desk_notices,
    free_slots,
    ims_next_eligible,
    patient_appointments,
    patient_attendance,
    patient_ims_summary,
    physio_day,
    week_schedule,
)
from clinic.selectors.series import series_remaining, series_this_and_later
from clinic.selectors.system import (
    Health,
    health_status,
    staff_by_role,
)
from clinic.selectors.waitlist import (
    freed_slots,
    waitlist_entries,
    waitlist_for_patient,
)

__all__ = [
    "series_remaining",
    "series_this_and_later",
    "PlanProgress",
    "care_plan_active",
    "care_plan_progress",
    "care_plans_for",
    "AuditFilters",
    "audit_changes",
    "audit_reads",
    "care_team_for",
    "emergency_accesses_to_review",
    "day_schedule",
    "desk_notices",
    "free_slots",
    "ims_next_eligible",
    "patient_appointments",
    "patient_attendance",
    "patient_ims_summary",
    "physio_day",
    "week_schedule",
    "Health",
    "NeedlingReadiness",
    "ScreeningResult",
    "consent_current",
    "consent_history",
    "consent_status",
    "consent_version_current",
    "health_status",
    "intake_answers",
    "intake_latest",
    "intake_latest_submitted",
    "needling_readiness",
    "outcome_history",
    "outcome_tracks",
    "OpenNote",
    "open_notes",
    "open_notes_register",
    "open_notes_rows",
    "OpenNotesProvider",
    "open_notes_scope",
    "patient_search",
    "patient_search_page",
    "screening_for",
    "staff_by_role",
    "with_list_status",
    "freed_slots",
    "waitlist_entries",
    "waitlist_for_patient",
]
