"""The analytics app's models."""

from .reports import SavedReport, Schedule, Visibility
from .runs import CellCount, ChurnFit, ClvFit, Figure, FigureKind, RefreshMode, Run, RunStatus

__all__ = [
    "CellCount",
    "ChurnFit",
    "ClvFit",
    "Figure",
    "FigureKind",
    "RefreshMode",
    "Run",
    "RunStatus",
    "SavedReport",
    "Schedule",
    "Visibility",
]
