"""What the black-box tests share: databases and installations for real `peyvand` processes."""

import os
import sqlite3
import sys
import uuid
from pathlib import Path

import psycopg

PEYVAND = [sys.executable, "-m", "peyvand.cli"]


class ScratchDatabase:
    """A database of its own for real `peyvand` processes (an SQLite file, or a new PostgreSQL
    database when the suite runs on PostgreSQL), and how a test reads it."""

    def __init__(self, tmp_path: Path, label: str = "scratch") -> None:
        self.url = os.environ.get("DATABASE_URL", "")
        if self.url.startswith("postgres"):
            self.name = f"peyvand_{label}_{uuid.uuid4().hex[:8]}"
            base = self.url.rsplit("/", 1)[0]
            self.admin_url = f"{base}/postgres"
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"{base}/{self.name}"
        else:
            self.name = ""
            self.url = f"sqlite:///{tmp_path / f'{label}.sqlite3'}"

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
