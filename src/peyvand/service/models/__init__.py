from .canned import CannedReply
from .field import PENDING_WORK, ServiceContract, WorkOrder, WorkPart, WorkPhoto, WorkResult, WorkStatus
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
    "PENDING_WORK",
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
    "ServiceContract",
    "Skill",
    "SlaEvent",
    "SlaPolicy",
    "Status",
    "Survey",
    "Ticket",
    "TicketWebForm",
    "Visibility",
    "WorkOrder",
    "WorkPart",
    "WorkPhoto",
    "WorkResult",
    "WorkStatus",
    "iranian_week",
]
