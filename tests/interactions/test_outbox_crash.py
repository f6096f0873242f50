"""The outbox's worker killed with SIGKILL in the middle of deliveries to a real SMTP server,
and started again each time: every message arrives once.

Black box: `peyvand worker` processes (the Huey consumer, one worker thread) on a database of
their own, fed through their real queue, sending to an SMTP server (aiosmtpd) in this
process, and killed from outside. The server itself pulls the trigger, at a point of the
conversation about the n-th message it is offered (n and the point drawn at random, seeded):

- on MAIL FROM or RCPT TO: the message is claimed, the server does not have it yet;
- at the end of DATA, which it then refuses (451): the server did not take it;
- on QUIT, after it accepted the message (250): the worker records the acceptance before it
  closes the connection, so the record is already there.

None of these can land in the window between the server's acceptance and the worker's
record of it, and across them no message arrives twice. That window is what remains: a
worker killed inside it has not recorded a message the server has, and the message is sent
again, under the same Message-ID. The test kills once inside it as well (the server takes
the message and kills the worker before answering, as a server that commits the message
before its reply reaches a client that then dies) and sees exactly that: one message twice,
same Message-ID, and no other. A kill can cause at most one such copy (the worker's one
thread sends one message at a time). bench/outbox_window.py measures the window: the
return from the SMTP reply plus one UPDATE.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.interactions.conftest import free_port
from tests.scratch import ScratchDatabase, installation_env
from tests.warm import WarmPeyvand

MESSAGES = 200
OUTSIDE_THE_WINDOW = ("mail", "rcpt", "data", "quit")
KILLS = 2 * len(OUTSIDE_THE_WINDOW) + 1  # each point twice, and once inside the window

QUEUE = """
from django.db import transaction
from peyvand.interactions.services.outbox import message_queue

with transaction.atomic():
    for n in range({count}):
        message_queue(
            channel="email",
            purpose="transactional",
            to_address=f"customer{n}@example.com",
            subject=f"پیام {n}",
            body_text=f"سلام، این پیام شماره {n} است.",
            key=f"crash-{n}",
        )
