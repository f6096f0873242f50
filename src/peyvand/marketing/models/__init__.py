"""The marketing app's models: segments and lists, campaigns and their recipients."""

from .campaigns import Campaign, CampaignSegment, Channel, Criterion, Goal, Recipient, Status, Variant
from .programmes import Enrolment, PathEvent, Programme, Step
from .segments import Segment, SegmentMember

__all__ = [
    "Campaign",
    "CampaignSegment",
    "Channel",
    "Criterion",
    "Enrolment",
    "Goal",
    "PathEvent",
    "Programme",
    "Recipient",
    "Segment",
    "SegmentMember",
    "Status",
    "Step",
    "Variant",
]
