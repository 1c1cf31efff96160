"""The signed-note triggers (migration 0003) and the incident-review trigger (0012) let one
thing through: the DELETE of a patient's rows while that patient's clinical record is
being destroyed at the end of its retention period (custody.services.retention).

That code sets `custody.destroy_patient` to the patient's id with set_config(..., true):
transaction-local, gone at commit or rollback, so it cannot leak into another request on
the same connection. The triggers are not disabled: an UPDATE of a signed row is still
refused, and so is a DELETE of any other patient's rows in the same transaction."""

from django.db import migrations


FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION treatments_reject_signed_session() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND COALESCE(current_setting('custody.destroy_patient', true), '') = OLD.patient_id::text THEN
            RETURN OLD;
        END IF;
        IF OLD.status = 'signed' THEN
            RAISE EXCEPTION 'treatment session % is signed and cannot be changed', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql;
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
            IF EXISTS (
                SELECT 1 FROM treatments_treatmentsession
                WHERE id = OLD.session_id AND COALESCE(current_setting('custody.destroy_patient', true), '') = patient_id::text
            ) THEN
                RETURN OLD;
            END IF;
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
    """
    CREATE OR REPLACE FUNCTION treatments_guard_adverse_event() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF EXISTS (
                SELECT 1 FROM treatments_treatmentsession
                WHERE id = OLD.session_id AND COALESCE(current_setting('custody.destroy_patient', true), '') = patient_id::text
            ) THEN
                RETURN OLD;
            END IF;
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
    CREATE OR REPLACE FUNCTION treatments_incident_review_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (
            SELECT 1 FROM treatments_adverseevent e
            JOIN treatments_treatmentsession s ON s.id = e.session_id
            WHERE e.id = OLD.event_id AND COALESCE(current_setting('custody.destroy_patient', true), '') = s.patient_id::text
        ) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'incident review steps are append-only (%)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
]

# Back to the functions of migrations 0003 and 0012, without the exemption.
BACKWARDS = [
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
    CREATE OR REPLACE FUNCTION treatments_incident_review_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'incident review steps are append-only (%)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
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
    dependencies = [("treatments", "0016_discharge_summary")]

    operations = [migrations.RunPython(forwards, backwards)]
