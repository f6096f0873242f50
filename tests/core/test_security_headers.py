"""Security headers (issue 13, finding 4): a Content-Security-Policy that forbids inline
scripts, frames only where a page is meant to be framed, no caching of what a signed-in user
sees, and production settings that pass Django's deployment check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "peyvand"

pytestmark = pytest.mark.django_db


def test_every_page_forbids_inline_scripts_and_being_framed(client, users):
    client.force_login(users["sales"])
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["Cache-Control"] == "private, no-store"


def test_exports_are_not_cached(client, users, make_person):
    make_person()
    client.force_login(users["sales"])
    response = client.get("/person/export.csv")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_the_public_web_form_may_be_framed_and_the_login_page_is_not_stored_for_nobody(client):
    from peyvand.sales.models import WebForm

    form = WebForm.objects.create(key="public-form-1", title="تماس با ما", language="fa")
    response = client.get(f"/f/{form.key}/")
    assert response.status_code == 200
    assert "frame-ancestors" not in response["Content-Security-Policy"]
    assert "Cache-Control" not in client.get("/login/")  # nothing private on it


def test_no_template_runs_inline_script():
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
    found = []
    for path in PACKAGE.rglob("*.html"):
        text = path.read_text()
        if handler.search(text) or inline.search(text):
            found.append(str(path.relative_to(PACKAGE)))
    assert found == []


def test_the_documented_production_settings_pass_the_deployment_check(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peyvand.settings",
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
        "ALLOWED_HOSTS": "crm.example.com",
        "SECURE_COOKIES": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "BEHIND_HTTPS_PROXY": "true",
        "PEYVAND_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
