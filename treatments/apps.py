from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """IMS sessions, the patient chart, visit summaries and patient documents."""

    name = "treatments"
    verbose_name = "Treatments"
