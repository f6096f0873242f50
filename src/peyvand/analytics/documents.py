"""A saved report as a PDF: its chart (drawn on the server as the page draws it) above its
pivot table, in the reader's language; several at once for the e-mailed reports, with one
Node.js start for all their charts.

Where the chart cannot be drawn (no Node.js on the server), the PDF holds the table and says
why the chart is missing.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone, translation

from peyvand.core import jalali
from peyvand.core.charts_svg import render_svgs
from peyvand.sales.documents import render_pdf

from .models import SavedReport
from .selectors.reports import Pivot


@dataclass(frozen=True)
class ReportDocument:
    report: SavedReport
    pivot: Pivot
    language: str


@dataclass(frozen=True)
class ReportPdf:
    content: bytes
    chart_missing: bool  # there were figures to draw, and no chart could be drawn


def report_pdfs(documents: Sequence[ReportDocument]) -> list[ReportPdf]:
    """Each report as a PDF, in its order; one Node.js start draws all their charts."""
    drawable = [i for i, d in enumerate(documents) if not d.pivot.is_empty]
    charts = []
    for index in drawable:
        with translation.override(documents[index].language):
            charts.append(documents[index].pivot.chart())
    drawn = render_svgs(charts, [documents[i].language for i in drawable])
    svgs = dict(zip(drawable, drawn, strict=True)) if drawn is not None else {}
    return [_pdf(document, svgs.get(index)) for index, document in enumerate(documents)]


def report_pdf(report: SavedReport, pivot: Pivot, language: str) -> bytes:
    return report_pdfs([ReportDocument(report, pivot, language)])[0].content


def _pdf(document: ReportDocument, svg: str | None) -> ReportPdf:
    # An image rather than inline markup: whatever a label says, it stays inside the drawing.
    chart = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else ""
    missing = not svg and not document.pivot.is_empty
    context = {
        "report": document.report,
        "pivot": document.pivot,
        "chart": chart,
        "chart_missing": missing,
        "printed": jalali.format_date(timezone.localdate(), document.language, long=True),
    }
    return ReportPdf(render_pdf("analytics/report_pdf.html", context, document.language), missing)
