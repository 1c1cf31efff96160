"""`manage.py backup [--output DIR]`: one archive with the database, every private
document and a manifest (docs/OPERATIONS.md, "Backup")."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from custody import services


class Command(BaseCommand):
    help = (
        "Write a backup archive (database dump, private documents, manifest) into --output "
        "(default CLINIC_BACKUP_DIR), encrypted when CLINIC_BACKUP_KEY is set."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", help="directory for the archive (default CLINIC_BACKUP_DIR)"
        )
        parser.add_argument(
            "--keep",
            type=int,
            help="afterwards delete all but the newest KEEP archives in that directory",
        )
        parser.add_argument(
            "--generate-key",
            action="store_true",
            help="print a new random key for CLINIC_BACKUP_KEY and exit",
        )

    def handle(self, *args, **options) -> None:
        if options["generate_key"]:
            self.stdout.write(services.key_generate())
            return
        output = options["output"] or settings.CLINIC_BACKUP_DIR
        try:
            key = services.configured_key()
            run = services.backup_create(output_dir=output, key=key)
        except (services.BackupError, services.ArchiveKeyError) as error:
            raise CommandError(f"Backup failed: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {run.path} ({run.size_bytes:,} bytes, {run.documents} "
                f"documents, {'encrypted' if run.encrypted else 'NOT encrypted'}) in "
                f"{(run.finished_at - run.started_at).total_seconds():.1f} s"
            )
        )
        if options["keep"]:
            for name in services.backups_prune(output, options["keep"]):
                self.stdout.write(f"  removed old archive {name}")
