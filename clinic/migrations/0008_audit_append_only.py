"""On PostgreSQL the audit trail is append-only: a trigger refuses UPDATE and DELETE of
access log rows and of their reviews, whoever asks (the app, the admin, a shell). Rows are
only ever added; TRUNCATE (test databases being reset) is a table-level operation the row
trigger does not see."""

from django.db import migrations

TABLES = ("clinic_accesslog", "clinic_accessreview")

FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION clinic_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"""
        CREATE TRIGGER {table}_append_only
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION clinic_audit_append_only();
        """
        for table in TABLES
    ),
]
BACKWARDS = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS clinic_audit_append_only();",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARDS:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARDS:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0007_access_review")]

    operations = [migrations.RunPython(forwards, backwards)]
