"""Every write of the marketing app. Import the area's module: ``services.segments.segment_create``."""

from . import campaigns, rendering, segments, sending, tracking

__all__ = ["campaigns", "rendering", "segments", "sending", "tracking"]
