"""Every non-trivial read of the marketing app, through the permission policy."""

from . import campaigns, results, segments

__all__ = ["campaigns", "results", "segments"]
