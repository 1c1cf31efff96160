from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    """Gunn assessment: spinal segments, muscles, signs, findings and the body chart."""

    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from assessments import services

        post_migrate.connect(services.reference_data_ensure, sender=self)
