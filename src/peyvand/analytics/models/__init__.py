"""The analytics app's models."""

from .runs import CellCount, ClvFit, Figure, FigureKind, RefreshMode, Run, RunStatus

__all__ = ["CellCount", "ClvFit", "Figure", "FigureKind", "RefreshMode", "Run", "RunStatus"]
