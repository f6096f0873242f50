"""The go/no-go evaluation that ends a selection: the four criteria of seed [004] with their
scores, the risk questionnaire scored per group (its readiness score read as a risk level),
and the recommendation the scores make.

- A group's risk is 100 minus its score on the questionnaire (0–100): the less the
  organisation is ready in a group, the higher the risk. Its level is high below a score of
  ``scoring.WEAK_BELOW``, medium below ``scoring.STRONG_FROM``, low from there.
- The score the risk questionnaire suggests for the "success and risks" criterion is its
  overall score put on 1–5: 1 + overall / 25, rounded.
- The evaluation recommends going on when every criterion is scored, their mean is at least
  ``GO_MEAN_FROM`` and none is below ``GO_FLOOR``; otherwise going back to step zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import User

from ..models import Assessment, GoCriterion, GoDecision, GoNoGo, GoScore, Selection
from ..models.gonogo import RISK_QUESTIONNAIRE_KEY
from . import scoring
from .assessments import assessment_results

GO_MEAN_FROM = 3.0
GO_FLOOR = 2


@dataclass(frozen=True)
class GroupRisk:
    key: str
    name: str
    score: float | None  # the questionnaire's 0–100 readiness score
    respondents: int

    @property
    def risk(self) -> float | None:
        return None if self.score is None else 100.0 - self.score

    @property
    def level(self) -> str:
        """ "high", "medium", "low", or "" when nobody answered."""
        if self.score is None:
            return ""
        if self.score < scoring.WEAK_BELOW:
            return "high"
        if self.score < scoring.STRONG_FROM:
            return "medium"
        return "low"

    @property
    def level_label(self) -> str:
        return {"high": _("High risk"), "medium": _("Medium risk"), "low": _("Low risk")}.get(self.level, "")


@dataclass(frozen=True)
class CriterionRow:
    criterion: str
    label: str
    value: int | None
    note: str


@dataclass(frozen=True)
class Evaluation:
    record: GoNoGo | None
    rows: tuple[CriterionRow, ...]
    risk_assessment: Assessment | None
    risk_groups: tuple[GroupRisk, ...]
    risk_overall: float | None
    suggested_risk_score: int | None

    @property
    def complete(self) -> bool:
        return all(row.value is not None for row in self.rows)

    @property
    def mean(self) -> float | None:
        values = [row.value for row in self.rows if row.value is not None]
        return sum(values) / len(values) if values else None

    @property
    def recommendation(self) -> str:
        """GoDecision.GO or NO_GO once every criterion is scored, "" before."""
        if not self.complete or self.mean is None:
            return ""
        floor_ok = all((row.value or 0) >= GO_FLOOR for row in self.rows)
        return GoDecision.GO if self.mean >= GO_MEAN_FROM and floor_ok else GoDecision.NO_GO

    @property
    def decision(self) -> str:
        return self.record.decision if self.record else GoDecision.PENDING

    @property
    def decided(self) -> bool:
        return self.decision != GoDecision.PENDING


def is_risk_questionnaire(assessment: Assessment) -> bool:
    return bool(assessment.model.key == RISK_QUESTIONNAIRE_KEY)


def risk_assessments(user: User) -> QuerySet[Assessment]:
    """The assessments of the risk questionnaire the user may see, newest first."""
    return (
        policy.visible(user, Assessment.objects.all())
        .filter(model__key=RISK_QUESTIONNAIRE_KEY)
        .select_related("model")
        .order_by("-created_at", "-id")
    )


def group_risks(results: scoring.Results) -> tuple[GroupRisk, ...]:
    return tuple(GroupRisk(f.key, f.name, f.score, f.respondents) for f in results.factors)


def suggested_score(overall: float | None) -> int | None:
    if overall is None:
        return None
    return max(1, min(5, int(1 + overall / 25 + 0.5)))


def evaluation(selection: Selection) -> Evaluation:
    record = (
        GoNoGo.objects.filter(selection=selection)
        .select_related("risk_assessment__model", "decided_by")
        .first()
    )
    scores: dict[str, GoScore] = (
        {s.criterion: s for s in GoScore.objects.filter(evaluation=record)} if record else {}
    )
    rows = tuple(
        CriterionRow(
            value,
            str(label),
            scores[value].value if value in scores else None,
            scores[value].note if value in scores else "",
        )
        for value, label in GoCriterion.choices
    )
    assessment = record.risk_assessment if record else None
    groups: tuple[GroupRisk, ...] = ()
    overall = None
    if assessment is not None:
        results = assessment_results(assessment)
        groups, overall = group_risks(results), results.overall
    return Evaluation(record, rows, assessment, groups, overall, suggested_score(overall))


def payload(found: Evaluation) -> dict[str, Any]:
    """The evaluation as the API gives it."""
    record = found.record
    return {
        "decision": found.decision,
        "recommendation": found.recommendation or None,
        "mean": None if found.mean is None else round(found.mean, 2),
        "reason": record.reason if record else "",
        "decided_by": record.decided_by_id if record else None,
        "decided_at": record.decided_at if record else None,
        "risk_assessment_id": found.risk_assessment.pk if found.risk_assessment else None,
        "suggested_risk_score": found.suggested_risk_score,
        "criteria": [
            {"criterion": row.criterion, "label": row.label, "value": row.value, "note": row.note}
            for row in found.rows
        ],
        "risk_groups": [
            {
                "key": g.key,
                "name": g.name,
                "score": None if g.score is None else round(g.score, 1),
                "risk": None if g.risk is None else round(g.risk, 1),
                "level": g.level or None,
            }
            for g in found.risk_groups
        ],
    }


# The wizard's steps: one per criterion (each a group of [004]'s decision), then the summary.
STEPS: tuple[str, ...] = tuple(GoCriterion.values)
SUMMARY_STEP = len(STEPS) + 1


def guidance(criterion: str) -> str:
    """What to weigh on a criterion's step, in the terms of seed [004]."""
    texts: dict[str, str] = {
        GoCriterion.GOAL: _(
            "Is CRM one of the organisation's goals, backed by its leaders and tied to its customer "
            "strategy, rather than one department's wish?"
        ),
        GoCriterion.USEFULNESS: _(
            "Will CRM solve the organisation's real problems with its customers — which ones, and how far — "
            "as the situation analysis and the business case show?"
        ),
        GoCriterion.RESOURCES: _(
            "Has the organisation the money, people, skills, data and technology the project needs, and the "
            "time of those who must take part?"
        ),
        GoCriterion.RISK: _(
            "How likely is the deployment to succeed, given the risks found? Name the risk questionnaire: "
            "its groups are shown with their levels and the score it suggests."
        ),
    }
    return str(texts.get(criterion, ""))


def first_open_step(found: Evaluation) -> int:
    """Where a draft is taken up again: the first criterion not scored yet, else the summary."""
    for number, row in enumerate(found.rows, start=1):
        if row.value is None:
            return number
    return SUMMARY_STEP
