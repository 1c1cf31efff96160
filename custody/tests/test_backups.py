"""`manage.py backup` and `manage.py restore` (issue 22, acceptance 1 and 2): the archive
holds the database, every private document and a manifest; a restore refuses a non-empty
target, an encrypted archive without its key, and any archive whose contents differ from
its manifest (one byte of a document, a truncated dump), before writing anything.

The whole demo clinic's drill is tests/test_restore_drill.py; these use a few rows."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from clinic.tests.factories import PatientFactory
from custody import services
from custody.models import BackupRun
from custody.services import backups

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = {
    "visit-summaries/2026/01/a.pdf": b"%PDF-1.7 first summary " + bytes(range(256)) * 40,
    "records/b.pdf": b"%PDF-1.7 second " * 10,
}


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
def empty_database(tmp_path):
    """A new, empty database of the test database's kind; on PostgreSQL created with a
    unique name and dropped afterwards."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": db["ENGINE"], "NAME": str(tmp_path / "target.sqlite3")}
        return
    name = f"clinic_restore_{uuid.uuid4().hex[:12]}"
    with _pg_admin(db) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**db, "NAME": name}
    finally:
        with _pg_admin(db) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(db) -> list[str]:
    return backups._target_tables(db)


@pytest.fixture
def clinic_data(private_storage):
    for name, content in DOCS.items():
        default_storage.save(name, ContentFile(content))
    PatientFactory.create_batch(3)
    return private_storage


@pytest.fixture
def archive(clinic_data, tmp_path) -> Path:
    return Path(services.backup_create(output_dir=tmp_path / "out").path)


@pytest.fixture
def target_storage(tmp_path) -> FileSystemStorage:
    return FileSystemStorage(location=tmp_path / "restored")


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def _rewrite(path: Path, members: dict[str, bytes], out: Path) -> Path:
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def _restore(archive, db, storage, **kwargs):
    return services.backup_restore(archive=archive, database=db, storage=storage, **kwargs)


def _nothing_written(db, storage_root: Path) -> None:
    assert _tables(db) == []
    assert not storage_root.exists() or not any(storage_root.rglob("*"))


# --- backup --------------------------------------------------------------------------------


def test_backup_writes_dump_documents_and_a_manifest_that_proves_them(archive):
    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    dump_member = "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert list(members)[0] == dump_member
    assert manifest["database"]["sha256"] == hashlib.sha256(members[dump_member]).hexdigest()
    assert {d["name"]: d["sha256"] for d in manifest["documents"]} == {
        name: hashlib.sha256(content).hexdigest() for name, content in DOCS.items()
    }
    for name, content in DOCS.items():
        assert members[f"documents/{name}"] == content
    assert manifest["tables"]["clinic_patient"] == 3
    assert manifest["tables"]["custody_backuprun"] == 1
    assert "0002_backups" in manifest["migrations"]["custody"]
    assert archive.stat().st_mode & 0o077 == 0  # only the owner may read a backup

    run = BackupRun.objects.get()
    assert run.ok
    assert run.finished_at is not None
    assert run.path == str(archive)
    assert run.size_bytes == archive.stat().st_size
    assert run.documents == len(DOCS)
    assert not run.encrypted


def test_a_failed_backup_is_recorded_and_leaves_no_archive(clinic_data, tmp_path, monkeypatch):
    def broken_open(self, name, mode="rb"):
        raise OSError("disk read error")

    monkeypatch.setattr(FileSystemStorage, "open", broken_open)
    with pytest.raises(services.BackupError, match="disk read error"):
        services.backup_create(output_dir=tmp_path / "out")
    run = BackupRun.objects.get()
    assert not run.ok
    assert run.finished_at is not None
    assert "disk read error" in run.error
    assert [p.name for p in (tmp_path / "out").iterdir()] == []


def test_the_backup_command_reports_the_archive(clinic_data, tmp_path):
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "out"), stdout=out)
    archive = next((tmp_path / "out").glob("clinic-backup-*.tar"))
    assert str(archive) in out.getvalue()
    assert "2 documents" in out.getvalue()


