"""`peyvand` commands run in real processes forked from one interpreter that has started Django.

Starting Django takes several seconds here (most of it the analytics' scientific libraries,
imported when the apps load), so a crash test that kills and restarts a command ten times
would spend a minute just starting. Instead one server process starts Django once, and
each command runs in a child forked from it: a process of its own that runs the real
command-line entry point (``peyvand.cli.main``), with its own database connections, and
is killed with SIGKILL from outside like any other.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SERVER = r"""
import json, os, sys, traceback
import django

django.setup()
from django.db import connections
from huey.contrib.djhuey import HUEY
from peyvand import cli

HUEY.storage.close()  # the queue's SQLite connection is opened again in each child
connections.close_all()  # no connection is shared with a child
print("ready", flush=True)
for line in sys.stdin:
    command, _space, rest = line.strip().partition(" ")
    if command == "run":
        request = json.loads(rest)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                code = cli.main(request["argv"])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
                if not isinstance(exc.code, int) and exc.code is not None:
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(pid, flush=True)
    elif command == "poll":
        pid, status = os.waitpid(int(rest), os.WNOHANG)
        print("running" if pid == 0 else os.waitstatus_to_exitcode(status), flush=True)
"""


class WarmPeyvand:
    """Runs ``peyvand`` commands in forked children of one warmed-up server process."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.codes: dict[int, int] = {}  # the children that have ended
        self.server = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            env={**env, "DJANGO_SETTINGS_MODULE": "peyvand.settings"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log.open("ab"),
            text=True,
        )
        assert self._read() == "ready", self.log.read_text(errors="replace")

    def _read(self) -> str:
        assert self.server.stdout is not None
        return self.server.stdout.readline().strip()

    def _ask(self, line: str) -> str:
        assert self.server.stdin is not None
        self.server.stdin.write(line + "\n")
        self.server.stdin.flush()
        answer = self._read()
        assert answer, "the server of warm processes died: " + self.log.read_text(errors="replace")
        return answer

    def start(self, *argv: str) -> int:
        """Start ``peyvand <argv>`` in a new child; returns its process id."""
        return int(self._ask("run " + json.dumps({"argv": list(argv), "log": str(self.log)})))

    def exit_code(self, pid: int) -> int | None:
        """The child's exit code (negative: the signal that ended it), or None while it runs."""
        if pid not in self.codes:
            answer = self._ask(f"poll {pid}")
            if answer == "running":
                return None
            self.codes[pid] = int(answer)
        return self.codes[pid]

    def wait(self, pid: int, timeout: float = 300) -> int:
        deadline = time.monotonic() + timeout
        while (code := self.exit_code(pid)) is None:
            assert time.monotonic() < deadline, f"process {pid} still running"
            time.sleep(0.02)
        return code

    def run(self, *argv: str, timeout: float = 300) -> int:
        return self.wait(self.start(*argv), timeout)

    def kill(self, pid: int) -> int:
        """SIGKILL, and wait until it is gone; returns its exit code (-9 unless it had ended)."""
        os.kill(pid, signal.SIGKILL)
        return self.wait(pid, 30)

    def close(self) -> None:
        if self.server.stdin is not None:
            self.server.stdin.close()
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
