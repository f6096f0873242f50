"""The `peyvand` command, in-process for the management tasks and as real processes for `run`."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from peyvand import cli
from peyvand.core.models import Role, User
from peyvand.core.services.site import site_flag_set
from peyvand.core.services.tokens import api_token_authenticate
from peyvand.customers.models import Party


def test_createadmin_prints_a_generated_password(db, capsys):
    assert cli.main(["createadmin", "boss"]) == 0
    password = re.search(r"once\): (\S+)", capsys.readouterr().out).group(1)
    boss = User.objects.get(username="boss")
    assert boss.role == Role.ADMIN and boss.check_password(password) and len(password) >= 20
    with pytest.raises(SystemExit):
        cli.main(["createadmin", "BOSS"])


def test_password_gives_a_new_generated_password(db, users, capsys):
    cli.main(["password", "sales"])
    password = capsys.readouterr().out.strip().split()[-1]
    users["sales"].refresh_from_db()
    assert users["sales"].check_password(password)
    with pytest.raises(SystemExit):
        cli.main(["password", "nobody"])


def test_token_prints_a_working_api_token(db, users, capsys):
    cli.main(["token", "support"])
    key = capsys.readouterr().out.strip()
    assert api_token_authenticate(key) == users["support"]


def test_setup_creates_an_administrator_once(db, capsys):
    site_flag_set("demo_loaded", "skip")  # the demo has its own tests
    cli.main(["setup"])
    first = capsys.readouterr().out
    assert "shown only this once" in first
    assert User.objects.filter(role=Role.ADMIN).count() == 1
    cli.main(["setup"])
    second = capsys.readouterr().out
    assert "shown only this once" not in second and "peyvand password admin" in second
    assert User.objects.filter(role=Role.ADMIN).count() == 1


def test_demo_refuses_to_load_twice(db, capsys):
    site_flag_set("demo_loaded", "earlier")
    cli.main(["demo"])
    assert "already loaded" in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`peyvand run` as a real process, its output collected line by line as it comes."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [*PEYVAND, "run", "--port", str(self.port), "--workers", "1", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 180) -> re.Match[str]:  # slow on a loaded CI machine
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.output())
            if found:
                return found
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.output()}"
            assert self.process.poll() is None, self.output()
            time.sleep(0.1)

    def get(self, path: str, timeout: float = 5) -> str:
        return urllib.request.urlopen(self.base + path, timeout=timeout).read().decode()

    def pids(self, name: str) -> list[int]:
        return [int(pid) for pid in re.findall(rf"{name} started(?: again)? \(pid (\d+)\)", self.output())]

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.reader.join(timeout=5)


PEYVAND = [sys.executable, "-m", "peyvand.cli"]


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A fresh data directory set up as `make run` does, and the password it printed."""
    home = tmp_path_factory.mktemp("installation")
    env = {**os.environ, "PEYVAND_DATA_DIR": str(home), "DATABASE_URL": f"sqlite:///{home}/db.sqlite3"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    setup = subprocess.run(
        [*PEYVAND, "setup", "--no-demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert setup.returncode == 0, setup.stderr
    return env, re.search(r"password: (\S+)", setup.stdout).group(1)


def _group_gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_run_sets_up_serves_the_app_and_keeps_it_up(tmp_path):
    """What `make run` does on a new machine: set up, serve, print how to log in last, keep
    serving through idle connections and a killed worker, stop cleanly."""
    env = {
        **os.environ,
        "PEYVAND_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = Server(env, "--setup", "--no-demo")
    try:
        password = server.wait_for(r"password: (\S+)").group(1)
        assert "password:" in server.output().rstrip().splitlines()[-1], "how to log in comes last"
        page = server.get("/login/")
        assert '<html lang="fa" dir="rtl">' in page
        stylesheet = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.rtl\.min\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "static files must be served with hashed names"
        assert urllib.request.urlopen(server.base + stylesheet.group(1), timeout=5).status == 200
        assert len(password) >= 20
        # Idle connections that never send a request do not take the place of real ones.
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(64)]
        started = time.monotonic()
        assert "<form" in server.get("/login/", timeout=1)
        assert time.monotonic() - started < 1
        for connection in idle:
            connection.close()
        # A killed worker is started again, and the site answers meanwhile.
        (worker,) = server.pids("worker")
        os.kill(worker, signal.SIGKILL)
        assert "<form" in server.get("/login/")
        server.wait_for(r"worker stopped \(exit code -9\); starting it again")
        server.wait_for(r"worker started again \(pid \d+\)")
        assert server.pids("worker")[-1] != worker and not _group_gone(server.pids("worker")[-1])
    finally:
        assert server.stop() == 0, server.output()
    assert Path(tmp_path, "huey.sqlite3").exists()
    assert "INFO" not in server.output(), "the server and the worker are quiet unless asked"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stopping_run_leaves_nothing_running(installation, signum):
    env, _password = installation
    server = Server(env)
    try:
        server.wait_for(r"Peyvand is running at")
        groups = server.pids("web server") + server.pids("worker")
        assert len(groups) == 2
    finally:
        assert server.stop(signum) == 0, server.output()
    assert all(_group_gone(pid) for pid in groups), server.output()
    assert not _listening(server.port)


def test_import_knows_the_apis_field_names_and_takes_a_column_map(db, users, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text("first_name,last_name,Cell,Notes to skip\nمریم,احمدی,09121234567,x\n", encoding="utf-8")
    assert cli.main(["import", "people", str(path), "--map", "Cell=phone", "--map", "4="]) == 0
    assert "first_name → first_name" in capsys.readouterr().out
    person = Party.objects.get(last_name="احمدی")
    assert (person.first_name, person.primary_phone) == ("مریم", "+989121234567")
    with pytest.raises(SystemExit, match="no column 'Mobile'"):
        cli.main(["import", "people", str(path), "--map", "Mobile=phone"])
    with pytest.raises(SystemExit, match="COLUMN=FIELD"):
        cli.main(["import", "people", str(path), "--map", "phone"])
