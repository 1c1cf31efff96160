"""Assessment URLs (physiotherapists only; each view declares it)."""

from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("patients/<int:patient_pk>/", views.patient_assessments, name="patient_list"),
    path("patients/<int:patient_pk>/new/", views.assessment_start, name="start"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path(
        "<int:pk>/header/<str:part>/",
        views.assessment_header_save,
        name="header_save",
    ),
    path("<int:pk>/summary/", views.segmental_summary, name="summary"),
    path("<int:pk>/sign/", views.assessment_sign, name="sign"),
    path("<int:pk>/addenda/", views.addendum_add, name="addendum_add"),
    path("<int:pk>/findings/<str:kind>/", views.finding_add, name="finding_add"),
    path(
        "<int:pk>/findings/<str:kind>/refresh/",
        views.finding_refresh,
        name="finding_refresh",
    ),
    path(
        "<int:pk>/findings/<str:kind>/<int:finding_pk>/",
        views.finding_edit,
        name="finding_edit",
    ),
    path(
        "<int:pk>/findings/<str:kind>/<int:finding_pk>/row/",
        views.finding_row,
        name="finding_row",
    ),
    path(
        "<int:pk>/findings/<str:kind>/<int:finding_pk>/remove/",
        views.finding_remove,
        name="finding_remove",
    ),
]
