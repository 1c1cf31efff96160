"""Backups that restore: one archive holding the database, every private document and a
manifest that proves both, and the restore that checks the manifest before writing
anything.

The archive is a tar stream (optionally encrypted as a whole, custody/services/
archive_crypto.py) with these members, in this order:

    database.pgdump      pg_dump's custom format (PostgreSQL), or
    database.sqlite3     a copy made with SQLite's online backup API
    documents/<name>     each file of private storage, read through the storage API
    manifest.json        app version, migrations, row counts per table, SHA-256 of all above

On PostgreSQL the dump and the row counts come from one snapshot (pg_export_snapshot), so
the counts the manifest promises are exactly the rows the dump holds, even while the clinic
keeps working. The dump carries the schema with its triggers (signed notes locked, the
access log append-only), so a restored database refuses the same changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import django
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage, storages
from django.db import connections
from django.utils import timezone

from custody.models import BackupRun
from custody.services.archive_crypto import (
    ArchiveKeyError,
    DecryptingReader,
    EncryptingWriter,
    is_encrypted,
    key_parse,
)

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
PG_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3"
DOCUMENTS = "documents/"
ARCHIVE_PREFIX = "clinic-backup-"
PLAIN_SUFFIX = ".tar"
ENCRYPTED_SUFFIX = ".tar.enc"
COPY_BUFFER = 1024 * 1024
MANIFEST_LIMIT = 256 * 1024 * 1024  # a manifest of millions of documents still fits


class BackupError(Exception):
    """The backup could not be written; the message says why."""


class RestoreRefused(Exception):
    """The restore was refused before anything was written: the message says why and what
    to do."""


class RestoreFailed(Exception):
    """Writing the restore failed part-way (after every check passed)."""


# --- helpers shared by both directions ---------------------------------------------------


def _is_postgres(db: dict[str, Any]) -> bool:
    return "postgresql" in db["ENGINE"]


def _is_sqlite(db: dict[str, Any]) -> bool:
    return "sqlite3" in db["ENGINE"]


def _pg_connect(db: dict[str, Any], **kwargs):
    import psycopg

    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=str(db["PORT"]) if db.get("PORT") else None,
        connect_timeout=10,
        **kwargs,
    )


def _pg_cli(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore (the password goes in
    the environment, never on a command line others can read)."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _sqlite_uri(name: str) -> tuple[str, bool]:
    name = str(name)
    return name, name.startswith("file:")


PG_TABLES = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
    ORDER BY c.relname
"""
SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
)


def _pg_counts(cursor) -> dict[str, int]:
    from psycopg import sql

    cursor.execute(PG_TABLES)
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [row[0] for row in conn.execute(SQLITE_TABLES)]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608 (names from sqlite_master)


def _migrations(rows) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _git_rev() -> str:
    try:
        done = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _storage_walk(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name in `storage`, depth first, sorted (works for S3 as for a directory).
    A storage directory that does not exist yet holds nothing."""
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        if path:
            raise
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for name in sorted(dirs):
        yield from _storage_walk(storage, posixpath.join(path, name) if path else name)


class _Hashing:
    """A read-only file that hashes what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self.sha256.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


def _add(tar: tarfile.TarFile, name: str, size: int, fileobj) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, fileobj)


def _document_member_name(member: str) -> str | None:
    """The storage name of a document member, or None if the name is unsafe."""
    name = member[len(DOCUMENTS) :]
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return None
    return name


# --- backup ------------------------------------------------------------------------------------


@dataclass
class _DatabaseCopy:
    member: str
    path: Path
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    server: str


