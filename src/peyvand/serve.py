"""Keeping the web server and the worker running side by side, as ``peyvand run`` does.

Each child runs in its own process group, so Ctrl+C in a terminal reaches this supervisor
alone and the supervisor stops each group whole: a web server's worker processes never
outlive it. A child that dies on its own is started again after a pause that doubles with
each quick death (1 s up to a minute), so the site stays up when the worker is killed and a
child that cannot start does not spin.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
STABLE_AFTER = 60.0  # a child up this long has recovered: its next restart waits FIRST_DELAY
STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.2


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float = FIRST_DELAY
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, start_new_session=True)  # noqa: S603 - argv, no shell
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        """Signal the child and everything it started (its process group)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # the whole group has gone already
            os.killpg(self.process.pid, signum)


class Supervisor:
    def __init__(self, children: Sequence[Child], say: Callable[[str], None]) -> None:
        self.children = list(children)
        self.say = say
        self.stopping = False

    def request_stop(self, signum: int, _frame: FrameType | None = None) -> None:
        self.stopping = True

    def start(self) -> None:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        for child in self.children:
            child.start()
            self.say(f"{child.name} started (pid {child.process.pid if child.process else '?'})")

    def watch(self, until: Callable[[], bool] = lambda: False) -> None:
        """Restart dead children until a stop is asked for (or ``until`` holds)."""
        while not self.stopping and not until():
            self.tend(time.monotonic())
            time.sleep(POLL_INTERVAL)

    def tend(self, now: float) -> None:
        for child in self.children:
            if child.restart_at is None and not child.alive():
                code = child.process.returncode if child.process else None
                if now - child.started_at >= STABLE_AFTER:
                    child.delay = FIRST_DELAY
                self.say(f"{child.name} stopped (exit code {code}); starting it again in {child.delay:g} s")
                child.signal_group(signal.SIGKILL)  # what it left behind goes with it
                child.restart_at = now + child.delay
                child.delay = min(child.delay * 2, MAX_DELAY)
            elif child.restart_at is not None and now >= child.restart_at:
                child.restart_at = None
                child.restarts += 1
                child.start()
                self.say(f"{child.name} started again (pid {child.process.pid if child.process else '?'})")

    def stop(self) -> None:
        """Ask every child to stop, wait a while, then kill what is left of each group."""
        for child in self.children:
            child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in self.children:
            if child.process is not None:
                try:
                    child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    self.say(f"{child.name} did not stop in {STOP_TIMEOUT:g} s; killing it")
            child.signal_group(signal.SIGKILL)
            if child.process is not None:
                child.process.wait()
