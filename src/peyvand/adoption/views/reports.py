"""PDF reports in Persian or English, through the same WeasyPrint path as quotes and invoices:
an assessment's report (scores per factor as a table with bars, strengths and weaknesses, the
risk levels of the risk questionnaire) and a business case for the board (NPV, IRR, payback,
the cash flows and the tornado as a table with bars)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from peyvand.core import jalali
from peyvand.core.http import request_user
from peyvand.sales.documents import render_pdf

from ..selectors import assessments as assessment_selectors
from ..selectors import business as business_selectors
from ..selectors import gonogo, scoring


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang") or ""
    return asked if asked in ("fa", "en") else ("en" if (get_language() or "fa").startswith("en") else "fa")


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
@require_GET
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_selectors.assessment_get(user=user, pk=pk)
    language = _language(request)
    with translation.override(language):
        results = assessment_selectors.assessment_results(assessment)
        context: dict[str, Any] = {
            "assessment": assessment,
            "model_name": assessment.model.name,
            "results": results,
            "bars": [(f, max(0.0, min(100.0, f.score or 0.0))) for f in results.factors],
            "risk_groups": gonogo.group_risks(results) if gonogo.is_risk_questionnaire(assessment) else (),
            "weak_below": scoring.WEAK_BELOW,
            "strong_from": scoring.STRONG_FROM,
            "printed": jalali.format_date(timezone.localdate(), language, long=True),
        }
    return _pdf(
        render_pdf("adoption/assessment_pdf.html", context, language),
        f"assessment-{assessment.pk}-{language}",
    )


@login_required
@require_GET
def case_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = business_selectors.case_get(user=user, pk=pk)
    language = _language(request)
    with translation.override(language):
        lines = business_selectors.case_lines(case)
        found = business_selectors.figures(case, lines)
        chart = business_selectors.cash_chart(case, found)
        widest = max((s.spread for s in found.swings), default=Decimal(0)) or Decimal(1)
        context = {
            "case": case,
            "lines": lines,
            "figures": found,
            "years": list(
                zip(chart.labels, found.benefits, found.costs, found.cash, found.cumulative, strict=True)
            ),
            "swings": [(s, float(s.spread / widest * 100)) for s in found.swings],
            "assumptions": business_selectors.assumption_rows(case),
            "printed": jalali.format_date(timezone.localdate(), language, long=True),
        }
    return _pdf(
        render_pdf("adoption/case_pdf.html", context, language), f"business-case-{case.pk}-{language}"
    )
