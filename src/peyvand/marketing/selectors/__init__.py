"""Every non-trivial read of the marketing app, through the permission policy."""

from . import campaigns, segments

__all__ = ["campaigns", "segments"]