"""
SENT = "status = 'sent'"
FLUSH = "from peyvand.interactions.tasks import outbox_flush_task; outbox_flush_task()"


@dataclass
class Sink:
    """An SMTP server that keeps the Message-ID of each message it accepts, and kills the
    worker at the planned point of the planned message."""

    plan: dict[int, str]  # the n-th MAIL FROM → where in its conversation to kill
    accepted: list[str] = field(default_factory=list)
    killed: list[tuple[int, str, str]] = field(default_factory=list)  # number, point, Message-ID
    worker: int = 0  # the process to kill
    offered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    kill_done: threading.Event = field(default_factory=threading.Event)

    def _kill_at(self, session: Any, point: str) -> bool:
        number = getattr(session, "number", 0)
        if self.plan.get(number) != point:
            return False
        with self.lock:
            os.kill(self.worker, 9)
            _until_dead(self.worker)
        self.killed.append((number, point, getattr(session, "message_id", "")))
        self.kill_done.set()
        return True

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.offered += 1
        session.number = self.offered
        self._kill_at(session, "mail")
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self._kill_at(session, "rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self._kill_at(session, "data"):
            return "451 Requested action aborted: local error in processing"
        session.message_id = str(BytesHeaderParser().parsebytes(envelope.content)["Message-ID"])
        self.accepted.append(session.message_id)
        self._kill_at(session, "window")  # accepted, and the worker dies before it hears so
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        self._kill_at(session, "quit")
        return "221 Bye"


def _until_dead(pid: int) -> None:
    """Until the killed process is a zombie (its parent, the warm server, reaps it later)."""
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.001)


@pytest.fixture
def database(tmp_path: Path):
    db = ScratchDatabase(tmp_path, "outbox", migrated=True)
    yield db
    db.drop()


def test_a_worker_killed_during_delivery_sends_each_message_once(tmp_path, database):
    rng = random.Random(8)
    points = [*OUTSIDE_THE_WINDOW, *OUTSIDE_THE_WINDOW, "window"]
    rng.shuffle(points)
    numbers = sorted(rng.sample(range(5, MESSAGES - 10), KILLS))
    sink = Sink(plan=dict(zip(numbers, points, strict=True)))
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = installation_env(
        tmp_path,
        database,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="false",
        EMAIL_USE_SSL="false",
        EMAIL_TIMEOUT="10",
    )
    warm = WarmPeyvand(env, tmp_path / "peyvand.log")
    log = warm.log
    worker = 0
    try:
        assert warm.run("setup", "--no-demo") == 0, log.read_text(errors="replace")
        assert warm.run("manage", "shell", "-c", QUEUE.replace("{count}", str(MESSAGES))) == 0
        with sink.lock:
            worker = sink.worker = warm.start("worker", "--workers", "1")
        for _ in range(KILLS):
            deadline = time.monotonic() + 120
            while not sink.kill_done.wait(0.02):
                if warm.exit_code(worker) is not None:  # killed a moment ago, or died
                    assert sink.kill_done.wait(5), log.read_text(errors="replace")
                    break
                assert time.monotonic() < deadline, f"{len(sink.accepted)} accepted, no kill"
            sink.kill_done.clear()
            assert warm.wait(worker) == -9
            # The dead worker's claim has run out; a new worker, and the minute's flush, take it.
            long_ago = "datetime('now', '-1 hour')" if not database.name else "now() - interval '1 hour'"
            database.query(
                f"UPDATE interactions_outboundmessage SET lease_until = {long_ago} WHERE status = 'sending'"
            )
            with sink.lock:
                worker = sink.worker = warm.start("worker", "--workers", "1")
            assert warm.run("manage", "shell", "-c", FLUSH) == 0
        deadline = time.monotonic() + 120
        while _count(database, SENT) < MESSAGES:
            assert warm.exit_code(worker) is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, f"{_count(database, SENT)} of {MESSAGES} sent"
            time.sleep(0.02)
    finally:
        if worker and warm.exit_code(worker) is None:
            warm.kill(worker)
        warm.close()
        controller.stop()

    assert sorted(point for _n, point, _id in sink.killed) == sorted(points), "every planned kill happened"
    copies = Counter(sink.accepted)
    assert len(copies) == MESSAGES, "none lost"
    twice = {mid: n for mid, n in copies.items() if n > 1}
    in_the_window = {mid for _n, point, mid in sink.killed if point == "window"}
    assert twice == dict.fromkeys(in_the_window, 2), f"sent twice: {twice}; kills: {sink.killed}"
    assert _count(database, "status = 'sent' AND claim_token IS NULL") == MESSAGES
    # What each row says it sent is what the server has.
    ids = {row[0] for row in database.query("SELECT provider_id FROM interactions_outboundmessage")}
    assert ids == set(copies)
    # A kill before the record cost its message one more attempt; one on QUIT, none: the
    # message was already recorded as sent.
    ((attempts,),) = database.query("SELECT SUM(attempts) FROM interactions_outboundmessage")
    assert attempts == MESSAGES + KILLS - points.count("quit")


def _count(database: ScratchDatabase, where: str) -> int:
    ((count,),) = database.query(f"SELECT COUNT(*) FROM interactions_outboundmessage WHERE {where}")
    return int(count)


class HangsOnQuit:
    """Accepts every message, then does not answer QUIT (a server gone slow or away)."""

    def __init__(self) -> None:
        self.accepted: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.append(str(BytesHeaderParser().parsebytes(envelope.content)["Message-ID"]))
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(2)  # longer than the client waits
        return "221 Bye"


@pytest.mark.django_db
def test_an_accepted_email_is_recorded_sent_whatever_happens_to_the_goodbye(settings):
    """Once the server has said 250, a QUIT that goes unanswered is no failure: the message is
    recorded sent (before the goodbye, as the crash test above relies on) and not sent again."""
    from django.utils import timezone

    from peyvand.interactions.services import outbox

    handler, port = HangsOnQuit(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 0.3
    try:
        message = outbox.message_queue(
            channel="email", purpose="transactional", to_address="a@example.com", body_text="سلام"
        )
        assert outbox.outbound_deliver(message_id=message.pk) == "sent"
        message.refresh_from_db()
        assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
        assert outbox.outbox_flush(now=timezone.now() + dt.timedelta(days=1)) == 0
    finally:
        controller.stop()
    assert handler.accepted == [message.provider_id]
