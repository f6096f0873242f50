"""What the black-box tests share: databases and installations for real `peyvand` processes."""

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg

PEYVAND = [sys.executable, "-m", "peyvand.cli"]

# One migrated database per test run, copied for each test that asks for it: migrating from
# nothing takes about a minute here, and half a dozen black-box tests would each pay it.
# The run's id reaches the xdist workers through the environment (set before they start).
RUN_ID = os.environ.setdefault("PEYVAND_TEST_RUN", uuid.uuid4().hex[:12])
_TEMPLATE_DIR = Path(tempfile.gettempdir()) / f"peyvand-test-run-{RUN_ID}"


class ScratchDatabase:
    """A database of its own for real `peyvand` processes (an SQLite file, or a new PostgreSQL
    database when the suite runs on PostgreSQL), and how a test reads it.

    ``migrated=True`` starts it as `peyvand setup` leaves the schema (every migration applied,
    nothing else), copied from the run's template; the test's own `setup` then finds nothing
    to migrate. By default it is empty, for the tests of what happens on an empty database."""

    def __init__(self, tmp_path: Path, label: str = "scratch", *, migrated: bool = False) -> None:
        self.url = os.environ.get("DATABASE_URL", "")
        if self.url.startswith("postgres"):
            self.name = f"peyvand_{label}_{uuid.uuid4().hex[:8]}"
            base = self.url.rsplit("/", 1)[0]
            self.admin_url = f"{base}/postgres"
            template = f' TEMPLATE "{_template()}"' if migrated else ""
            with _lock(), psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"{template}')
            self.url = f"{base}/{self.name}"
        else:
            self.name = ""
            path = tmp_path / f"{label}.sqlite3"
            self.url = f"sqlite:///{path}"
            if migrated:
                with sqlite3.connect(_template()) as source, sqlite3.connect(path) as target:
                    source.backup(target)

    def query(self, sql: str) -> list[tuple]:
        if self.name:
            with psycopg.connect(self.url, autocommit=True) as connection:
                cursor = connection.execute(sql)
                return cursor.fetchall() if cursor.description else []
        with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30) as connection:
            return connection.execute(sql).fetchall()

    def drop(self) -> None:
        if self.name:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def installation_env(data_dir: Path, database: ScratchDatabase, **extra: str) -> dict[str, str]:
    """The environment of a `peyvand` process serving ``data_dir`` and ``database``."""
    env = {**os.environ, "PEYVAND_DATA_DIR": str(data_dir), "DATABASE_URL": database.url, **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


class _lock:
    """The run's lock, across the xdist workers: one of them migrates, the others wait."""

    def __enter__(self) -> None:
        _TEMPLATE_DIR.mkdir(exist_ok=True)
        self.handle = (_TEMPLATE_DIR / "lock").open("w")
        fcntl.flock(self.handle, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _template() -> str:
    """The run's migrated template: a file path on SQLite, a database name on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    with _lock():
        if url.startswith("postgres"):
            name = f"peyvand_template_{RUN_ID}"
            base = url.rsplit("/", 1)[0]
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    return name
                admin.execute(f'DROP DATABASE IF EXISTS "{name}_building" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}_building"')
            _migrate(f"{base}/{name}_building")
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"')
            return name
        path = _TEMPLATE_DIR / "template.sqlite3"
        if not path.exists():
            building = _TEMPLATE_DIR / "building.sqlite3"
            building.unlink(missing_ok=True)
            _migrate(f"sqlite:///{building}")
            with sqlite3.connect(building) as connection:  # one file, nothing left in a WAL
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            building.rename(path)
        return str(path)


def _migrate(url: str) -> None:
    data_dir = _TEMPLATE_DIR / "data"
    data_dir.mkdir(exist_ok=True)
    env = {**os.environ, "PEYVAND_DATA_DIR": str(data_dir), "DATABASE_URL": url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [*PEYVAND, "manage", "migrate", "--no-input"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def drop_templates() -> None:
    """At the end of the run (from the process that started it): the template goes."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base = url.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            for suffix in ("", "_building"):
                admin.execute(f'DROP DATABASE IF EXISTS "peyvand_template_{RUN_ID}{suffix}" WITH (FORCE)')
    shutil.rmtree(_TEMPLATE_DIR, ignore_errors=True)
