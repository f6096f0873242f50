"""The house's shape holds: one-way layers between the apps, and one layout in every app.

The contract itself is in pyproject.toml ([tool.importlinter]); `make lint` and CI run it.
These tests prove it holds on the tree, and that it fails when an app imports upward, at
module level or hidden inside a function.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "peyvand"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
APPS = (
    "core",
    "customers",
    "interactions",
    "notifications",
    "sales",
    "activities",
    "service",
    "marketing",
    "analytics",
    "portal",
    "adoption",
    "automation",
)
# The rooms every app has (ARCHITECTURE: "the shape sales has").
PACKAGES = ("models", "services", "selectors", "api", "views")
MODULES = ("apps.py", "forms.py", "urls.py")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package and its contract, copied, to break on purpose."""
    tree = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    shutil.copytree(PACKAGE, tree / "src" / "peyvand", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    return tree


def test_the_apps_import_only_the_apps_below_them():
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    "module, source",
    [
        ("core/probe.py", "from peyvand.customers.models import Party\n"),
        # Hidden in a function, an upward import is still one.
        ("customers/probe.py", "def later():\n    from peyvand.sales.models import Deal\n    return Deal\n"),
        ("interactions/probe.py", "import peyvand.activities.selectors\n"),
    ],
)
def test_an_upward_import_breaks_the_contract(tree_copy, module, source):
    probe = tree_copy / "src" / "peyvand" / module
    probe.write_text(source)
    try:
        done = _lint(tree_copy)
    finally:
        probe.unlink()
    assert done.returncode != 0
    assert "BROKEN" in done.stdout
    assert f"peyvand.{module.removesuffix('.py').replace('/', '.')}" in done.stdout


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_the_same_rooms(app):
    home = PACKAGE / app
    for package in PACKAGES:
        assert (home / package / "__init__.py").is_file(), f"{app}/{package}/ is missing"
    for module in MODULES:
        assert (home / module).is_file(), f"{app}/{module} is missing"
    assert (home / "templates" / app).is_dir(), f"{app}/templates/{app}/ is missing"
    # Where the app reaches the pages of the apps below it: hooks.register(), from ready().
    assert app == "core" or (home / "hooks.py").is_file(), f"{app}/hooks.py is missing"
    # No flat files beside the packages that hold the same things.
    for package in PACKAGES:
        assert not (home / f"{package}.py").exists(), f"{app}/{package}.py beside {package}/"
        strays = sorted(p.name for p in home.glob(f"*_{package.rstrip('s')}*.py"))
        assert not strays, f"{app}: {strays} belong in {package}/"


def _source_lines(pattern: str):
    for path in sorted(PACKAGE.rglob(pattern)):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield path.relative_to(PACKAGE), number, line


def test_templates_never_turn_escaping_off():
    # What a page shows is escaped; HTML that must stay HTML goes through a filter that
    # cleans it (e.g. service's rich_text), never |safe or autoescape off.
    found = [
        f"{path}:{number}"
        for path, number, line in _source_lines("*.html")
        if "|safe" in line.replace(" ", "") or "autoescape off" in line
    ]
    assert not found, found


def test_template_comments_of_one_line_only():
    # Django's {# #} ends at the line's end: one left open is printed on the page, as it is.
    found = [
        f"{path}:{number}"
        for path, number, line in _source_lines("*.html")
        if line.count("{#") > line.count("#}")
    ]
    assert not found, f"use {{% comment %}} for a comment of several lines: {found}"


def test_every_silenced_security_check_says_why():
    # A raw SQL string, a mark_safe or a subprocess is allowed where its line says why it
    # is safe, after the code it silences: "S608 - only placeholders".
    found = [
        f"{path}:{number}"
        for path, number, line in _source_lines("*.py")
        if "# noqa: S" in line and " - " not in line.split("# noqa: S", 1)[1]
    ]
    assert not found, found
    unexplained = [
        f"{path}:{number}"
        for path, number, line in _source_lines("*.py")
        if "mark_safe(" in line and "# noqa" not in line
    ]
    assert not unexplained, unexplained
