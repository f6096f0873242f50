"""A worker killed in the middle of an import, then resumed: exactly the right rows, once.

Black box: real `peyvand` processes on a database of their own (an SQLite file, or a scratch
PostgreSQL database when the suite runs on PostgreSQL), killed with SIGKILL from outside.
"""

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.scratch import ScratchDatabase, installation_env
from tests.warm import WarmPeyvand

ROWS = 12_000


def _write_file(path: Path, rows: int = ROWS) -> tuple[set[str], int]:
    """People with unique emails, except every 100th row repeats the row before it and every
    97th has a broken phone. Returns the emails that must end up imported (what skipping
    duplicates leaves, worked out row by row) and how many rows are rejected."""
    imported: set[str] = set()
    bad = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["نام", "نام خانوادگی", "ایمیل", "موبایل"])
        for n in range(1, rows + 1):
            email = f"p{n - 1 if n % 100 == 0 else n}@example.com"
            phone = "12" if n % 97 == 0 else f"0912{n:07d}"
            writer.writerow([f"نام{n}", "آزمایشی", email, phone])
            if n % 97 == 0:
                bad += 1
            else:
                imported.add(email)  # a repeat of an imported email is skipped: the set is unchanged
    return imported, bad


@pytest.fixture
def database(tmp_path):
    db = ScratchDatabase(tmp_path, "crash", migrated=True)
    yield db
    db.drop()


