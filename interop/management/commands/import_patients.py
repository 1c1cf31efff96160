"""Import a Cliniko or Jane export from the command line: the same work as the import page
(interop.services.import_file), a dry run unless --commit.

    manage.py import_patients patients.csv --source cliniko
    manage.py import_patients patients.csv --source cliniko --commit
    manage.py import_patients appointments.csv --source jane --kind appointments --commit
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.models import User
from clinic.permissions import Role
from interop.models import ImportKind, ImportPreset, ImportSource
from interop.services import ImportFileError, file_headers, import_file
from interop.services.import_presets import builtin_mapping, mapping_guess


class Command(BaseCommand):
    help = "Import patients (or appointments) from a Cliniko or Jane export; dry run by default."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", choices=ImportSource.values, default=ImportSource.CLINIKO)
        parser.add_argument("--kind", choices=ImportKind.values, default=ImportKind.PATIENTS)
        parser.add_argument("--preset", help="the name of a saved mapping preset")
        parser.add_argument("--by", help="username recorded as the importer (a clinic admin)")
        parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
        parser.add_argument("--json", action="store_true", help="print the whole report")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        by = self._importer(options["by"])
        data = path.read_bytes()
        source, kind = options["source"], options["kind"]
        if options["preset"]:
            preset = ImportPreset.objects.filter(name=options["preset"]).first()
            if preset is None:
                raise CommandError(f"No preset named {options['preset']!r}.")
            wanted = preset.mapping
        else:
            wanted = builtin_mapping(source, kind)
        try:
            mapping = mapping_guess(file_headers(data, path.name), kind, wanted)
            report = import_file(
                data=data,
                file_name=path.name,
                source=source,
                kind=kind,
                mapping=mapping,
                by=by,
                commit=options["commit"],
            )
        except ImportFileError as error:
            raise CommandError(error.message) from None
        result = report.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, default=str))
            return
        counts = result["counts"]
        what = "Imported" if options["commit"] else "Dry run (nothing written)"
        self.stdout.write(
            f"{what}: {result['total']} rows, {counts['new']} new, {counts['updated']} updated, "
            f"{counts['skipped']} skipped, {counts['invalid']} invalid, "
            f"in {result['seconds']:.1f} s."
        )
        for row in result["invalid"]:
            self.stdout.write(f"  line {row['line']}: {row['reason']}")
        for row in result["duplicates"]:
            matches = "; ".join(match["label"] for match in row["matches"])
            self.stdout.write(f"  line {row['line']}: possible duplicate of {matches}")

    def _importer(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return user
        admin = (
            User.objects.filter(is_active=True, groups__name=Role.CLINIC_ADMIN.group_name)
            .order_by("pk")
            .first()
        )
        if admin is None:
            raise CommandError("No active clinic admin; name the importer with --by.")
        return admin
