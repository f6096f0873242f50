from .activities import OPEN_Q, Activity, Kind, Priority, Reminder, Repeat, Status
from .settings import CalendarFeed, TeamSettings

__all__ = [
    "OPEN_Q",
    "Activity",
    "CalendarFeed",
    "Kind",
    "Priority",
    "Reminder",
    "Repeat",
    "Status",
    "TeamSettings",
]
