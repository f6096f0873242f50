"""The adoption app's models: readiness models kept as data (a model, its factors and their
weighted statements), assessments with their respondents and answers, and the risk register."""

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

__all__ = [
    "Answer",
    "Assessment",
    "AssessmentStatus",
    "Factor",
    "ReadinessModel",
    "Respondent",
    "Risk",
    "RiskGroup",
    "RiskStatus",
    "Statement",
    "localized",
]
