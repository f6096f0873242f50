"""The marketing app's models: segments and lists, campaigns and their recipients."""

from .campaigns import Campaign, CampaignSegment, Channel, Goal, Recipient, Status
from .segments import Segment, SegmentMember

__all__ = [
    "Campaign",
    "CampaignSegment",
    "Channel",
    "Goal",
    "Recipient",
    "Segment",
    "SegmentMember",
    "Status",
]
