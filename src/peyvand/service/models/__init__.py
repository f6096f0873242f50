from .sla import BusinessCalendar, CalendarDay, SlaEvent, SlaPolicy, iranian_week
from .tickets import (
    ALIVE,
    OPEN_STATUSES,
    Category,
    Cause,
    Channel,
    Kind,
    Message,
    Priority,
    Status,
    Survey,
    Ticket,
)

__all__ = [
    "ALIVE",
    "OPEN_STATUSES",
    "BusinessCalendar",
    "CalendarDay",
    "Category",
    "Cause",
    "Channel",
    "Kind",
    "Message",
    "Priority",
    "SlaEvent",
    "SlaPolicy",
    "Status",
    "Survey",
    "Ticket",
    "iranian_week",
]
