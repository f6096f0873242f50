"""Every non-trivial read of the activities app, through the permission policy."""

from . import activities, deals

__all__ = ["activities", "deals"]
