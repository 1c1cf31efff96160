"""Treatment URLs: the chart and session notes (physiotherapists), incidents (admins),
patient documents (patients, physiotherapists, front desk)."""

from django.urls import path

from treatments import document_views, views

app_name = "treatments"

urlpatterns = [
    path("patients/<int:patient_pk>/chart/", views.chart, name="chart"),
    path("patients/<int:patient_pk>/sessions/new/", views.session_start, name="session_start"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/save/", views.session_save, name="session_save"),
    path("sessions/<int:pk>/sign-panel/", views.sign_panel, name="sign_panel"),
    path("sessions/<int:pk>/sign/", views.session_sign, name="session_sign"),
    path("sessions/<int:pk>/addenda/", views.session_addendum, name="session_addendum"),
    path("sessions/<int:pk>/events/", views.adverse_event_add, name="adverse_event_add"),
    path(
        "sessions/<int:pk>/summaries/",
        document_views.session_summaries,
        name="session_summaries",
    ),
    path("sessions/<int:pk>/<str:kind>/", views.part_add, name="part_add"),
    path("sessions/<int:pk>/<str:kind>/refresh/", views.part_refresh, name="part_refresh"),
    path(
        "sessions/<int:pk>/<str:kind>/<int:part_pk>/remove/",
        views.part_remove,
        name="part_remove",
    ),
    path("incidents/", views.incidents, name="incidents"),
    # Patient documents: the portal, staff lists, downloads and course summaries.
    path("documents/", document_views.portal_documents, name="portal_documents"),
    path(
        "documents/<uuid:token>/download/",
        document_views.portal_document_download,
        name="portal_document_download",
    ),
    path(
        "patients/<int:patient_pk>/documents/",
        document_views.patient_documents,
        name="patient_documents",
    ),
    path(
        "patients/<int:patient_pk>/course-summaries/new/",
        document_views.course_summary_new,
        name="course_summary_new",
    ),
    path(
        "summaries/<uuid:token>/download/",
        document_views.summary_download,
        name="summary_download",
    ),
    # By id, not token: the front desk's Documents page posts to these and shows no token.
    path("summaries/<int:pk>/retry/", document_views.summary_retry, name="summary_retry"),
    path("summaries/<int:pk>/email/", document_views.summary_email, name="summary_email"),
    path(
        "course-summaries/<uuid:token>/",
        document_views.course_summary,
        name="course_summary",
    ),
    path(
        "course-summaries/<uuid:token>/download/",
        document_views.course_summary_download,
        name="course_summary_download",
    ),
    path(
        "course-summaries/<uuid:token>/retry/",
        document_views.course_summary_retry,
        name="course_summary_retry",
    ),
]
