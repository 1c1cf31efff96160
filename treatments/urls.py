"""Treatment URLs: the chart and session notes (physiotherapists), incidents (admins),
patient documents (patients, physiotherapists, front desk)."""

from django.urls import path

from treatments.views import documents, incidents, records, sessions

app_name = "treatments"

urlpatterns = [
    path("patients/<int:patient_pk>/chart/", sessions.chart, name="chart"),
    path("patients/<int:patient_pk>/chart/scores/", sessions.chart_scores, name="chart_scores"),
    path("patients/<int:patient_pk>/readiness/", sessions.readiness, name="readiness"),
    path("patients/<int:patient_pk>/sessions/new/", sessions.session_start, name="session_start"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<int:pk>/edit/entries/", sessions.session_entries, name="session_entries"),
    path("sessions/<int:pk>/edit/sites/", sessions.session_sites, name="session_sites"),
    path("sessions/<int:pk>/edit/retests/", sessions.session_retests, name="session_retests"),
    path("sessions/<int:pk>/save/", sessions.session_save, name="session_save"),
    path("sessions/<int:pk>/sign-panel/", sessions.sign_panel, name="sign_panel"),
    path("sessions/<int:pk>/sign/", sessions.session_sign, name="session_sign"),
    path("sessions/<int:pk>/addenda/", sessions.session_addendum, name="session_addendum"),
    path("sessions/<int:pk>/events/", sessions.adverse_event_add, name="adverse_event_add"),
    path(
        "sessions/<int:pk>/summaries/",
        documents.session_summaries,
        name="session_summaries",
    ),
    path("sessions/<int:pk>/sites/repeat-last/", sessions.sites_repeat, name="sites_repeat"),
    path("sessions/<int:pk>/<str:kind>/", sessions.part_add, name="part_add"),
    path("sessions/<int:pk>/<str:kind>/refresh/", sessions.part_refresh, name="part_refresh"),
    path(
        "sessions/<int:pk>/<str:kind>/<int:part_pk>/remove/",
        sessions.part_remove,
        name="part_remove",
    ),
    path("incidents/", incidents.incidents, name="incidents"),
    path("incidents/<int:pk>/", incidents.incident, name="incident"),
    # Patient documents: the portal, staff lists, downloads and course summaries.
    path("documents/", documents.portal_documents, name="portal_documents"),
    path(
        "documents/<uuid:token>/download/",
        documents.portal_document_download,
        name="portal_document_download",
    ),
    path(
        "documents/discharge/<uuid:token>/staff-download/",
        documents.discharge_summary_download,
        name="discharge_summary_download",
    ),
    path(
        "documents/discharge/<uuid:token>/download/",
        documents.portal_discharge_download,
        name="portal_discharge_download",
    ),
    # The patient's whole record, readable and as a PDF (portal "My records").
    path("documents/my-record/", records.portal_record, name="portal_record"),
    path("documents/my-record/pdf/", records.portal_record_pdf, name="portal_record_pdf"),
    path(
        "documents/my-record/<uuid:token>/download/",
        records.portal_record_download,
        name="portal_record_download",
    ),
    path(
        "patients/<int:patient_pk>/documents/",
        documents.patient_documents,
        name="patient_documents",
    ),
    path(
        "patients/<int:patient_pk>/course-summaries/new/",
        documents.course_summary_new,
        name="course_summary_new",
    ),
    path(
        "summaries/<uuid:token>/download/",
        documents.summary_download,
        name="summary_download",
    ),
    # By id, not token: the front desk's Documents page posts to these and shows no token.
    path("summaries/<int:pk>/retry/", documents.summary_retry, name="summary_retry"),
    path("summaries/<int:pk>/email/", documents.summary_email, name="summary_email"),
    path(
        "course-summaries/<uuid:token>/",
        documents.course_summary,
        name="course_summary",
    ),
    path(
        "course-summaries/<uuid:token>/download/",
        documents.course_summary_download,
        name="course_summary_download",
    ),
    path(
        "course-summaries/<uuid:token>/retry/",
        documents.course_summary_retry,
        name="course_summary_retry",
    ),
]