def _dump_postgres(db: dict[str, Any], target: Path) -> _DatabaseCopy:
    args, env = _pg_cli(db)
    with _pg_connect(db, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server = cursor.fetchone()
        done = subprocess.run(  # noqa: S603
            [
                shutil.which("pg_dump") or "pg_dump",
                *args,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                "--dbname",
                db["NAME"],
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-2000:]}")
        tables = _pg_counts(cursor)
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = _migrations(cursor.fetchall())
        cursor.execute("COMMIT")
    return _DatabaseCopy(PG_MEMBER, target, tables, migrations, f"PostgreSQL {server}")


def _dump_sqlite(alias: str, target: Path) -> _DatabaseCopy:
    connection = connections[alias]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        tables = _sqlite_counts(copy)
        migrations = _migrations(copy.execute("SELECT app, name FROM django_migrations"))
    finally:
        copy.close()
    return _DatabaseCopy(
        SQLITE_MEMBER, target, tables, migrations, f"SQLite {sqlite3.sqlite_version}"
    )


def archive_name(now: dt.datetime, *, encrypted: bool) -> str:
    suffix = ENCRYPTED_SUFFIX if encrypted else PLAIN_SUFFIX
    return f"{ARCHIVE_PREFIX}{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}{suffix}"


def configured_key() -> bytes | None:
    """The archive key from CLINIC_BACKUP_KEY, or None when backups are not encrypted."""
    text = getattr(settings, "CLINIC_BACKUP_KEY", "") or ""
    return key_parse(text) if text else None


def backup_create(
    *,
    output_dir: Path | str,
    key: bytes | None = None,
    trigger: str = BackupRun.Trigger.COMMAND,
    storage: Storage | None = None,
    database: str = "default",
) -> BackupRun:
    """Write one archive into `output_dir` and record the run. Raises BackupError (the run
    row says failed, with the reason) if anything goes wrong; a half-written archive is
    removed, never left under the final name."""
    storage = storage or default_storage
    db = connections[database].settings_dict
    run = BackupRun.objects.create(trigger=trigger, encrypted=key is not None)
    output = Path(output_dir)
    final = output / archive_name(run.started_at, encrypted=key is not None)
    partial = final.with_name(final.name + ".partial")
    try:
        output.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=output, prefix=".backup-") as work:
            if _is_postgres(db):
                copy = _dump_postgres(db, Path(work) / PG_MEMBER)
            elif _is_sqlite(db):
                copy = _dump_sqlite(database, Path(work) / SQLITE_MEMBER)
            else:
                raise BackupError(f"no backup method for the database engine {db['ENGINE']}")
            documents = _write_archive(partial, copy, storage=storage, key=key)
        partial.replace(final)
    except Exception as error:
        partial.unlink(missing_ok=True)
        message = (
            str(error) if isinstance(error, BackupError) else f"{type(error).__name__}: {error}"
        )
        logger.exception("backup failed")
        BackupRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), ok=False, error=message[:4000]
        )
        raise BackupError(message) from error
    run.finished_at = timezone.now()
    run.ok = True
    run.path = str(final)
    run.size_bytes = final.stat().st_size
    run.documents = documents
    run.save(update_fields=["finished_at", "ok", "path", "size_bytes", "documents"])
    return run


def _write_archive(path: Path, copy: _DatabaseCopy, *, storage: Storage, key: bytes | None) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        sink = EncryptingWriter(raw, key) if key is not None else raw
        with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            dump_size = copy.path.stat().st_size
            with open(copy.path, "rb") as dump:
                hashing = _Hashing(dump)
                _add(tar, copy.member, dump_size, hashing)
            documents = []
            for name in _storage_walk(storage):
                size = storage.size(name)
                with storage.open(name, "rb") as handle:
                    hashing_doc = _Hashing(handle)
                    _add(tar, DOCUMENTS + name, size, hashing_doc)
                documents.append({"name": name, "size": size, "sha256": hashing_doc.hexdigest()})
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "app": {"git_rev": _git_rev(), "django": django.get_version()},
                "database": {
                    "member": copy.member,
                    "server": copy.server,
                    "size": dump_size,
                    "sha256": hashing.hexdigest(),
                },
                "migrations": copy.migrations,
                "tables": copy.tables,
                "documents": documents,
            }
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            _add(tar, MANIFEST, len(body), io.BytesIO(body))
        if key is not None:
            sink.close()
        raw.flush()
        os.fsync(raw.fileno())
    return len(documents)


