"""PostgreSQL: a trigram index so substring search over patients' names, e-mail and phone
stays fast with tens of thousands of patients. SQLite (the local default) needs none."""

from django.db import migrations

INDEX = "clinic_patient_search_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON clinic_patient "
        "USING gin (search_text gin_trgm_ops)"
    )
    # The planner estimates LIKE '%term%' from the column's histogram; with the default
    # 100 buckets it guesses ~3% of rows for many terms and prefers a sequential scan. A
    # finer histogram gives realistic estimates, so the index is chosen (measured: see
    # clinic/tests/test_search_postgres.py and `manage.py bench_patient_search`).
    schema_editor.execute(
        "ALTER TABLE clinic_patient ALTER COLUMN search_text SET STATISTICS 1000"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("ALTER TABLE clinic_patient ALTER COLUMN search_text SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
