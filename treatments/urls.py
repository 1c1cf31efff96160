"""Treatment URLs: the chart and session notes (physiotherapists), incidents (admins)."""

from django.urls import path

from treatments import views

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
    path("sessions/<int:pk>/<str:kind>/", views.part_add, name="part_add"),
    path("sessions/<int:pk>/<str:kind>/refresh/", views.part_refresh, name="part_refresh"),
    path(
        "sessions/<int:pk>/<str:kind>/<int:part_pk>/remove/",
        views.part_remove,
        name="part_remove",
    ),
    path("incidents/", views.incidents, name="incidents"),
]