def backups_prune(directory: Path | str, keep: int) -> list[str]:
    """Delete all but the newest `keep` archives this app wrote in `directory` (by the
    time in their names); other files are left alone. Returns the names removed."""
    directory = Path(directory)
    archives = sorted(
        p.name
        for p in directory.glob(f"{ARCHIVE_PREFIX}*")
        if p.is_file() and p.name.endswith((PLAIN_SUFFIX, ENCRYPTED_SUFFIX))
    )
    doomed = archives[: max(len(archives) - max(keep, 1), 0)]
    for name in doomed:
        (directory / name).unlink(missing_ok=True)
    return doomed


def backup_copy_to_storage(path: Path, alias: str, keep: int) -> list[str]:
    """Copy an archive to another configured storage (a bucket: CLINIC_BACKUP_STORAGE names
    an entry of STORAGES) and keep its newest `keep` archives there too."""
    target = storages[alias]
    with open(path, "rb") as handle:
        target.save(path.name, File(handle, name=path.name))
    _dirs, files = target.listdir("")
    archives = sorted(
        f
        for f in files
        if f.startswith(ARCHIVE_PREFIX) and f.endswith((PLAIN_SUFFIX, ENCRYPTED_SUFFIX))
    )
    doomed = archives[: max(len(archives) - max(keep, 1), 0)]
    for name in doomed:
        target.delete(name)
    return doomed


def backup_nightly() -> BackupRun:
    """The beat job: back up into CLINIC_BACKUP_DIR with the configured key, copy to the
    bucket if one is configured, and keep the newest CLINIC_BACKUP_KEEP there."""
    keep = settings.CLINIC_BACKUP_KEEP
    run = backup_create(
        output_dir=settings.CLINIC_BACKUP_DIR,
        key=configured_key(),
        trigger=BackupRun.Trigger.NIGHTLY,
    )
    alias = getattr(settings, "CLINIC_BACKUP_STORAGE", "")
    if alias:
        backup_copy_to_storage(Path(run.path), alias, keep)
    backups_prune(settings.CLINIC_BACKUP_DIR, keep)
    return run


# --- restore -----------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    database: str
    tables: dict[str, int]
    documents: int
    document_bytes: int
    created_at: str
    git_rev: str
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass
class _Verified:
    manifest: dict[str, Any]
    dump: Path


def _open_archive(path: Path, key: bytes | None) -> BinaryIO:
    raw = open(path, "rb")  # noqa: SIM115 (closed by the caller)
    head = raw.read(16)
    raw.seek(0)
    if is_encrypted(head):
        if key is None:
            raw.close()
            raise RestoreRefused(
                "The archive is encrypted: set CLINIC_BACKUP_KEY to the key it was written "
                "with (nothing was restored)."
            )
        try:
            return DecryptingReader(raw, key)
        except ArchiveKeyError as error:
            raw.close()
            raise RestoreRefused(f"{error} (nothing was restored).") from error
    return raw


def _target_tables(db: dict[str, Any]) -> list[str]:
    if _is_postgres(db):
        with _pg_connect(db) as conn:
            return [row[0] for row in conn.execute(PG_TABLES)]
    name, uri = _sqlite_uri(db["NAME"])
    conn = sqlite3.connect(name, uri=uri)
    try:
        return [row[0] for row in conn.execute(SQLITE_TABLES)]
    finally:
        conn.close()


def _target_counts(db: dict[str, Any]) -> dict[str, int]:
    if _is_postgres(db):
        with _pg_connect(db) as conn, conn.cursor() as cursor:
            return _pg_counts(cursor)
    name, uri = _sqlite_uri(db["NAME"])
    conn = sqlite3.connect(name, uri=uri)
    try:
        return _sqlite_counts(conn)
    finally:
        conn.close()


