"""Every template compiles: each loads the tag libraries it uses (only core's are built in)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import engines

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "peyvand"
TEMPLATES = sorted(
    path.relative_to(folder).as_posix()
    for folder in [PACKAGE / "templates", *PACKAGE.glob("*/templates")]
    for path in folder.rglob("*.html")
)


def test_the_templates_are_found():
    assert "base.html" in TEMPLATES and "customers/party_detail.html" in TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_template_compiles(name):
    engines["django"].get_template(name)
