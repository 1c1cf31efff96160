"""On PostgreSQL, a signed session cannot change: a trigger rejects UPDATE or DELETE of a
signed session row, and INSERT/UPDATE/DELETE of its needling sites and range re-tests.
Adverse events may be added after signing (symptoms can appear hours later) but not
edited or removed. The services refuse first, with a clear message."""

from django.db import migrations

CHILD_TABLES = ("treatments_needlingsite", "treatments_romretest")

FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION treatments_reject_signed_session() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'signed' THEN
            RAISE EXCEPTION 'treatment session % is signed and cannot be changed', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER treatments_session_signed_lock
        BEFORE UPDATE OR DELETE ON treatments_treatmentsession
        FOR EACH ROW EXECUTE FUNCTION treatments_reject_signed_session();
    """,
    """
    CREATE OR REPLACE FUNCTION treatments_reject_signed_child() RETURNS trigger AS $$
    DECLARE
        parent_ids integer[];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            parent_ids := ARRAY[NEW.session_id];
        ELSIF TG_OP = 'DELETE' THEN
            parent_ids := ARRAY[OLD.session_id];
        ELSE
            parent_ids := ARRAY[OLD.session_id, NEW.session_id];
        END IF;
        IF EXISTS (
            SELECT 1 FROM treatments_treatmentsession
            WHERE id = ANY(parent_ids) AND status = 'signed'
        ) THEN
            RAISE EXCEPTION 'the record of a signed treatment session cannot be changed'
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
            FOR EACH ROW EXECUTE FUNCTION treatments_reject_signed_child();
        """
        for table in CHILD_TABLES
    ),
    # Adverse events: added any time, never removed; once the session is signed only the
    # notification timestamp may still be set.
    """
    CREATE OR REPLACE FUNCTION treatments_guard_adverse_event() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'adverse events are never deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF EXISTS (
            SELECT 1 FROM treatments_treatmentsession
            WHERE id = OLD.session_id AND status = 'signed'
        ) AND (to_jsonb(NEW) - 'admin_notified_at') IS DISTINCT FROM
              (to_jsonb(OLD) - 'admin_notified_at') THEN
            RAISE EXCEPTION 'an adverse event of a signed session cannot be changed'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER treatments_adverseevent_signed_lock
        BEFORE UPDATE OR DELETE ON treatments_adverseevent
        FOR EACH ROW EXECUTE FUNCTION treatments_guard_adverse_event();
    """,
]

BACKWARDS = [
    "DROP TRIGGER IF EXISTS treatments_adverseevent_signed_lock ON treatments_adverseevent;",
    "DROP FUNCTION IF EXISTS treatments_guard_adverse_event();",
    *(f"DROP TRIGGER IF EXISTS {table}_signed_lock ON {table};" for table in CHILD_TABLES),
    "DROP FUNCTION IF EXISTS treatments_reject_signed_child();",
    "DROP TRIGGER IF EXISTS treatments_session_signed_lock ON treatments_treatmentsession;",
    "DROP FUNCTION IF EXISTS treatments_reject_signed_session();",
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
    dependencies = [("treatments", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards)]