def _refuse_non_empty(db: dict[str, Any], storage: Storage) -> None:
    tables = _target_tables(db)
    if tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise RestoreRefused(
            f"The target database {db['NAME']} is not empty ({len(tables)} tables: {shown}). "
            "Restore only into a new, empty database (nothing was restored)."
        )
    first = next(_storage_walk(storage), None)
    if first is not None:
        raise RestoreRefused(
            f"The target document storage is not empty (it holds {first!r}). Restore only "
            "into empty storage (nothing was restored)."
        )


def _verify(archive: Path, key: bytes | None, work: Path, db: dict[str, Any]) -> _Verified:
    """Read the whole archive once: keep the dump in `work`, hash everything, and compare
    with the manifest. Raises RestoreRefused on any difference."""
    seen: dict[str, tuple[int, str]] = {}
    manifest = None
    dump_path = None
    try:
        with _open_archive(archive, key) as source, tarfile.open(fileobj=source, mode="r|") as tar:
            for member in tar:
                name = member.name
                if not member.isfile():
                    raise RestoreRefused(f"The archive holds an unexpected entry {name!r}.")
                if name in seen or (name == MANIFEST and manifest is not None):
                    raise RestoreRefused(f"The archive holds {name!r} twice.")
                handle = tar.extractfile(member)
                if name == MANIFEST:
                    if member.size > MANIFEST_LIMIT:
                        raise RestoreRefused("The archive's manifest is implausibly large.")
                    try:
                        manifest = json.loads(handle.read())
                    except ValueError as error:
                        raise RestoreRefused("The archive's manifest is not valid JSON.") from error
                    continue
                hashing = _Hashing(handle)
                if name in (PG_MEMBER, SQLITE_MEMBER):
                    dump_path = work / name
                    with open(dump_path, "wb") as out:
                        while chunk := hashing.read(COPY_BUFFER):
                            out.write(chunk)
                elif name.startswith(DOCUMENTS) and _document_member_name(name):
                    while hashing.read(COPY_BUFFER):
                        pass
                else:
                    raise RestoreRefused(f"The archive holds an unexpected entry {name!r}.")
                if hashing.size != member.size:
                    raise RestoreRefused(f"{name} is truncated in the archive.")
                seen[name] = (hashing.size, hashing.hexdigest())
    except ArchiveKeyError as error:
        raise RestoreRefused(f"{error} (nothing was restored).") from error
    except (tarfile.TarError, EOFError, OSError) as error:
        raise RestoreRefused(
            f"The archive is damaged or truncated ({error}); nothing was restored."
        ) from error

    if manifest is None:
        raise RestoreRefused("The archive has no manifest (truncated?); nothing was restored.")
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(f"Unknown archive format {manifest.get('format')!r}.")
    problems = []
    database = manifest["database"]
    member = database["member"]
    expected_member = PG_MEMBER if _is_postgres(db) else SQLITE_MEMBER
    if member != expected_member:
        problems.append(
            f"the archive holds {member} but the target database is "
            f"{db['ENGINE'].rsplit('.', 1)[-1]}"
        )
    if member not in seen:
        problems.append(f"the database dump {member} is missing")
    elif seen[member] != (database["size"], database["sha256"]):
        problems.append(
            f"the database dump does not match the manifest (size {seen[member][0]} bytes, "
            f"expected {database['size']}; SHA-256 differs): damaged or truncated"
        )
    listed = {}
    for doc in manifest["documents"]:
        listed[DOCUMENTS + doc["name"]] = (doc["size"], doc["sha256"])
    for name, expected in listed.items():
        if name not in seen:
            problems.append(f"document {name[len(DOCUMENTS) :]} is missing")
        elif seen[name] != expected:
            problems.append(f"document {name[len(DOCUMENTS) :]} does not match its SHA-256")
    for name in seen:
        if name.startswith(DOCUMENTS) and name not in listed:
            problems.append(f"document {name[len(DOCUMENTS) :]} is not in the manifest")
    if problems:
        shown = "; ".join(problems[:10]) + ("; ..." if len(problems) > 10 else "")
        raise RestoreRefused(f"The archive failed verification, nothing was restored: {shown}.")
    return _Verified(manifest=manifest, dump=dump_path)


