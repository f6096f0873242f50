"""Every write of the activities app. Import from here; the modules split it by concern."""

from .activities import (
    Completion,
    activity_cancel,
    activity_complete,
    activity_create,
    activity_delete,
    activity_reopen,
    activity_update,
)
from .alerts import (
    Occasion,
    escalation_recipients,
    escalations_raise,
    occasions_remind,
    overdue_alerts_raise,
    register_occasion_source,
)
from .feeds import calendar_feed_create, calendar_feed_revoke, calendar_feed_user, team_settings_update
from .reminders import LATE_AFTER, reminder_deliver, reminders_deliver_due, reminders_set

__all__ = [
    "LATE_AFTER",
    "Completion",
    "Occasion",
    "activity_cancel",
    "activity_complete",
    "activity_create",
    "activity_delete",
    "activity_reopen",
    "activity_update",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "calendar_feed_user",
    "escalation_recipients",
    "escalations_raise",
    "occasions_remind",
    "overdue_alerts_raise",
    "register_occasion_source",
    "reminder_deliver",
    "reminders_deliver_due",
    "reminders_set",
    "team_settings_update",
]
