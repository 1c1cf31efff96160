"""On PostgreSQL, a signed assessment cannot change: a trigger rejects any UPDATE or DELETE
of a signed assessment row, and any INSERT, UPDATE or DELETE of a finding whose assessment
is signed. The service layer refuses first with a clear message; this is the backstop for
code (or a shell session) that goes around it. Addenda are their own table, so they stay
writable."""

from django.db import migrations

FINDING_TABLES = (
    "assessments_signfinding",
    "assessments_tautband",
    "assessments_rangeofmotion",
)

FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION assessments_reject_signed_change() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'signed' THEN
            RAISE EXCEPTION 'assessment % is signed and cannot be changed', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER assessments_assessment_signed_lock
        BEFORE UPDATE OR DELETE ON assessments_assessment
        FOR EACH ROW EXECUTE FUNCTION assessments_reject_signed_change();
    """,
    """
    CREATE OR REPLACE FUNCTION assessments_reject_signed_finding() RETURNS trigger AS $$
    DECLARE
        parent_ids integer[];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            parent_ids := ARRAY[NEW.assessment_id];
        ELSIF TG_OP = 'DELETE' THEN
            parent_ids := ARRAY[OLD.assessment_id];
        ELSE
            parent_ids := ARRAY[OLD.assessment_id, NEW.assessment_id];
        END IF;
        IF EXISTS (
            SELECT 1 FROM assessments_assessment
            WHERE id = ANY(parent_ids) AND status = 'signed'
        ) THEN
            RAISE EXCEPTION 'findings of a signed assessment cannot be changed'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"""
        CREATE TRIGGER {table}_signed_lock
            BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION assessments_reject_signed_finding();
        """
        for table in FINDING_TABLES
    ),
]

BACKWARDS = [
    *(f"DROP TRIGGER IF EXISTS {table}_signed_lock ON {table};" for table in FINDING_TABLES),
    "DROP FUNCTION IF EXISTS assessments_reject_signed_finding();",
    "DROP TRIGGER IF EXISTS assessments_assessment_signed_lock ON assessments_assessment;",
    "DROP FUNCTION IF EXISTS assessments_reject_signed_change();",
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
    dependencies = [("assessments", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards)]