def _restore_database(verified: _Verified, db: dict[str, Any]) -> None:
    if _is_postgres(db):
        args, env = _pg_cli(db)
        done = subprocess.run(  # noqa: S603
            [
                shutil.which("pg_restore") or "pg_restore",
                *args,
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                "--dbname",
                db["NAME"],
                str(verified.dump),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RestoreFailed(
                "pg_restore failed (its single transaction was rolled back, the database is "
                f"still empty): {done.stderr.strip()[-2000:]}"
            )
        return
    source = sqlite3.connect(verified.dump)
    name, uri = _sqlite_uri(db["NAME"])
    target = sqlite3.connect(name, uri=uri)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _restore_documents(archive: Path, key: bytes | None, manifest: dict, storage: Storage) -> int:
    expected = {DOCUMENTS + d["name"]: d["sha256"] for d in manifest["documents"]}
    written = 0
    with _open_archive(archive, key) as source, tarfile.open(fileobj=source, mode="r|") as tar:
        for member in tar:
            if member.name not in expected:
                continue
            name = member.name[len(DOCUMENTS) :]
            hashing = _Hashing(tar.extractfile(member))
            saved = storage.save(name, File(hashing, name=name))
            if saved != name or hashing.hexdigest() != expected[member.name]:
                storage.delete(saved)
                raise RestoreFailed(f"document {name} changed while it was being restored")
            written += 1
    return written


def _migration_warnings(manifest: dict) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    archived = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    newer = sorted(archived - known)
    older = sorted(known - archived)
    warnings = []
    if newer:
        warnings.append(
            f"the archive has {len(newer)} migrations this code does not know "
            f"(e.g. {newer[0][0]}.{newer[0][1]}): it was written by a newer version"
        )
    if older:
        warnings.append(
            f"this code has {len(older)} migrations the archive lacks: run `manage.py migrate`"
        )
    return warnings


def backup_restore(
    *,
    archive: Path | str,
    key: bytes | None = None,
    database: dict[str, Any] | None = None,
    storage: Storage | None = None,
    workdir: Path | str | None = None,
) -> RestoreReport:
    """Restore `archive` into an empty database (a DATABASES entry; default: the site's)
    and empty document storage. Every check runs before anything is written: the targets
    are empty, the key opens the archive, and every member matches the manifest's size and
    SHA-256. Afterwards each table's row count is compared with the manifest."""
    archive = Path(archive)
    db = database or settings.DATABASES["default"]
    storage = storage or default_storage
    if not (_is_postgres(db) or _is_sqlite(db)):
        raise RestoreRefused(f"no restore method for the database engine {db['ENGINE']}")
    if not archive.is_file():
        raise RestoreRefused(f"{archive} is not a file.")
    _open_archive(archive, key).close()  # an encrypted archive without a key: refused first
    _refuse_non_empty(db, storage)
    with tempfile.TemporaryDirectory(dir=workdir, prefix="restore-") as work:
        verified = _verify(archive, key, Path(work), db)
        manifest = verified.manifest
        _restore_database(verified, db)
    documents = _restore_documents(archive, key, manifest, storage)
    counts = _target_counts(db)
    if counts != manifest["tables"]:
        differ = sorted(
            t
            for t in set(counts) | set(manifest["tables"])
            if counts.get(t) != manifest["tables"].get(t)
        )
        raise RestoreFailed(
            f"the restored row counts differ from the manifest in {len(differ)} tables: "
            + ", ".join(differ[:10])
        )
    return RestoreReport(
        database=manifest["database"]["server"],
        tables=counts,
        documents=documents,
        document_bytes=sum(d["size"] for d in manifest["documents"]),
        created_at=manifest["created_at"],
        git_rev=manifest["app"].get("git_rev", ""),
        warnings=_migration_warnings(manifest),
    )
