from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    """The front office: accounts and roles, patients, scheduling and audit."""

    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic import services

        # Roles are reference data derived from code (clinic.permissions.ROLE_PERMISSIONS);
        # every migrate brings the groups and their permissions up to date, including the
        # test database.
        post_migrate.connect(services.roles_sync_after_migrate, sender=self)
