"""Reading assessments: the list, one assessment, a respondent's questionnaire, the results
(scored by ``scoring``), the radar chart with its table, and a comparison of two."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.charts import Chart, Series
from peyvand.core.converters import is_id
from peyvand.core.models import Action, Scope, User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_terms

from ..models import Answer, Assessment, AssessmentStatus, Factor, ReadinessModel, Respondent
from . import scoring

SORTS = {
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
    "title": ["title", "id"],
    "-title": ["-title", "-id"],
}
DEFAULT_SORT = "-created"


def may_see(user: Any) -> bool:
    return policy.scope(user, "adoption", Action.VIEW) != Scope.NONE


def may_change(user: Any) -> bool:
    return policy.scope(user, "adoption", Action.CHANGE) != Scope.NONE


def readiness_models() -> list[ReadinessModel]:
    return list(
        ReadinessModel.objects.annotate(factor_count=Count("factors")).order_by("-builtin", "name_en", "id")
    )


def readiness_model_get(pk: Any) -> ReadinessModel:
    found = ReadinessModel.objects.filter(pk=int(str(pk))).first() if is_id(pk) else None
    if found is None:
        raise Http404
    return found


def model_factors(model: ReadinessModel) -> list[Factor]:
    return list(Factor.objects.filter(model=model).prefetch_related("statements").order_by("order", "id"))


def assessments_visible(user: User) -> QuerySet[Assessment]:
    return policy.visible(user, Assessment.objects.all())


def assessment_list(
    *,
    user: User,
    filters: Mapping[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[Assessment]:
    queryset = assessments_visible(user)
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(Q(title__icontains=term) | Q(department__icontains=term))
    if filters.get("model"):
        queryset = queryset.filter(model=filters["model"])
    if filters.get("kind"):
        queryset = queryset.filter(model__kind=filters["kind"])
    if filters.get("status") in AssessmentStatus.values:
        queryset = queryset.filter(status=filters["status"])
    queryset = queryset.select_related("model").annotate(
        invited=Count("respondents", distinct=True),
        submitted=Count("respondents", filter=Q(respondents__submitted_at__isnull=False), distinct=True),
    )
    return keyset_page(queryset, order=SORTS.get(sort, SORTS[DEFAULT_SORT]), cursor=cursor, limit=limit)


def assessment_get(*, user: User, pk: Any) -> Assessment:
    return policy.get_visible(user, Assessment.objects.select_related("model"), pk)


def assessment_choices(*, user: User, model_id: int, exclude: int) -> list[Assessment]:
    """The assessments of the same model another may be compared with."""
    return list(
        assessments_visible(user).filter(model_id=model_id).exclude(pk=exclude).order_by("-created_at")[:100]
    )


def respondents(assessment: Assessment) -> list[Respondent]:
    return list(
        Respondent.objects.filter(assessment=assessment)
        .select_related("user")
        .annotate(answered=Count("answers"))
        .order_by("id")
    )


def my_questionnaires(user: User) -> list[Respondent]:
    """The questionnaires ``user`` was asked to answer and has not submitted."""
    return list(
        Respondent.objects.filter(
            user=user,
            submitted_at__isnull=True,
            assessment__status=AssessmentStatus.OPEN,
            assessment__deleted_at__isnull=True,
        )
        .select_related("assessment__model")
        .order_by("-invited_at", "-id")
    )


def respondent_get(*, user: User, pk: Any) -> Respondent:
    """The signed-in user's own questionnaire; anyone else's is not found."""
    found = (
        Respondent.objects.select_related("assessment__model")
        .filter(pk=int(str(pk)), user=user, assessment__deleted_at__isnull=True)
        .first()
        if is_id(pk)
        else None
    )
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class QuestionnaireFactor:
    factor: Factor
    statements: list[Any]  # Statement, each with ``.current`` (the saved rating or None)
    answered: int


def questionnaire(respondent: Respondent) -> list[QuestionnaireFactor]:
    saved = dict(Answer.objects.filter(respondent=respondent).values_list("statement_id", "value"))
    found = []
    for factor in model_factors(respondent.assessment.model):
        statements = list(factor.statements.all())
        for statement in statements:
            statement.current = saved.get(statement.pk)  # type: ignore[attr-defined]
        found.append(QuestionnaireFactor(factor, statements, sum(1 for s in statements if s.pk in saved)))
    return found


def scoring_factors(model: ReadinessModel) -> list[scoring.FactorItems]:
    return [
        scoring.FactorItems(
            key=factor.key,
            name=factor.name,
            items=tuple(scoring.Item(s.pk, float(s.weight), s.reverse) for s in factor.statements.all()),
        )
        for factor in model_factors(model)
    ]


def assessment_results(assessment: Assessment) -> scoring.Results:
    """The scores from the submitted questionnaires (saved but unsubmitted answers do not count)."""
    answers: dict[int, dict[int, int]] = defaultdict(dict)
    rows = Answer.objects.filter(
        respondent__assessment=assessment, respondent__submitted_at__isnull=False
    ).values_list("respondent_id", "statement_id", "value")
    for respondent_id, statement_id, value in rows:
        answers[respondent_id][statement_id] = value
    return scoring.score(scoring_factors(assessment.model), answers)


def radar_chart(series: list[tuple[str, scoring.Results]]) -> Chart:
    """Factor scores of one assessment, or of two over each other, on a 0–100 radar."""
    first = series[0][1]
    labels = tuple(f.name for f in first.factors)
    return Chart(
        key="radar",
        title=_("Readiness by factor (0–100)"),
        kind="line",  # drawn as a radar: see radar_payload
        labels=labels,
        series=tuple(
            Series(
                name=title,
                values=tuple((r.factor(f.key).score if r.factor(f.key) else None) for f in first.factors),  # type: ignore[union-attr]
                format="decimal",
            )
            for title, r in series
        ),
        label_heading=_("Factor"),
        note=_("0 is strong disagreement with every statement, 100 strong agreement."),
    )


def radar_payload(chart: Chart) -> dict[str, Any]:
    """The chart's data for charts.js, drawn as a radar with every axis from 0 to 100."""
    return {**chart.payload(), "kind": "radar", "max": 100}
