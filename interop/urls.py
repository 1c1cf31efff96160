"""Data in and out: exports, imports and calendar feeds."""

from django.urls import path

from interop.views import calendar_feeds, fhir, imports

app_name = "interop"

urlpatterns = [
    # FHIR R4: one patient's Bundle (chart, portal) and the clinic's bulk NDJSON export.
    path("patients/<int:patient_pk>/fhir/", fhir.patient_bundle, name="patient_bundle"),
    path("my-records/fhir/", fhir.portal_bundle, name="portal_bundle"),
    path("exports/fhir/", fhir.exports, name="exports"),
    path("exports/fhir/start/", fhir.export_start, name="export_start"),
    path("exports/fhir/<uuid:token>/resume/", fhir.export_resume, name="export_resume"),
    path("exports/fhir/<uuid:token>/manifest/", fhir.export_manifest, name="export_manifest"),
    path(
        "exports/fhir/<uuid:token>/<str:resource_type>.ndjson",
        fhir.export_file,
        name="export_file",
    ),
    # Imports from other clinic software (clinic admin).
    path("imports/", imports.import_home, name="import_home"),
    path("imports/<int:pk>/", imports.import_job, name="import_job"),
    path("imports/<int:pk>/import/", imports.import_job_start, name="import_job_start"),
    # Calendar feeds; the token is the credential (interop.services.calendar_feeds).
    path("calendar/<str:token>.ics", calendar_feeds.calendar_feed, name="calendar_feed"),
    path("calendar/schedule/", calendar_feeds.schedule_feed, name="schedule_feed"),
    path("portal/calendar/", calendar_feeds.portal_calendar_feed, name="portal_calendar_feed"),
]
