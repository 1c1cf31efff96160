from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TreatmentsConfig(AppConfig):
    """IMS sessions, the patient chart, visit summaries and patient documents."""

    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from clinic.reference_cache import reference_watch
        from clinic.selectors import open_notes_register
        from clinic.services import care_plan_discharge_hook_register, export_section_register
        from treatments import selectors, services
        from treatments.models import HomeCareSnippet, NeedleSize

        # The session form memoises them per process (clinic/reference_cache.py).
        reference_watch(HomeCareSnippet, NeedleSize)
        post_migrate.connect(services.reference_data_ensure, sender=self)
        export_section_register("treatment_sessions", treatment_sessions_export)
        # Unsigned session notes and completed IMS visits without one, on My day (clinic).
        for name, provider in selectors.OPEN_NOTES_PROVIDERS.items():
            open_notes_register(name, provider)
        # Discharging a plan (clinic) asks for the patient's discharge summary PDF.
        care_plan_discharge_hook_register(
            "discharge_summary", services.discharge_summary_request_on_discharge
        )


def treatment_sessions_export(patient):
    """The patient's signed IMS session notes, with sites, re-tests, adverse events, addenda
    and their visit summaries' versions, for their export."""
    from clinic.services import export_rows
    from treatments.models import TreatmentSession

    signed = TreatmentSession.objects.filter(patient=patient, status=TreatmentSession.Status.SIGNED)
    return [
        {
            **export_rows([s], skip={"appointment", "assessment"})[0],
            "home_care": [str(snippet) for snippet in s.home_care.all()],
            "needling_sites": export_rows(s.sites.all(), skip={"session"}),
            "range_retests": export_rows(s.retests.all(), skip={"session"}),
            "adverse_events": export_rows(s.adverse_events.all(), skip={"session"}),
            "addenda": export_rows(s.addenda.all(), skip={"session"}),
            "visit_summaries": export_rows(
                s.summaries.all(), skip={"session", "file", "token", "error"}
            ),
        }
        for s in signed.order_by("session_date")
    ]
