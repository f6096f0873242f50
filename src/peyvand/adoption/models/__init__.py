"""The adoption app's models: readiness models kept as data (a model, its factors and their
weighted statements), assessments with their respondents and answers, the risk register, the
business case and the implementation roadmap."""

from .business import BusinessCase, CaseLine, LineCategory, LineKind
from .objectives import Measure, Objective
from .readiness import (
    Answer,
    Assessment,
    AssessmentStatus,
    Factor,
    ReadinessModel,
    Respondent,
    Statement,
    localized,
)
from .risks import Risk, RiskGroup, RiskStatus
from .roadmap import ItemStatus, Roadmap, RoadmapItem, Stage

__all__ = [
    "Answer",
    "Assessment",
    "AssessmentStatus",
    "BusinessCase",
    "CaseLine",
    "Factor",
    "ItemStatus",
    "LineCategory",
    "LineKind",
    "Measure",
    "Objective",
    "ReadinessModel",
    "Respondent",
    "Risk",
    "RiskGroup",
    "RiskStatus",
    "Roadmap",
    "RoadmapItem",
    "Stage",
    "Statement",
    "localized",
]
