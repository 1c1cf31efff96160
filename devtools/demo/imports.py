"""Demo rows for the import page (issue 21): a saved column mapping, as an admin would keep
one after adjusting the built-in Cliniko mapping (no patients are imported: the demo clinic
keeps its own)."""

from __future__ import annotations

from clinic.models import Patient, User
from interop.models import ImportKind, ImportPreset, ImportSource
from interop.services.import_presets import builtin_mapping

LABEL = "import presets"
PRESET_NAME = "Cliniko, with the work phone as mobile"


def build(*, users: dict[str, User], patients: list[Patient]) -> int:
    admin = users["admin"]
    mapping = builtin_mapping(ImportSource.CLINIKO, ImportKind.PATIENTS) | {
        "mobile_phone": "work_phone",
        "work_phone": "",
    }
    _preset, created = ImportPreset.objects.get_or_create(
        name=PRESET_NAME,
        defaults={
            "source": ImportSource.CLINIKO,
            "kind": ImportKind.PATIENTS,
            "mapping": {key: header for key, header in mapping.items() if header},
            "created_by": admin,
        },
    )
    return int(created)
