"""The analytics app's models."""

from .runs import CellCount, ChurnFit, ClvFit, Figure, FigureKind, RefreshMode, Run, RunStatus

__all__ = ["CellCount", "ChurnFit", "ClvFit", "Figure", "FigureKind", "RefreshMode", "Run", "RunStatus"]
