"""Assessment URLs (physiotherapists only; each view declares it)."""

from django.urls import path

from assessments.views import assessments

app_name = "assessments"

urlpatterns = [
    path("patients/<int:patient_pk>/", assessments.patient_assessments, name="patient_list"),
    path("patients/<int:patient_pk>/new/", assessments.assessment_start, name="start"),
    path("<int:pk>/", assessments.assessment_detail, name="detail"),
    path("<int:pk>/edit/", assessments.assessment_edit, name="edit"),
    path(
        "<int:pk>/header/<str:part>/",
        assessments.assessment_header_save,
        name="header_save",
    ),
    path("<int:pk>/summary/", assessments.segmental_summary, name="summary"),
    path("<int:pk>/sign/", assessments.assessment_sign, name="sign"),
    path("<int:pk>/addenda/", assessments.addendum_add, name="addendum_add"),
    path("<int:pk>/findings/<str:kind>/", assessments.finding_add, name="finding_add"),
    path(
        "<int:pk>/findings/<str:kind>/refresh/",
        assessments.finding_refresh,
        name="finding_refresh",
    ),
    path(
        "<int:pk>/findings/<str:kind>/<int:finding_pk>/",
        assessments.finding_edit,
        name="finding_edit",
    ),
    path(
        "<int:pk>/findings/<str:kind>/<int:finding_pk>/row/",
        assessments.finding_row,
        name="finding_row",
    ),
    path(
        "<int:pk>/findings/<str:kind>/<int:finding_pk>/remove/",
        assessments.finding_remove,
        name="finding_remove",
    ),
]
