"""Data in and out: exports, imports and calendar feeds."""

from django.urls import path

from interop import views

app_name = "interop"

urlpatterns: list = [
    path("imports/", views.import_home, name="import_home"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/import/", views.import_job_start, name="import_job_start"),
]
