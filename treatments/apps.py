from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TreatmentsConfig(AppConfig):
    """IMS sessions, the patient chart, visit summaries and patient documents."""

    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from clinic.services import care_relation_register
        from treatments import services

        post_migrate.connect(services.reference_data_ensure, sender=self)
        care_relation_register(treatmentsession_care)


def treatmentsession_care(patient, practitioner):
    """The TreatmentSession rows that put a practitioner on the patient's care team."""
    from treatments.models import TreatmentSession

    rows = TreatmentSession.objects.filter(patient=patient)
    return rows.filter(practitioner=practitioner) if practitioner is not None else rows
