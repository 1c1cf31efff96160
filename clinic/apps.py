from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
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
        local_directories_ensure()


def local_directories_ensure() -> None:
    """Create the local directories this configuration writes to, once at start-up rather
    than when settings are imported: the SQLite database's folder (SQLite cannot create
    it), STATIC_ROOT (whitenoise scans it when the first request arrives) and the folder of
    celery beat's schedule file."""
    folders = [Path(settings.STATIC_ROOT), Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent]
    for database in settings.DATABASES.values():
        name = str(database.get("NAME") or "")
        sqlite = database["ENGINE"] == "django.db.backends.sqlite3"
        if sqlite and name and ":memory:" not in name and not name.startswith("file:"):
            folders.append(Path(name).parent)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
