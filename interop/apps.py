from django.apps import AppConfig


class InteropConfig(AppConfig):
    """Data in and out: the FHIR R4 export (one patient's Bundle, the clinic's bulk NDJSON),
    imports from other clinic software, and calendar feeds. Above treatments, so it can read
    every record; nothing below imports it."""

    name = "interop"
    verbose_name = "Data in and out"

    def ready(self) -> None:
        from clinic.selectors import admin_home_panel_register
        from interop.selectors import export_home_panel

        admin_home_panel_register("interop.fhir_export", export_home_panel)
