"""Every write of the marketing app. Import the area's module: ``services.segments.segment_create``."""

from . import abtest, campaigns, groups, rendering, segments, sending, tracking

__all__ = ["abtest", "campaigns", "groups", "rendering", "segments", "sending", "tracking"]
