"""`peyvand backup` and `peyvand restore` as an administrator runs them: real processes, a
real installation with the demo company and files, restored into an empty one and compared
table by table and file by file (SQLite, or PostgreSQL when the suite runs on it)."""

import hashlib
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.scratch import PEYVAND, ScratchDatabase, installation_env


def peyvand(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PEYVAND, *args], env=env, capture_output=True, text=True, timeout=600)


def tables(database: ScratchDatabase) -> dict[str, int]:
    if database.name:
        names = database.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    else:
        names = database.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    return {name: database.query(f'SELECT COUNT(*) FROM "{name}"')[0][0] for (name,) in names}


def files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def databases(tmp_path):
    made = [ScratchDatabase(tmp_path, "original", migrated=True), ScratchDatabase(tmp_path, "restored")]
    yield made
    for database in made:
        database.drop()


def test_a_backup_restores_into_an_empty_installation_table_for_table(tmp_path, databases):
    original_db, restored_db = databases
    original = installation_env(tmp_path / "original", original_db)
    for command in (["setup", "--no-demo"], ["demo", "--size", "small"]):  # every kind of record
        done = peyvand(original, *command)
        assert done.returncode == 0, done.stderr
    attachment = tmp_path / "original" / "attachments" / "2026" / "نامه.txt"
    attachment.parent.mkdir(parents=True)
    attachment.write_text("پیوست مشتری", encoding="utf-8")
    archive = tmp_path / "backup.tar.gz"

    done = peyvand(original, "backup", str(archive))
    assert done.returncode == 0, done.stderr
    assert "Backed up" in done.stdout
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert "manifest.json" in names and "data/attachments/2026/نامه.txt" in names
    assert not any(name.startswith("data/static/") for name in names), "static files are rebuilt, not kept"

    restored = installation_env(tmp_path / "restored", restored_db)
    done = peyvand(restored, "restore", str(archive))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Restored and checked" in done.stdout
    before, after = tables(original_db), tables(restored_db)
    assert before == after and sum(before.values()) > 1000
    kept = {name: digest for name, digest in files(tmp_path / "original").items() if not _rebuilt(name)}
    assert {name: digest for name, digest in files(tmp_path / "restored").items() if name in kept} == kept

    # The restored installation works: Peyvand itself reads the demo's customers there.
    count = "from peyvand.customers.models import Party; print(Party.objects.count())"
    done = peyvand(restored, "manage", "shell", "-c", count)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == before["customers_party"] - _deleted(original_db)

    # A second restore into the now full installation is refused, and changes nothing.
    done = peyvand(restored, "restore", str(archive))
    assert done.returncode != 0 and "has data already" in done.stderr
    assert tables(restored_db) == after


def test_a_damaged_archive_is_refused(tmp_path, databases):
    env = installation_env(tmp_path / "empty", databases[1])
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(broken, "w:gz") as archive:
        archive.add(__file__, arcname="something.py")
    done = peyvand(env, "restore", str(broken))
    assert done.returncode != 0 and "not a Peyvand backup" in done.stderr
    done = peyvand(env, "restore", str(tmp_path / "missing.tar.gz"))
    assert done.returncode != 0 and "No backup at" in done.stderr


def _rebuilt(name: str) -> bool:
    """Files a backup leaves out on purpose: the database's own files, the queue, static files."""
    first = name.split("/", 1)[0]
    return first in ("static", "analytics") or name.split("/")[-1].split(".sqlite3")[0] in (
        "original",
        "restored",
        "huey",
    )


def _deleted(database: ScratchDatabase) -> int:
    return database.query("SELECT COUNT(*) FROM customers_party WHERE deleted_at IS NOT NULL")[0][0]
