"""What the sales selectors share: now core's (kept here for the imports that name them)."""

from peyvand.core.converters import choice_id
from peyvand.core.policy import get_visible

__all__ = ["choice_id", "get_visible"]