def test_prune_keeps_the_newest_archives_and_nothing_else(tmp_path):
    names = [f"clinic-backup-2026010{day}T013000Z.tar" for day in range(1, 6)]
    for name in [*names, "notes.txt"]:
        (tmp_path / name).write_bytes(b"x")
    removed = services.backups_prune(tmp_path, keep=2)
    assert removed == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "notes.txt"])


def test_nightly_task_backs_up_into_the_configured_directory_and_keeps_n(
    clinic_data, tmp_path, settings
):
    from custody.tasks import backup_nightly_task

    settings.CLINIC_BACKUP_DIR = tmp_path / "nightly"
    settings.CLINIC_BACKUP_KEEP = 2
    (tmp_path / "nightly").mkdir()
    for day in (1, 2, 3):
        (tmp_path / "nightly" / f"clinic-backup-2020010{day}T013000Z.tar").write_bytes(b"old")
    run_id = backup_nightly_task.apply().get()
    run = BackupRun.objects.get(pk=run_id)
    assert run.ok
    assert run.trigger == BackupRun.Trigger.NIGHTLY
    kept = sorted(p.name for p in (tmp_path / "nightly").iterdir())
    assert kept == ["clinic-backup-20200103T013000Z.tar", Path(run.path).name]
    assert "nightly-backup" in settings.CELERY_BEAT_SCHEDULE


# --- restore -------------------------------------------------------------------------------


def test_restore_into_empty_targets_brings_back_rows_and_documents(
    archive, empty_database, target_storage
):
    report = _restore(archive, empty_database, target_storage)
    assert report.tables["clinic_patient"] == 3
    assert report.documents == len(DOCS)
    for name, content in DOCS.items():
        with target_storage.open(name, "rb") as handle:
            assert handle.read() == content
    assert backups._target_counts(empty_database) == report.tables


def test_restore_refuses_a_non_empty_database_and_writes_nothing(archive, target_storage):
    # The test database itself: it holds the clinic's tables.
    with pytest.raises(services.RestoreRefused, match="not empty"):
        _restore(archive, connection.settings_dict, target_storage)
    assert not Path(target_storage.location).exists()


def test_restore_refuses_non_empty_storage(archive, empty_database, target_storage):
    target_storage.save("stray.pdf", ContentFile(b"left over"))
    with pytest.raises(services.RestoreRefused, match="storage is not empty"):
        _restore(archive, empty_database, target_storage)
    assert _tables(empty_database) == []


def test_one_changed_byte_in_a_document_is_refused_and_nothing_written(
    archive, empty_database, target_storage, tmp_path
):
    members = _members(archive)
    name = "documents/records/b.pdf"
    data = bytearray(members[name])
    data[5] ^= 0x01
    members[name] = bytes(data)
    bad = _rewrite(archive, members, tmp_path / "bad.tar")
    with pytest.raises(services.RestoreRefused, match=r"records/b\.pdf does not match"):
        _restore(bad, empty_database, target_storage)
    _nothing_written(empty_database, Path(target_storage.location))


