"""Charts drawn on the server, for what leaves Peyvand without a browser (a report's PDF and
its e-mail): the page's own drawing, as an SVG string.

The page draws a ``Chart`` with Apache ECharts through ``static/peyvand/charts.js``; here
Node.js runs ``charts_svg.js``, which loads the same two files (found as the page's static
files are, so the vendored ECharts of ``peyvand assets``) and renders the same option with
ECharts' server-side SVG renderer (no DOM). All the charts of one export go to one Node
process: starting Node costs more than drawing.

Node is needed to install Peyvand (``make install`` builds the front end with npm), but a
server may run without it; then ``render_svgs`` answers None (logged) and the caller shows
the table alone with a note.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from .charts import Chart

logger = logging.getLogger(__name__)

SCRIPT = Path(__file__).with_name("charts_svg.js")
TIMEOUT_SECONDS = 30
# A4 landscape between 12 mm margins is about 1030 × 700 CSS pixels; the chart takes half.
WIDTH, HEIGHT = 960, 400


def node_path() -> str | None:
    """The Node.js to draw with: ``PEYVAND_NODE`` (setting or environment), else the PATH's."""
    configured = getattr(settings, "PEYVAND_NODE", None) or os.environ.get("PEYVAND_NODE", "").strip()
    return configured or shutil.which("node")


def _static(path: str) -> str | None:
    found = finders.find(path)
    return str(found) if isinstance(found, str) else None


def render_svgs(
    charts: Sequence[Chart], languages: Sequence[str], *, width: int = WIDTH, height: int = HEIGHT
) -> list[str] | None:
    """Each chart as an SVG string, drawn for the reader's language (Persian: right to left,
    Persian digits); None when they cannot be drawn (no Node, no ECharts, Node failed)."""
    if not charts:
        return []
    node = node_path()
    echarts, script = _static("vendor/echarts/echarts.min.js"), _static("peyvand/charts.js")
    if not node or (not Path(node).exists() and not shutil.which(node)):
        logger.warning("charts drawn as tables only: Node.js was not found")
        return None
    if echarts is None or script is None:
        logger.warning("charts drawn as tables only: run `peyvand assets` to vendor ECharts")
        return None
    payload = {
        "width": width,
        "height": height,
        "charts": [chart.payload(language) for chart, language in zip(charts, languages, strict=True)],
    }
    try:
        done = subprocess.run(  # noqa: S603 - our own script and files, no shell
            [node, str(SCRIPT), echarts, script],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=True,
        )
        drawn = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        logger.warning("charts drawn as tables only: Node.js failed: %s", str(detail)[:500])
        return None
    if not isinstance(drawn, list) or len(drawn) != len(charts) or not all(isinstance(s, str) for s in drawn):
        logger.warning("charts drawn as tables only: Node.js answered something else")
        return None
    return drawn
