"""Culture surveys (the OCAI of the competing-values model): the list, opening one, a
respondent's questionnaire of points, and the results with the radar, the table and the reading.

A culture survey is an assessment of a culture model: its page, invitations and closing are the
assessments' views; ``respond`` and ``assessments.assessment_results`` hand culture surveys here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, sort_columns
from peyvand.core.models import User
from peyvand.core.pagination import InvalidCursor

from ..forms import AssessmentFilterForm, AssessmentForm, CultureParse
from ..models import POINTS_TOTAL, Assessment, ModelKind, ReadinessModel, Respondent
from ..selectors import assessments as selectors
from ..selectors import culture as culture_selectors
from ..services import assessments as services
from ..services import culture as culture_services

SORT_LABELS = {"title": gettext_lazy("Title"), "created": gettext_lazy("Created")}


@login_required
def culture_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not selectors.may_see(user):
        raise PermissionDenied
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = AssessmentFilterForm(request.GET or None)
    del form.fields["model"]
    filters = form.filters() if request.GET else {}
    try:
        page = selectors.assessment_list(
            user=user,
            filters={**filters, "kind": ModelKind.CULTURE},
            sort=sort,
            cursor=request.GET.get("cursor"),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("adoption:culture_list")
    return render(
        request,
        "adoption/culture_list.html",
        {
            "nav": "adoption",
            "form": form,
            "page": page,
            "columns": sort_columns(sort, SORT_LABELS),
            "filtered": any(filters.get(k) for k in ("q", "status")),
            "can_create": policy.can_create(user, Assessment),
        },
    )


@login_required
def culture_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Assessment)
    first = ReadinessModel.objects.filter(kind=ModelKind.CULTURE).order_by("-builtin", "id").first()
    form = AssessmentForm(request.POST or None, kind=ModelKind.CULTURE, initial={"model": first})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(actor=user, data=form.assessment_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The culture survey was created. Now invite the respondents."))
            return redirect("adoption:assessment_detail", assessment.pk)
    return render(
        request,
        "adoption/culture_form.html",
        {"nav": "adoption", "form": form},
        status=422 if form.errors else 200,
    )


def culture_questionnaire(
    request: HttpRequest, respondent: Respondent, user: User | None, *, again: str
) -> HttpResponse:
    """The points questionnaire: a table per dimension, a column for now and one for preferred."""
    sections = culture_selectors.culture_questionnaire(respondent)
    statement_ids = [s.pk for section in sections for s in section.statements]
    errors: list[str] = []
    values: dict[str, str] = {}
    if request.method == "POST" and respondent.submitted_at is None:
        parsed = CultureParse(statement_ids, request.POST)
        submit = request.POST.get("action") == "submit"
        try:
            culture_services.culture_answers_save(
                respondent=respondent, answers=parsed.answers, submit=submit, user=user
            )
        except ValidationError as exc:
            errors = exc.messages
            values = parsed.values
        else:
            if submit:
                if user is None:
                    return redirect(f"{again}?done=1")
                messages.success(request, _("Thank you: your answers were submitted."))
                return redirect("adoption:my_questionnaires")
            messages.success(request, _("Your answers were saved; you may finish later."))
            return redirect(again)
    for section in sections:
        for statement in section.statements:
            if values:
                statement.now = values.get(f"n{statement.pk}", "")
                statement.preferred = values.get(f"p{statement.pk}", "")
    return render(
        request,
        "adoption/culture_questionnaire.html",
        {
            "nav": "adoption",
            "respondent": respondent,
            "assessment": respondent.assessment,
            "sections": sections,
            "errors": errors,
            "public": user is None,
            "total": len(sections),
            "answered": sum(1 for s in sections if s.answered),
            "points_total": POINTS_TOTAL,
        },
        status=422 if errors else 200,
    )


def culture_results(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    results = culture_selectors.culture_results(assessment)
    chart = culture_selectors.culture_chart(results)
    return render(
        request,
        "adoption/culture_results.html",
        {
            "nav": "adoption",
            "assessment": assessment,
            "results": results,
            "chart": chart,
            "chart_data": culture_selectors.culture_payload(chart),
            "reading": culture_selectors.culture_reading(results),
            "guidance": [
                (label, culture_selectors.GUIDANCE[culture_selectors.CultureType(value)])
                for value, label in culture_selectors.CultureType.choices
            ],
            "gap_notable": culture_selectors.GAP_NOTABLE,
        },
    )
