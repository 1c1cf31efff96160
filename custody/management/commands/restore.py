"""`manage.py restore ARCHIVE`: into an empty database and empty document storage, after
checking the whole archive against its manifest (docs/OPERATIONS.md, "Restore")."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from custody import services


class Command(BaseCommand):
    help = (
        "Restore a backup archive into the (empty) database and (empty) private storage of "
        "these settings. Nothing is written unless every check passes."
    )
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive")
        parser.add_argument(
            "--workdir",
            help="directory for the database dump while restoring (default: system temp)",
        )

    def handle(self, *args, **options) -> None:
        try:
            key = services.configured_key()
            report = services.backup_restore(
                archive=options["archive"],
                key=key,
                database=settings.DATABASES["default"],
                workdir=options["workdir"],
            )
        except (services.RestoreRefused, services.ArchiveKeyError) as error:
            raise CommandError(f"Restore refused: {error}") from error
        except services.RestoreFailed as error:
            raise CommandError(f"Restore failed: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {report.created_at} ({report.database}, git "
                f"{report.git_rev[:12] or 'unknown'}): {len(report.tables)} tables, "
                f"{report.rows:,} rows, {report.documents} documents "
                f"({report.document_bytes:,} bytes). Every row count matches the manifest."
            )
        )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  note: {warning}"))
