"""Backing up an installation into one archive, and restoring it into an empty one.

The archive (a .tar.gz) holds the database as its engine copies it (SQLite's online backup,
safe while Peyvand runs; PostgreSQL's ``pg_dump``), the files of the data directory, and a
manifest with every table's row count and checksum and every file's hash. A restore checks
the installation is empty, puts both back, and compares the result with the manifest: a
restore that does not match says so.

Left out, since they are rebuilt or transient: collected static files, the worker's queue,
the analytics snapshot.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

FORMAT = 1
SKIPPED = ("static", "analytics", "backups")
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """Why a backup or a restore cannot go on, in words for the person running it."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    files: int


# --- what the database holds --------------------------------------------------------------


def _checksum_tables(cursor: Any, tables: list[str], quote: Any) -> dict[str, dict[str, Any]]:
    """Each table's row count and a checksum of its rows that does not depend on their order."""
    result: dict[str, dict[str, Any]] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - a table name from the catalogue
        rows, total = 0, 0
        while batch := cursor.fetchmany(5000):
            for row in batch:
                digest = hashlib.sha256(repr(tuple(row)).encode()).digest()
                total = (total + int.from_bytes(digest[:8], "big")) % (1 << 64)
            rows += len(batch)
        result[table] = {"rows": rows, "checksum": f"{total:016x}"}
    return result


def _sqlite_checksums(path: Path) -> dict[str, dict[str, Any]]:
    """Read with the plain driver, the same way for the backup's copy and the restored file."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return _checksum_tables(db.cursor(), tables, lambda name: '"' + name.replace('"', '""') + '"')


def _pg_checksums() -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return _checksum_tables(cursor, tables, connection.ops.quote_name)


def table_checksums() -> dict[str, dict[str, Any]]:
    """The installation's tables: row counts and checksums."""
    if connection.vendor == "sqlite":
        return _sqlite_checksums(Path(settings.DATABASES["default"]["NAME"]))
    return _pg_checksums()


def _database_is_empty() -> bool:
    """No table yet, or only the tables of a fresh migration, with nobody in them."""
    tables = set(connection.introspection.table_names())
    if "core_user" not in tables:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_user")
        return cursor.fetchone()[0] == 0


# --- files ----------------------------------------------------------------------------------


def _file_roots() -> dict[str, Path]:
    """Folders whose files belong in a backup, by their name in the archive."""
    data = Path(settings.DATA_DIR)
    roots = {"data": data}
    attachments = Path(settings.PEYVAND_ATTACHMENTS_DIR)
    if not attachments.resolve().is_relative_to(data.resolve()):
        roots["attachments"] = attachments
    return roots


def _database_files() -> set[Path]:
    names = {Path(str(settings.HUEY["filename"])).resolve()} if "filename" in settings.HUEY else set()
    if connection.vendor == "sqlite":
        names.add(Path(settings.DATABASES["default"]["NAME"]).resolve())
    return names


def _files() -> Iterator[tuple[str, Path]]:
    """(name in the archive, path) of every file to keep."""
    skipped = _database_files()
    for root_name, root in _file_roots().items():
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or (relative.parts[0] in SKIPPED and root_name == "data"):
                continue
            if path.resolve() in skipped or path.name.endswith(SKIPPED_SUFFIXES):
                continue
            if any(path.resolve() == Path(str(db) + suffix) for db in skipped for suffix in SKIPPED_SUFFIXES):
                continue
            yield f"{root_name}/{relative.as_posix()}", path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- PostgreSQL's own tools -------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    """The connection for pg_dump and pg_restore, in libpq's variables (no password on a command line)."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(name):
            env[key] = str(db[name])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _run(command: list[str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed: install PostgreSQL's client tools.")
    done = subprocess.run([tool, *command[1:]], env=_pg_env(), capture_output=True, text=True)  # noqa: S603 - argv, no shell
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


# --- backup and restore ---------------------------------------------------------------------


def backup(destination: Path) -> Summary:
    """Write the installation into the archive ``destination`` (a .tar.gz)."""
    if destination.exists():
        raise BackupError(f"{destination} exists already: choose a new name.")
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backing up {vendor} is not supported.")
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / ("database.sqlite3" if vendor == "sqlite" else "database.pgdump")
        if vendor == "sqlite":
            with (
                contextlib.closing(sqlite3.connect(settings.DATABASES["default"]["NAME"])) as source,
                contextlib.closing(sqlite3.connect(dump)) as target,
            ):
                source.backup(target)  # a consistent copy while others write
            tables = _sqlite_checksums(dump)  # of the copy: what it caught, not what came after
        else:
            tables = _pg_dump(dump)
        files = dict(_files())
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": vendor,
            "tables": tables,
            "files": {name: _sha256(path) for name, path in files.items()},
        }
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            for name, path in files.items():
                archive.add(path, arcname=name)
            encoded = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(encoded)
            archive.addfile(info, io.BytesIO(encoded))
        partial.rename(destination)  # a backup cut short never looks like a whole one
    return Summary(len(tables), sum(t["rows"] for t in tables.values()), len(files))


def _pg_dump(dump: Path) -> dict[str, dict[str, Any]]:
    """pg_dump and the checksums from one snapshot of the database, so they agree."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
            ]
        )
        return _pg_checksums()


def restore(source: Path) -> Summary:
    """Put the archive ``source`` back into this empty installation, then check it."""
    if not source.is_file():
        raise BackupError(f"No backup at {source}.")
    if not _database_is_empty():
        raise BackupError("This installation has data already: restore into an empty one.")
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(source, "r:gz") as archive:
        try:
            manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        except (KeyError, AttributeError, ValueError) as exc:
            raise BackupError(f"{source} is not a Peyvand backup.") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError("This backup was made by another version of Peyvand's backup.")
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                f"This backup is of a {manifest['engine']} database; "
                f"this installation uses {connection.vendor}."
            )
        archive.extractall(scratch, filter="data")
        dump = Path(scratch) / ("database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump")
        if connection.vendor == "sqlite":
            name = Path(settings.DATABASES["default"]["NAME"])
            connection.close()
            for suffix in SKIPPED_SUFFIXES:
                Path(str(name) + suffix).unlink(missing_ok=True)
            shutil.copyfile(dump, name)
        else:
            connection.close()
            database = _pg_env()["PGDATABASE"]
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "-d",
                    database,
                    str(dump),
                ]
            )
        roots = _file_roots()
        for name in manifest["files"]:
            root_name, _sep, relative = name.partition("/")
            target = roots.get(root_name, Path(settings.DATA_DIR) / root_name) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(scratch) / name, target)
    return verify(manifest)


def verify(manifest: dict[str, Any]) -> Summary:
    """Compare the installation with a backup's manifest; raise on the first difference."""
    tables = table_checksums()
    differing = sorted(name for name, expected in manifest["tables"].items() if tables.get(name) != expected)
    if differing:
        raise BackupError("After the restore these tables differ from the backup: " + ", ".join(differing))
    roots = _file_roots()
    for name, digest in manifest["files"].items():
        root_name, _sep, relative = name.partition("/")
        path = roots.get(root_name, Path(settings.DATA_DIR) / root_name) / relative
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"After the restore the file {name} differs from the backup.")
    return Summary(len(tables), sum(t["rows"] for t in tables.values()), len(manifest["files"]))
