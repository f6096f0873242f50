from .canned import CannedReply
from .knowledge import Article, ArticleUse, ArticleVersion, Visibility
from .routing import AssignmentRule, Skill
from .sla import BusinessCalendar, CalendarDay, SlaEvent, SlaPolicy, iranian_week
from .tickets import (
    ALIVE,
    OPEN_STATUSES,
    Category,
    Cause,
    Channel,
    Kind,
    Language,
    Message,
    Priority,
    Status,
    Survey,
    Ticket,
)
from .webforms import TicketWebForm

__all__ = [
    "ALIVE",
    "OPEN_STATUSES",
    "Article",
    "ArticleUse",
    "ArticleVersion",
    "AssignmentRule",
    "BusinessCalendar",
    "CalendarDay",
    "CannedReply",
    "Category",
    "Cause",
    "Channel",
    "Kind",
    "Language",
    "Message",
    "Priority",
    "Skill",
    "SlaEvent",
    "SlaPolicy",
    "Status",
    "Survey",
    "Ticket",
    "TicketWebForm",
    "Visibility",
    "iranian_week",
]
