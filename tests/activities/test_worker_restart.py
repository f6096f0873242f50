"""Reminders delivered exactly once by the real worker, killed in the middle of a run and
started again as two workers at once.

Black box: `peyvand worker` processes (the Huey consumer) on a database of their own, fed
through their real queue, killed with SIGKILL from outside.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.scratch import PEYVAND, ScratchDatabase, installation_env

REMINDERS = 700

# Run inside the processes' own settings: arm the reminders, or queue the periodic job.
SETUP = """
import datetime as dt
from django.utils import timezone
from peyvand.activities.models import Activity, Reminder
from peyvand.core.models import Role, User
from peyvand.notifications.services.preferences import preference_update

sara = User.objects.create(username="sara", role=Role.SALES, email="sara@example.com", language="fa")
preference_update(user=sara, data={"email_reminders": True})
now = timezone.now()
activities = Activity.objects.bulk_create(
    [
        Activity(title=f"تماس {n}", kind="call", assignee=sara, due_at=now + dt.timedelta(minutes=30))
        for n in range({count})
    ]
)
# Due minutes ago, when the worker was not running: delivered late, but delivered.
Reminder.objects.bulk_create(
    [Reminder(activity=a, minutes_before=60, remind_at=now - dt.timedelta(minutes=30)) for a in activities]
)
"""
ENQUEUE = """
from peyvand.activities.tasks import reminders_task
for _ in range({runs}):
    reminders_task()  # into the worker's queue, as the scheduler does each minute
"""


@pytest.fixture
def database(tmp_path: Path):
    db = ScratchDatabase(tmp_path, migrated=True)
    yield db
    db.drop()


def _django(env: dict[str, str], code: str) -> None:
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    env = {**env, "DJANGO_SETTINGS_MODULE": "peyvand.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen([*PEYVAND, "worker", "--workers", "2"], env=env, stdout=handle, stderr=handle)


def _delivered(database: ScratchDatabase) -> int:
    ((count,),) = database.query("SELECT COUNT(*) FROM activities_reminder WHERE delivered_at IS NOT NULL")
    return int(count)


def test_a_killed_worker_and_two_restarted_ones_deliver_each_reminder_once(tmp_path, database):
    env = installation_env(tmp_path, database)
    subprocess.run([*PEYVAND, "setup", "--no-demo"], env=env, check=True, capture_output=True, timeout=300)
    _django(env, SETUP.replace("{count}", str(REMINDERS)))
    log = tmp_path / "worker.log"

    first = _worker(env, log)
    try:
        _django(env, ENQUEUE.replace("{runs}", str(REMINDERS // 500 + 2)))
        deadline = time.monotonic() + 120
        while _delivered(database) < REMINDERS // 5:  # well into the first runs, then kill it
            assert first.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the worker delivered nothing"
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    interrupted = _delivered(database)
    assert 0 < interrupted < REMINDERS, "the kill must land in the middle"

    # Two workers at once, and each periodic run queued twice over.
    second, third = _worker(env, log), _worker(env, log)
    try:
        _django(env, ENQUEUE.replace("{runs}", str(2 * (REMINDERS // 500 + 2))))
        deadline = time.monotonic() + 180
        while _delivered(database) < REMINDERS:
            assert second.poll() is None and third.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, f"{_delivered(database)} of {REMINDERS} delivered"
            time.sleep(0.1)
        time.sleep(1)  # let any late duplicate land before counting
    finally:
        for worker in (second, third):
            worker.send_signal(signal.SIGTERM)
        for worker in (second, third):
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()

    ((notifications, distinct_reminders),) = database.query(
        "SELECT COUNT(*), COUNT(DISTINCT key) FROM notifications_notification WHERE kind = 'reminder'"
    )
    assert notifications == distinct_reminders == REMINDERS, "each reminder once: none lost, none twice"
    ((late,),) = database.query("SELECT COUNT(*) FROM activities_reminder WHERE late")
    assert late == REMINDERS  # the worker was down when they fell due: marked late
    # Each reminder's email was queued once too, in the same transaction as its notification.
    ((emails, keys),) = database.query(
        "SELECT COUNT(*), COUNT(DISTINCT idempotency_key) FROM interactions_outboundmessage "
        "WHERE purpose = 'notification'"
    )
    assert emails == keys == REMINDERS