def test_a_truncated_dump_is_refused_and_nothing_written(
    archive, empty_database, target_storage, tmp_path
):
    members = _members(archive)
    dump = next(n for n in members if n.startswith("database."))
    members[dump] = members[dump][: len(members[dump]) // 2]
    bad = _rewrite(archive, members, tmp_path / "bad.tar")
    with pytest.raises(services.RestoreRefused, match="database dump does not match"):
        _restore(bad, empty_database, target_storage)
    _nothing_written(empty_database, Path(target_storage.location))


def test_a_truncated_archive_is_refused_and_nothing_written(
    archive, empty_database, target_storage, tmp_path
):
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(services.RestoreRefused, match="nothing was restored"):
        _restore(cut, empty_database, target_storage)
    _nothing_written(empty_database, Path(target_storage.location))


def test_a_document_missing_from_the_manifest_is_refused(
    archive, empty_database, target_storage, tmp_path
):
    members = _members(archive)
    manifest = members.pop("manifest.json")
    members["documents/smuggled.pdf"] = b"not in the manifest"
    members["manifest.json"] = manifest
    bad = _rewrite(archive, members, tmp_path / "bad.tar")
    with pytest.raises(services.RestoreRefused, match="smuggled.pdf is not in the manifest"):
        _restore(bad, empty_database, target_storage)
    _nothing_written(empty_database, Path(target_storage.location))


def test_the_restore_command_refuses_with_a_clear_message(archive, settings):
    # The site's own database is not empty.
    with pytest.raises(CommandError, match="Restore refused: The target database .* not empty"):
        call_command("restore", str(archive))


# --- encryption ----------------------------------------------------------------------------


@pytest.fixture
def key() -> bytes:
    return services.key_parse(services.key_generate())


@pytest.fixture
def encrypted_archive(clinic_data, tmp_path, key) -> Path:
    return Path(services.backup_create(output_dir=tmp_path / "out", key=key).path)


def test_an_encrypted_archive_hides_its_contents_and_restores_with_its_key(
    encrypted_archive, key, empty_database, target_storage
):
    raw = encrypted_archive.read_bytes()
    assert encrypted_archive.name.endswith(".tar.enc")
    assert b"manifest.json" not in raw
    assert DOCS["records/b.pdf"] not in raw
    assert BackupRun.objects.get().encrypted
    report = _restore(encrypted_archive, empty_database, target_storage, key=key)
    assert report.documents == len(DOCS)
    assert report.tables["clinic_patient"] == 3


def test_an_encrypted_archive_without_the_key_is_refused(
    encrypted_archive, empty_database, target_storage
):
    with pytest.raises(services.RestoreRefused, match="encrypted: set CLINIC_BACKUP_KEY"):
        _restore(encrypted_archive, empty_database, target_storage)
    _nothing_written(empty_database, Path(target_storage.location))


def test_an_encrypted_archive_with_another_key_is_refused(
    encrypted_archive, empty_database, target_storage
):
    other = services.key_parse(services.key_generate())
    with pytest.raises(services.RestoreRefused, match="wrong CLINIC_BACKUP_KEY"):
        _restore(encrypted_archive, empty_database, target_storage, key=other)
    _nothing_written(empty_database, Path(target_storage.location))


def test_a_changed_byte_in_an_encrypted_archive_is_refused(
    encrypted_archive, key, empty_database, target_storage, tmp_path
):
    data = bytearray(encrypted_archive.read_bytes())
    data[len(data) // 2] ^= 0x80
    bad = tmp_path / "bad.tar.enc"
    bad.write_bytes(bytes(data))
    with pytest.raises(services.RestoreRefused, match="cannot be decrypted"):
        _restore(bad, empty_database, target_storage, key=key)
    _nothing_written(empty_database, Path(target_storage.location))


def test_the_sqlite_copy_is_a_valid_database(archive, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite member is written on SQLite only")
    path = tmp_path / "copy.sqlite3"
    path.write_bytes(_members(archive)["database.sqlite3"])
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_copy_to_a_configured_storage_keeps_the_newest_there(tmp_path, settings):
    bucket = tmp_path / "bucket"
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(bucket)},
        },
    }
    bucket.mkdir()
    (bucket / "clinic-backup-20200101T013000Z.tar").write_bytes(b"old")
    (bucket / "clinic-backup-20200102T013000Z.tar.enc").write_bytes(b"old")
    (bucket / "keep-me.txt").write_bytes(b"not ours")
    archive = tmp_path / "clinic-backup-20260101T013000Z.tar.enc"
    archive.write_bytes(b"new archive")
    removed = services.backup_copy_to_storage(archive, "backups", keep=2)
    assert removed == ["clinic-backup-20200101T013000Z.tar"]
    assert sorted(p.name for p in bucket.iterdir()) == [
        "clinic-backup-20200102T013000Z.tar.enc",
        "clinic-backup-20260101T013000Z.tar.enc",
        "keep-me.txt",
    ]
    assert (bucket / archive.name).read_bytes() == b"new archive"
