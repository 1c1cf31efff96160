from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    """Gunn assessment: spinal segments, muscles, signs, findings and the body chart."""

    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from assessments import services
        from clinic.services import care_relation_register

        post_migrate.connect(services.reference_data_ensure, sender=self)
        care_relation_register(assessment_care)


def assessment_care(patient, practitioner):
    """The Assessment rows that put a practitioner on the patient's care team."""
    from assessments.models import Assessment

    rows = Assessment.objects.filter(patient=patient)
    return rows.filter(practitioner=practitioner) if practitioner is not None else rows
