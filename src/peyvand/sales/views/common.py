"""What the sales pages share: now core's (kept here for the imports that name them)."""

from peyvand.core.http import show_errors, sort_columns

__all__ = ["show_errors", "sort_columns"]
