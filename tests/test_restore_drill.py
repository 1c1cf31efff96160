"""The restore drill (issue 22, acceptance 1): build the demo clinic, back it up, restore
the archive into a new, empty database and new, empty document storage, and prove that
nothing was lost and nothing loosened: every table's row count, every document's SHA-256,
a signed session still signed, and on PostgreSQL the triggers still refusing an UPDATE of
the signed session and any change to the access log.

The same drill runs on SQLite in the normal suite (its signed-note and audit locks are
PostgreSQL triggers, so there the drill checks counts, hashes and the signed state) and on
PostgreSQL with DATABASE_URL set (`make test` there, and CI).

Rows must be committed for pg_dump (another process) to see them, so the drill uses a
transactional test database; the demo PDFs are drawn for a few visits only (each takes a
second), the rest of the demo's documents stay pending as they do without a worker.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from clinic.models import AccessLog, Patient, User
from custody import services
from custody.models import BackupRun
from treatments.models import DocumentStatus, TreatmentSession, VisitSummary
from treatments.services.summaries import document_render

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]

DOCUMENTS_DRAWN = 3


def _pg_admin(db):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=str(db["PORT"]) if db["PORT"] else None,
        autocommit=True,
    )


@pytest.fixture
def fresh_database(tmp_path):
    """A new, empty database of the test database's kind (PostgreSQL: created with a unique
    name and dropped afterwards)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": db["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"clinic_drill_{uuid.uuid4().hex[:12]}"
    with _pg_admin(db) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**db, "NAME": name}
    finally:
        with _pg_admin(db) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo_clinic(private_storage):
    """The demo clinic, committed, with a few visit summary PDFs in private storage."""
    from celery.app.task import Task

    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(DEBUG=True),
    ):
        # As devtools' seed_demo test does: no task leaves this process while seeding.
        patch.setattr(Task, "apply_async", lambda *args, **kwargs: None)
        call_command("seed_demo", stdout=io.StringIO())
    pending = VisitSummary.objects.filter(status=DocumentStatus.PENDING).order_by("pk")
    for summary in pending[:DOCUMENTS_DRAWN]:
        assert document_render(VisitSummary, summary.pk)
    if not AccessLog.objects.exists():
        AccessLog.objects.create(
            user=User.objects.order_by("pk").first(),
            patient=Patient.objects.order_by("pk").first(),
            what="chart",
        )
    return private_storage


def _source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _query(db, sql, params=()):
    if "sqlite3" in db["ENGINE"]:
        conn = sqlite3.connect(db["NAME"])
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
    from custody.services.backups import _pg_connect

    with _pg_connect(db) as conn:
        return conn.execute(sql.replace("?", "%s"), params).fetchall()


def test_the_demo_clinic_restores_whole_into_a_fresh_database_and_storage(
    demo_clinic, fresh_database, tmp_path
):
    signed = TreatmentSession.objects.filter(status=TreatmentSession.Status.SIGNED).first()
    assert signed is not None, "the demo clinic has signed sessions"
    source_counts = _source_counts()
    source_hashes = _hashes(demo_clinic)
    assert len(source_hashes) >= DOCUMENTS_DRAWN
    assert source_counts["clinic_accesslog"] > 0

    run = services.backup_create(output_dir=tmp_path / "backups")
    assert run.ok
    assert run.documents == len(source_hashes)
    assert BackupRun.objects.get().ok
    archive = Path(run.path)

    restored_root = tmp_path / "restored-private"
    report = services.backup_restore(
        archive=archive,
        database=fresh_database,
        storage=FileSystemStorage(location=restored_root),
        workdir=tmp_path,
    )

    # Every table, every row (the backup's own run row is written before its snapshot).
    expected = {**source_counts, "custody_backuprun": source_counts["custody_backuprun"] + 1}
    assert report.tables == expected
    restored_counts = {
        table: _query(fresh_database, f'SELECT count(*) FROM "{table}"')[0][0]  # noqa: S608
        for table in expected
    }
    assert restored_counts == expected
    assert sum(expected.values()) == report.rows > 1000
    # Every document, byte for byte.
    assert _hashes(restored_root) == source_hashes
    assert report.documents == len(source_hashes)
    # The signed session is still signed.
    status = _query(
        fresh_database, "SELECT status FROM treatments_treatmentsession WHERE id = ?", (signed.pk,)
    )
    assert status == [("signed",)]
    if connection.vendor == "postgresql":
        _triggers_still_refuse(fresh_database, signed.pk)


def _triggers_still_refuse(db, signed_pk: int) -> None:
    """On the restored PostgreSQL database: the signed session and the access log are
    locked by the same triggers as in the live one; appending to the log still works."""
    import psycopg

    from custody.services.backups import _pg_connect

    with _pg_connect(db, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="signed"):
            conn.execute(
                "UPDATE treatments_treatmentsession SET status = 'draft' WHERE id = %s",
                (signed_pk,),
            )
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation):
            conn.execute("DELETE FROM treatments_treatmentsession WHERE id = %s", (signed_pk,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("UPDATE clinic_accesslog SET what = 'nothing'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("DELETE FROM clinic_accesslog")
        # Appending still works, as in the live database.
        user_id = conn.execute("SELECT min(id) FROM clinic_user").fetchone()[0]
        conn.execute(
            "INSERT INTO clinic_accesslog (at, user_id, action, what, path, user_agent, reason)"
            " VALUES (now(), %s, 'view', 'drill', '', '', '')",
            (user_id,),
        )
        assert conn.execute(
            "SELECT status FROM treatments_treatmentsession WHERE id = %s", (signed_pk,)
        ).fetchone() == ("signed",)
