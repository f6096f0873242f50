from .sla import BusinessCalendar, CalendarDay, SlaEvent, SlaPolicy, iranian_week
from .tickets import ALIVE, OPEN_STATUSES, Category, Channel, Kind, Message, Priority, Status, Ticket

__all__ = [
    "ALIVE",
    "OPEN_STATUSES",
    "BusinessCalendar",
    "CalendarDay",
    "Category",
    "Channel",
    "Kind",
    "Message",
    "Priority",
    "SlaEvent",
    "SlaPolicy",
    "Status",
    "Ticket",
    "iranian_week",
]
