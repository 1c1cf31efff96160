"""Reads of the treatments app, shaped for one page (or PDF) each; re-exported by area."""

from treatments.selectors.documents import (
    CourseSessionRow,
    TreatedArea,
    clinic_details,
    course_summary_context,
    treated_areas,
    visit_summary_context,
    visit_summary_with_relations,
)
from treatments.selectors.sessions import (
    SESSIONS_PER_PAGE,
    Chart,
    PortalDocument,
    chart_for_patient,
    ims_visits_without_note,
    incidents,
    muscles_for_session,
    open_draft_sessions,
    patient_documents,
    portal_documents,
    session_detail,
    session_history,
    session_summaries,
)

__all__ = [
    "CourseSessionRow",
    "TreatedArea",
    "clinic_details",
    "course_summary_context",
    "treated_areas",
    "visit_summary_context",
    "visit_summary_with_relations",
    "SESSIONS_PER_PAGE",
    "Chart",
    "PortalDocument",
    "chart_for_patient",
    "ims_visits_without_note",
    "incidents",
    "muscles_for_session",
    "open_draft_sessions",
    "patient_documents",
    "portal_documents",
    "session_detail",
    "session_history",
    "session_summaries",
]
