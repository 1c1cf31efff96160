"""manage.py import_patients: the page's work from the command line; a dry run unless
--commit (issue 21)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from clinic.models import Patient
from interop.models import ImportPreset
from interop.tests.helpers import FIXTURES, clinic_for_fixtures

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = io.StringIO()
    call_command("import_patients", *args, stdout=out)
    return out.getvalue()


def test_dry_run_by_default_then_commit_then_nothing_new():
    clinic_for_fixtures()
    path = str(FIXTURES / "jane_patients.csv")

    dry = _call(path, "--source", "jane")
    assert dry.startswith("Dry run (nothing written): 100 rows, 94 new, 0 updated, 0 skipped,")
    assert "  line 60: mobile phone “604-555-CALL”" in dry
    assert Patient.objects.count() == 0

    assert "94 new" in _call(path, "--source", "jane", "--commit")
    assert Patient.objects.count() == 94
    again = _call(path, "--source", "jane", "--commit")
    assert "0 new, 0 updated, 94 skipped, 6 invalid" in again
    assert Patient.objects.count() == 94


def test_a_saved_preset_maps_the_columns(tmp_path):
    admin = clinic_for_fixtures()
    ImportPreset.objects.create(
        name="Old",
        source="other",
        kind="patients",
        mapping={
            "id": "Ref",
            "first_name": "Given",
            "last_name": "Family",
            "date_of_birth": "Born",
        },
        created_by=admin,
    )
    path = tmp_path / "old.csv"
    path.write_text("Ref,Given,Family,Born\n1,Ada,Lovelace,1985-12-10\n")

    out = _call(str(path), "--source", "other", "--preset", "Old", "--commit")

    assert "1 new" in out
    assert Patient.objects.get().legal_last_name == "Lovelace"
    with pytest.raises(CommandError, match="No column for"):
        _call(str(path), "--source", "cliniko")
    with pytest.raises(CommandError, match="No preset named"):
        _call(str(path), "--preset", "Missing")
