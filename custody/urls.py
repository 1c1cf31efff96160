"""Records custody: retention, access requests and the breach register."""

from django.urls import path

from custody import views

app_name = "custody"

urlpatterns = [
    path("", views.home, name="home"),
    path("province/", views.province_set, name="province"),
    path("retention/", views.retention, name="retention"),
    path("patients/", views.patient_lookup, name="patient_lookup"),
    path("patients/<int:patient_pk>/hold/", views.legal_hold_new, name="legal_hold_new"),
    path("holds/<int:pk>/lift/", views.legal_hold_lift, name="legal_hold_lift"),
    path("patients/<int:patient_pk>/destroy/", views.destroy, name="destroy"),
    path("destructions/", views.destructions, name="destructions"),
    path("requests/", views.requests_list, name="requests"),
    path("patients/<int:patient_pk>/request/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/extend/", views.request_extend, name="request_extend"),
    path("requests/<int:pk>/release/", views.request_release, name="request_release"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="request_refuse"),
    path("breaches/", views.breaches, name="breaches"),
    path("breaches/new/", views.breach_new, name="breach_new"),
    path("breaches/<int:pk>/", views.breach_edit, name="breach_edit"),
    path("breaches/export.csv", views.breach_export, name="breach_export"),
    path("portal/access-requests/", views.portal_requests, name="portal_requests"),
    path(
        "portal/access-requests/<uuid:token>/download/",
        views.portal_release_download,
        name="portal_release_download",
    ),
]
