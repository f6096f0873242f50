"""The worker's follow-up jobs: thin, and safe to run twice (each claims what it sends)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def reminders_task() -> int:
    return services.reminders.reminders_deliver_due()


@db_periodic_task(crontab(minute="*/5"))
def alerts_task() -> int:
    return services.alerts.overdue_alerts_raise() + services.alerts.escalations_raise()


@db_periodic_task(crontab(minute="7"))
def occasions_task() -> int:
    """Hourly, so a worker that was down at midnight still reminds the same day."""
    return services.alerts.occasions_remind()
