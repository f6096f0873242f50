"""Every write of the activities app. Import the area's module:
``services.activities.activity_create``, ``services.reminders.reminders_set``."""

from . import activities, alerts, feeds, reminders

__all__ = ["activities", "alerts", "feeds", "reminders"]
