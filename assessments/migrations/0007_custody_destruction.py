"""The signed-assessment triggers (migration 0003) let one thing through: the DELETE of a
patient's rows while that patient's clinical record is being destroyed at the end of its
retention period (custody.services.retention), marked by the transaction-local setting
`custody.destroy_patient` (set_config(..., true)). An UPDATE of a signed assessment is
still refused, and so is a DELETE of any other patient's."""

from django.db import migrations


FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION assessments_reject_signed_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND COALESCE(current_setting('custody.destroy_patient', true), '') = OLD.patient_id::text THEN
            RETURN OLD;
        END IF;
        IF OLD.status = 'signed' THEN
            RAISE EXCEPTION 'assessment % is signed and cannot be changed', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql;
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
            IF EXISTS (
                SELECT 1 FROM assessments_assessment
                WHERE id = OLD.assessment_id AND COALESCE(current_setting('custody.destroy_patient', true), '') = patient_id::text
            ) THEN
                RETURN OLD;
            END IF;
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
]

BACKWARDS = [
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
    dependencies = [("assessments", "0006_range_extension_deficit")]

    operations = [migrations.RunPython(forwards, backwards)]
