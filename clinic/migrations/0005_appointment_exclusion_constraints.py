"""PostgreSQL: make double booking impossible in the database itself.

Two exclusion constraints (btree_gist) refuse any two appointments of one practitioner, or
of one patient, whose [start, end) ranges overlap, unless one is cancelled. The booking
service checks the same rules first and gives the friendly message; these catch a race or
code that bypasses the service. SQLite (the local default) relies on the service alone.
"""

from django.db import migrations

CONSTRAINTS = {
    "clinic_appt_no_practitioner_overlap": "practitioner_id",
    "clinic_appt_no_patient_overlap": "patient_id",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE clinic_appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE clinic_appointment DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0004_scheduling")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
