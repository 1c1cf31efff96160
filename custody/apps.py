from django.apps import AppConfig


class CustodyConfig(AppConfig):
    """Records custody: backups that restore, retention and destruction, patients' access
    requests and the privacy breach register. The top clinical layer: it backs up, releases
    and destroys what every app below holds."""

    name = "custody"
    verbose_name = "Records custody"

    def ready(self) -> None:
        from clinic.selectors import admin_home_panel_register
        from custody import selectors

        # Open and overdue access requests on the clinic admin's home (clinic).
        admin_home_panel_register("access_requests", selectors.overdue_requests_panel)
