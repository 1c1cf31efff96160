from django.apps import AppConfig


class CustodyConfig(AppConfig):
    """Records custody: backups that restore, retention and destruction, patients' access
    requests and the privacy breach register. The top clinical layer: it backs up, releases
    and destroys what every app below holds."""

    name = "custody"
    verbose_name = "Records custody"

    def ready(self) -> None:
        from clinic.selectors import admin_home_panel_register, health_check_register
        from custody import selectors

        # clinic may not import custody: /healthz and the admin home ask through registries.
        health_check_register("backup", selectors.backup_health)
        admin_home_panel_register("backup", backup_panel)
        # Open and overdue access requests on the clinic admin's home.
        admin_home_panel_register("access_requests", selectors.overdue_requests_panel)


def backup_panel(request):
    """The admin home's backup card: the last good backup's age, red past 26 hours."""
    from clinic.selectors import HomePanel
    from custody.selectors import backup_age

    return HomePanel(template="custody/_backup_panel.html", context={"age": backup_age()}, order=10)
