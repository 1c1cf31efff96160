from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    """Gunn assessment: spinal segments, muscles, signs, findings and the body chart."""

    name = "assessments"
    verbose_name = "Assessments"
