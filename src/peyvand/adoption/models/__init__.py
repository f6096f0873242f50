"""The adoption app's models: readiness models kept as data (a model, its factors and their
weighted statements), assessments with their respondents and answers, the risk register, the
business case and the implementation roadmap."""

from .business import Assumption, BusinessCase, CaseLine, LineCategory, LineKind
from .culture import POINTS_TOTAL, CultureAnswer, CultureType, ModelKind
from .feedback import FeedbackPeriod, SupportDecision
from .gonogo import GoCriterion, GoDecision, GoNoGo, GoScore
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
from .selection import (
    CapabilityGroup,
    Criterion,
    Evaluator,
    Selection,
    SelectionStatus,
    Vendor,
    VendorScore,
)
from .stakeholders import Placement, Quadrant, Stakeholder, StakeholderAction, quadrant_of

__all__ = [
    "POINTS_TOTAL",
    "Answer",
    "Assessment",
    "AssessmentStatus",
    "Assumption",
    "BusinessCase",
    "CapabilityGroup",
    "CaseLine",
    "Criterion",
    "CultureAnswer",
    "CultureType",
    "Evaluator",
    "Factor",
    "FeedbackPeriod",
    "GoCriterion",
    "GoDecision",
    "GoNoGo",
    "GoScore",
    "ItemStatus",
    "LineCategory",
    "LineKind",
    "Measure",
    "ModelKind",
    "Objective",
    "Placement",
    "Quadrant",
    "ReadinessModel",
    "Respondent",
    "Risk",
    "RiskGroup",
    "RiskStatus",
    "Roadmap",
    "RoadmapItem",
    "Selection",
    "SelectionStatus",
    "Stage",
    "Stakeholder",
    "StakeholderAction",
    "Statement",
    "SupportDecision",
    "Vendor",
    "VendorScore",
    "localized",
    "quadrant_of",
]
