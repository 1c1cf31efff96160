from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TreatmentsConfig(AppConfig):
    """IMS sessions, the patient chart, visit summaries and patient documents."""

    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from treatments import services

        post_migrate.connect(services.reference_data_ensure, sender=self)
