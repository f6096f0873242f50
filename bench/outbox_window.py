"""The outbox's at-least-once window: from an SMTP server's acceptance of an email to the
committed record that it was sent, beside a baseline measured in the same process.

    .venv/bin/python -m bench.outbox_window                            # 500 emails, SQLite
    BENCH_ENGINE=postgresql .venv/bin/python -m bench.outbox_window    # BENCH_POSTGRES's server
    BENCH_MESSAGES=2000 .venv/bin/python -m bench.outbox_window

A worker killed inside the window has not recorded a message the server has, so the next
one sends it again (same Message-ID); outside it, a kill costs no copy
(tests/interactions/test_outbox_crash.py). The emails go through the real delivery
(`outbound_deliver`: claim, send over SMTP, record) to an SMTP server (aiosmtpd) in a thread
of this process, on this machine's loopback. The clock starts when the server hands back its
250 to the end of DATA and stops when the UPDATE that records the message has returned (in
autocommit: committed). The baseline is a bare UPDATE of one outbox row, committed, in the
same process: the least a record can cost. Also printed: what the window was before the
record was moved ahead of closing the connection (acceptance, then QUIT and its reply, then
the UPDATE), from the same sends.

It builds its own database (SQLite in a temporary folder, or the PostgreSQL database
``peyvand_bench_outbox``, dropped and made again).
"""

from __future__ import annotations

import logging
import os
import platform
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "500"))
ENGINE = os.environ.get("BENCH_ENGINE", "sqlite")
PG_BASE = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "peyvand_bench_outbox"


def say(message: str) -> None:
    print(message, flush=True)


def prepare_database() -> str:
    """A fresh database for this run; returns what it is, for the report."""
    os.environ["PEYVAND_DATA_DIR"] = tempfile.mkdtemp(prefix="peyvand-bench-")
    if ENGINE == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{PG_NAME}"
        return "PostgreSQL"
    os.environ.pop("DATABASE_URL", None)
    return "SQLite"


class Sink:
    """An SMTP server that notes when it hands back its acceptance of each message."""

    def __init__(self) -> None:
        self.accepted_at: dict[str, float] = {}  # Message-ID → perf_counter at the 250

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email.parser import BytesHeaderParser

        mid = str(BytesHeaderParser().parsebytes(envelope.content)["Message-ID"])
        self.accepted_at[mid] = time.perf_counter()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentiles(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, round(len(ms) * 0.99))]
    return f"p50 {p50:7.3f} ms   p99 {p99:7.3f} ms   max {ms[-1]:7.3f} ms"


def main() -> None:
    engine = prepare_database()
    from aiosmtpd.controller import Controller

    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    os.environ.update(
        EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_USE_TLS="false", EMAIL_USE_SSL="false"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    call_command("migrate", verbosity=0)
    from django.db import transaction
    from django.utils import timezone

    from peyvand.interactions.delivery import mail
    from peyvand.interactions.models import OutboundMessage
    from peyvand.interactions.services import outbox

    with transaction.atomic():
        ids = [
            outbox.message_queue(
                channel="email",
                purpose="transactional",
                to_address=f"customer{n}@example.com",
                subject=f"پیام {n}",
                body_text=f"سلام، این پیام شماره {n} است.",
                key=f"bench-{n}",
            ).pk
            for n in range(MESSAGES)
        ]

    recorded_at: dict[str, float] = {}  # Message-ID → when the UPDATE that records it returned
    returned_at: dict[str, float] = {}  # Message-ID → when the connection had been closed

    def timed_record(record: Callable[..., bool]) -> Callable[..., bool]:
        def wrapper(message: Any, token: Any, fields: dict[str, object]) -> bool:
            done = record(message, token, fields)
            if fields.get("provider_id"):
                recorded_at[str(fields["provider_id"])] = time.perf_counter()
            return done

        return wrapper

    def timed_send(send: Callable[..., str]) -> Callable[..., str]:
        def wrapper(email: Any, **kwargs: Any) -> str:
            mid = send(email, **kwargs)
            returned_at[mid] = time.perf_counter()
            return mid

        return wrapper

    outbox._record = timed_record(outbox._record)
    mail.send = timed_send(mail.send)
    started = time.perf_counter()
    for pk in ids:
        assert outbox.outbound_deliver(message_id=pk) == "sent"
    elapsed = time.perf_counter() - started
    controller.stop()

    window = [recorded_at[mid] - at for mid, at in sink.accepted_at.items()]
    # The record now comes before QUIT: the old order's window is the same span plus QUIT.
    before = [returned_at[mid] - at for mid, at in sink.accepted_at.items()]
    baseline = []
    for pk in ids:
        begun = time.perf_counter()
        OutboundMessage.objects.filter(pk=pk).update(updated_at=timezone.now())
        baseline.append(time.perf_counter() - begun)
    assert len(window) == MESSAGES

    say(f"Outbox window: {MESSAGES} emails over SMTP on the loopback, {engine}, {platform.python_version()}")
    say(f"  delivery (claim, send, record, timeline):  {MESSAGES / elapsed:,.0f} emails/s")
    say(f"  window, 250 → sent recorded:                {percentiles(window)}")
    say(f"  baseline, a bare one-row UPDATE committed:  {percentiles(baseline)}")
    say(f"  before: 250 → QUIT answered → recorded:     {percentiles(before)}")


if __name__ == "__main__":
    main()
