"""The marketing app's models: segments and lists, campaigns and their recipients."""

from .campaigns import Campaign, CampaignSegment, Channel, Criterion, Goal, Recipient, Status, Variant
from .segments import Segment, SegmentMember

__all__ = [
    "Campaign",
    "CampaignSegment",
    "Channel",
    "Criterion",
    "Goal",
    "Recipient",
    "Segment",
    "SegmentMember",
    "Status",
    "Variant",
]
