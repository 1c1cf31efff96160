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

        # The clinic admin's home (clinic cannot import interop): the FHIR export's state and
        # the import page's card.
        admin_home_panel_register("interop.fhir_export", export_home_panel)
        admin_home_panel_register("interop_imports", imports_home_panel)


def imports_home_panel(request):
    """The import page's card on the admin home, with the latest file's state."""
    from clinic.selectors import HomePanel
    from interop.models import ImportJob

    latest = ImportJob.objects.only("file_name", "status", "created_at").first()
    return HomePanel("interop/_admin_home_panel.html", {"latest": latest}, order=50)
