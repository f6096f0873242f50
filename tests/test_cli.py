"""The `peyvand` command, in-process for the management tasks and as real processes for `run`."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from peyvand import cli
from peyvand.core.models import Role, User
from peyvand.core.services.site import site_flag_set
from peyvand.core.services.tokens import api_token_authenticate


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


def test_run_serves_the_app_and_its_static_files_with_granian(tmp_path):
    """What `make run` ends with: set up a fresh data directory, serve it, stop cleanly."""
    peyvand = [sys.executable, "-m", "peyvand.cli"]
    env = {
        **os.environ,
        "PEYVAND_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    setup = subprocess.run(
        [*peyvand, "setup", "--no-demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert setup.returncode == 0, setup.stderr
    password = re.search(r"password: (\S+)", setup.stdout).group(1)
    port = _free_port()
    server = subprocess.Popen(
        [*peyvand, "run", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                page = urllib.request.urlopen(f"{base}/login/", timeout=2).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.3)
        assert '<html lang="fa" dir="rtl">' in page
        stylesheet = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.rtl\.min\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "static files must be served with hashed names"
        assert urllib.request.urlopen(base + stylesheet.group(1), timeout=5).status == 200
        assert len(password) >= 20
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Huey consumer started" in output
    assert Path(tmp_path, "huey.sqlite3").exists()
