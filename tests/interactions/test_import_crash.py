"""A worker killed in the middle of an import of past interactions, then resumed: exactly the
rows of an import never killed, once each, and a record of them that undo can trust.

Black box, as the people import's crash test: real `peyvand` processes on a database of their
own (SQLite, or a scratch PostgreSQL database when the suite runs on PostgreSQL), the customers
brought in with `peyvand import people`, the interactions with `peyvand import interactions`,
killed with SIGKILL from outside at several points and resumed with `peyvand import resume`.
"""

import csv
import json
import random
import signal
import time
from pathlib import Path

import pytest

from tests.scratch import ScratchDatabase, installation_env
from tests.warm import WarmPeyvand

ROWS = 3_000
CUSTOMERS = 30
CHUNK_ROWS = 100
KILLS = 4
CHANNELS = ("تماس تلفنی", "ایمیل", "پیامک", "جلسه", "call", "email")


@pytest.fixture
def database(tmp_path):
    db = ScratchDatabase(tmp_path, "interactions", migrated=True)
    yield db
    db.drop()


def _write_files(folder: Path) -> tuple[set[str], int, int]:
    """The customers and the interactions: every 97th row has an unknown channel, every 50th
    repeats the external id of the row before (skipped). Returns the subjects that must be
    imported, how many rows are refused and how many skipped."""
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["نام", "نام خانوادگی", "ایمیل"])
        for n in range(CUSTOMERS):
            writer.writerow([f"مشتری{n}", "آزمایشی", f"c{n}@example.com"])
    expected: set[str] = set()
    bad = skipped = 0
    with (folder / "interactions.csv").open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["مشتری", "کانال", "جهت", "تاریخ", "موضوع", "مدت", "شناسه"])
        for n in range(1, ROWS + 1):
            channel = "کبوتر نامه‌بر" if n % 97 == 0 else CHANNELS[n % len(CHANNELS)]
            duration = "1:30" if channel in ("تماس تلفنی", "call") else ""
            external = f"EXT-{n - 1 if n % 50 == 0 else n}"
            day = 1 + n % 28
            writer.writerow(
                [f"c{n % CUSTOMERS}@example.com", channel, "ورودی" if n % 2 else "خروجی",
                 f"1402/03/{day:02d} 10:{n % 60:02d}", f"ردیف {n}", duration, external]
            )  # fmt: skip
            if n % 97 == 0:
                bad += 1
            elif n % 50 == 0 and (n - 1) % 97 != 0:
                skipped += 1
            else:
                expected.add(f"ردیف {n}")
    return expected, bad, skipped


def test_an_interactions_import_killed_at_several_points_resumes_to_exactly_the_right_rows(
    tmp_path, database
):
    env = installation_env(tmp_path, database, PEYVAND_IMPORT_CHUNK_ROWS=str(CHUNK_ROWS))
    warm = WarmPeyvand(env, tmp_path / "peyvand.log")
    rng = random.Random(20261207)
    pid = 0
    job_sql = "SELECT id, next_row FROM customers_importjob WHERE kind = 'interactions'"
    try:
        assert warm.run("setup", "--no-demo") == 0, warm.log.read_text(errors="replace")
        expected, bad, skipped = _write_files(tmp_path)
        assert warm.run("import", "people", str(tmp_path / "people.csv")) == 0
        stretch = ROWS * 8 // 10 // KILLS
        points = [k * stretch + rng.randrange(stretch) for k in range(KILLS)]
        pid = warm.start("import", "interactions", str(tmp_path / "interactions.csv"), "--as", "admin")
        job_id, killed_at = 0, [0]
        for point in points:
            target = max(point, killed_at[-1])
            deadline = time.monotonic() + 90
            committed = 0
            while committed <= target:
                assert warm.exit_code(pid) is None, "the import ended before it was killed"
                assert time.monotonic() < deadline, f"no progress past row {target}"
                time.sleep(0.01)
                job = database.query(job_sql)
                if job:
                    job_id, committed = job[0]
            if rng.random() < 0.5:  # inside the next chunk rather than at its start
                time.sleep(rng.uniform(0, 0.05))
            code, pid = warm.kill(pid), 0
            assert code == -signal.SIGKILL, "the import ended before it was killed"
            ((status, next_row),) = database.query(
                f"SELECT status, next_row FROM customers_importjob WHERE id = {job_id}"
            )
            assert status == "running" and next_row <= ROWS, "the kill must land in the middle"
            killed_at.append(next_row)
            long_ago = "datetime('now', '-1 hour')" if not database.name else "now() - interval '1 hour'"
            database.query(f"UPDATE customers_importjob SET heartbeat_at = {long_ago} WHERE id = {job_id}")
            pid = warm.start("import", "resume", str(job_id))
        assert warm.wait(pid) == 0, warm.log.read_text(errors="replace")
        pid = 0
    finally:
        if pid:
            warm.kill(pid)
        warm.close()

    assert len(set(killed_at[1:])) == KILLS, f"{KILLS} different points: {killed_at[1:]}"
    subjects = [row[0] for row in database.query("SELECT subject FROM interactions_interaction")]
    assert len(subjects) == len(set(subjects)), "no interaction twice"
    assert set(subjects) == expected, "none missing"
    ((created, skipped_count, rejected, status),) = database.query(
        "SELECT created_count, skipped_count, error_count, status "
        f"FROM customers_importjob WHERE id = {job_id}"
    )
    assert (created, skipped_count, rejected, status) == (len(expected), skipped, bad, "done")
    ((issues,),) = database.query(f"SELECT COUNT(*) FROM customers_importissue WHERE job_id = {job_id}")
    assert issues == bad + skipped, "each problem reported once"
    ((calls,),) = database.query(
        "SELECT COUNT(*) FROM interactions_phonecall c "
        "JOIN interactions_interaction i ON i.id = c.interaction_id"
    )
    ((phone,),) = database.query("SELECT COUNT(*) FROM interactions_interaction WHERE channel = 'phone'")
    assert calls == phone > 0, "each call with its duration, once"
    # What the job noted for undo covers exactly the rows it wrote.
    noted: set[int] = set()
    for (after,) in database.query(
        "SELECT after FROM customers_importrecord "
        f"WHERE job_id = {job_id} AND model = 'interactions.interaction#runs'"
    ):
        for first, last in (json.loads(after) if isinstance(after, str) else after)["runs"]:
            noted.update(range(first, last + 1))
    ids = {row[0] for row in database.query("SELECT id FROM interactions_interaction")}
    assert noted == ids
