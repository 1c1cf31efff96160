from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    """Gunn assessment: spinal segments, muscles, signs, findings and the body chart."""

    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from assessments import selectors, services
        from assessments.models import Muscle, MuscleInnervation, Segment, Sign, SignTest
        from clinic.reference_cache import reference_watch
        from clinic.selectors import open_notes_register
        from clinic.services import export_section_register

        post_migrate.connect(services.reference_data_ensure, sender=self)
        # The session form and the assessment pages memoise them per process
        # (clinic/reference_cache.py; selectors.finding_reference).
        reference_watch(Muscle, Segment, MuscleInnervation, Sign, SignTest)
        export_section_register("assessments", assessments_export)
        # Unsigned assessments, on My day (clinic) and the chart.
        open_notes_register(selectors.DRAFT_ASSESSMENTS, selectors.OPEN_NOTES_PROVIDER)


def assessments_export(patient):
    """The patient's signed assessments, with every finding and addendum, for their export."""
    from assessments.models import Assessment
    from clinic.services import export_rows

    signed = Assessment.objects.filter(patient=patient, status=Assessment.Status.SIGNED)
    return [
        {
            **export_rows([a], skip={"intake", "appointment"})[0],
            "sign_findings": export_rows(a.sign_findings.all(), skip={"assessment"}),
            "taut_bands": export_rows(a.taut_bands.all(), skip={"assessment"}),
            "ranges_of_motion": export_rows(a.range_findings.all(), skip={"assessment"}),
            "addenda": export_rows(a.addenda.all(), skip={"assessment"}),
        }
        for a in signed.order_by("assessed_on")
    ]