def test_a_killed_import_resumes_to_exactly_the_right_rows(tmp_path, database):
    env = {
        **os.environ,
        "PEYVAND_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database.url,
        "PEYVAND_IMPORT_CHUNK_ROWS": "300",
        "PEYVAND_IMPORT_LEASE_SECONDS": "8",  # a dead run's lease lapses soon
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    peyvand = [sys.executable, "-m", "peyvand.cli"]
    subprocess.run([*peyvand, "setup", "--no-demo"], env=env, check=True, capture_output=True, timeout=300)
    path = tmp_path / "people.csv"
    expected, bad_rows = _write_file(path)

    worker = subprocess.Popen(
        [*peyvand, "import", "people", str(path), "--as", "admin"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:  # wait until a good part of the file is in, then kill the worker outright
        progress = database.query("SELECT next_row FROM customers_importjob") if _has_job(database) else []
        if progress and progress[0][0] > ROWS // 4:
            break
        assert worker.poll() is None, "the import ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    ((job_id, status, next_row),) = database.query("SELECT id, status, next_row FROM customers_importjob")
    assert status == "running" and next_row <= ROWS, "the kill must land in the middle"

    # Resumed at once: the dead run's lease has not lapsed yet, so resume waits for it. (Its
    # last heartbeat is put a little ahead, so a slow start of the command on a loaded
    # machine still finds the lease held.)
    soon = "datetime('now', '+10 seconds')" if not database.name else "now() + interval '10 seconds'"
    database.query(f"UPDATE customers_importjob SET heartbeat_at = {soon}")
    resumed = subprocess.run(
        [*peyvand, "import", "resume", str(job_id)], env=env, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "held by another run" in resumed.stdout

    _assert_exactly_the_right_rows(database, job_id, expected, bad_rows, ROWS)


CHUNK_ROWS = 250  # some 25 ms a chunk here: a poll every 10 ms sees each commit, and 48 chunks
# leave room for twelve kills that each cost up to two chunks (the creep once reached the index)
KILLS = 12


def test_an_import_killed_at_a_dozen_points_resumes_to_exactly_the_right_rows(tmp_path, database):
    """Killed with SIGKILL at twelve points drawn at random (seeded) over the file, each time
    resumed at once: exactly the rows, counts, problems and search index of a run never killed.

    Each run is killed once it has committed past its point: at once (on a chunk boundary:
    the next chunk barely begun) or after a random part of a chunk's time (inside the next
    chunk, whose rows are then rolled back and written again by the next run). Each run
    commits at least one chunk of its own, so the kills land at twelve different places.
    The runs are forked from a warmed-up interpreter (tests/warm.py), so twelve restarts do
    not cost twelve starts of Django.
    """
    env = installation_env(tmp_path, database, PEYVAND_IMPORT_CHUNK_ROWS=str(CHUNK_ROWS))
    warm = WarmPeyvand(env, tmp_path / "peyvand.log")
    rng = random.Random(20240613)
    pid = 0  # the run alive, if any
    try:
        assert warm.run("setup", "--no-demo") == 0, warm.log.read_text(errors="replace")
        path = tmp_path / "people.csv"
        expected, bad_rows = _write_file(path, ROWS)
        stretch = ROWS * 9 // 10 // KILLS  # the last tenth is left for the final run to finish
        points = [k * stretch + rng.randrange(stretch) for k in range(KILLS)]  # one in each stretch

        pid = warm.start("import", "people", str(path), "--as", "admin")
        job_id, killed_at = 0, [0]
        for point in points:
            # Past its point, and past the last kill's progress: every run commits something.
            target = max(point, killed_at[-1])
            deadline = time.monotonic() + 60
            committed, chunk_seconds, last_commit = 0, 0.05, time.monotonic()
            while committed <= target:
                assert warm.exit_code(pid) is None, "the import ended before it was killed"
                assert time.monotonic() < deadline, f"no progress past row {target}"
                time.sleep(0.01)
                job = database.query("SELECT id, next_row FROM customers_importjob")
                if job and job[0][1] != committed:
                    now = time.monotonic()
                    if committed > killed_at[-1]:  # a second commit of this run: time a chunk
                        chunk_seconds = now - last_commit
                    (job_id, committed), last_commit = job[0], now
            if rng.random() < 0.5:  # inside the next chunk rather than at its start
                until = time.monotonic() + rng.uniform(0, chunk_seconds)
                while time.monotonic() < until:
                    time.sleep(0.01)
            code, pid = warm.kill(pid), 0
            assert code == -signal.SIGKILL, "the import ended before it was killed"
            ((status, next_row),) = database.query(
                f"SELECT status, next_row FROM customers_importjob WHERE id = {job_id}"
            )
            assert status == "running" and next_row <= ROWS, "the kill must land in the middle"
            killed_at.append(next_row)
            # The dead run is not heard from again: its lease has lapsed, the resume takes over at once.
            long_ago = "datetime('now', '-1 hour')" if not database.name else "now() - interval '1 hour'"
            database.query(f"UPDATE customers_importjob SET heartbeat_at = {long_ago}")
            pid = warm.start("import", "resume", str(job_id))
        assert warm.wait(pid) == 0, warm.log.read_text(errors="replace")
        pid = 0
    finally:
        if pid:
            warm.kill(pid)
        warm.close()

    assert len(set(killed_at[1:])) == KILLS, f"{KILLS} different points: {killed_at[1:]}"
    assert "held by another run" not in warm.log.read_text(errors="replace")
    _assert_exactly_the_right_rows(database, job_id, expected, bad_rows, ROWS)


def _has_job(database: ScratchDatabase) -> bool:
    try:
        return bool(database.query("SELECT 1 FROM customers_importjob"))
    except Exception:
        return False


def _assert_exactly_the_right_rows(
    database: ScratchDatabase, job_id: int, expected: set[str], bad_rows: int, rows: int
) -> None:
    emails = [
        row[0]
        for row in database.query(
            "SELECT c.value FROM customers_contactpoint c JOIN customers_party p ON p.id = c.party_id "
            f"WHERE c.kind = 'email' AND p.import_job_id = {job_id}"
        )
    ]
    assert len(emails) == len(set(emails)), "no customer twice"
    assert set(emails) == expected, "none missing"
    ((created, skipped, rejected, status),) = database.query(
        "SELECT created_count, skipped_count, error_count, status "
        f"FROM customers_importjob WHERE id = {job_id}"
    )
    assert (created, skipped, rejected, status) == (
        len(expected),
        rows - len(expected) - bad_rows,
        bad_rows,
        "done",
    )
    index = "customers_party_fts" if not database.name else "customers_party_search"
    key = "rowid" if not database.name else "party_id"
    ((indexed,),) = database.query(
        f"SELECT COUNT(*) FROM {index} "
        f"WHERE {key} IN (SELECT id FROM customers_party WHERE import_job_id = {job_id})"
    )
    assert indexed == created
    ((issues, issue_rows, refused, skipped_issues),) = database.query(
        "SELECT COUNT(*), COUNT(DISTINCT row), "
        "COUNT(DISTINCT CASE WHEN skipped THEN NULL ELSE row END), "
        "COUNT(DISTINCT CASE WHEN skipped THEN row END) "
        f"FROM customers_importissue WHERE job_id = {job_id}"
    )
    assert issues == issue_rows, "no row's problem written twice"
    assert (refused, skipped_issues) == (rejected, skipped)
