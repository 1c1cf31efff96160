from django.apps import AppConfig


class CustodyConfig(AppConfig):
    """Records custody: backups that restore, retention and destruction, patients' access
    requests and the privacy breach register. The top clinical layer: it backs up, releases
    and destroys what every app below holds."""

    name = "custody"
    verbose_name = "Records custody"
