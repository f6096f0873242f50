"""Reminders: armed with their activity, delivered exactly once by the worker.

Delivery claims a reminder with one conditional UPDATE (``delivered_at IS NULL``) in the
same transaction that writes its notification (and the email, if the user asked for one,
into the outbox). Either both commit or neither does:
- a doubled periodic run, or two workers, race for the UPDATE; the loser matches no row
  (on PostgreSQL it waits for the winner's commit and then re-reads the row) and sends
  nothing;
- a worker that dies before the commit leaves the reminder unclaimed, so the next run
  delivers it: nothing is lost;
- a run after downtime delivers what fell due meanwhile, marked late.

The notification's unique (recipient, key) is a second lock on the same door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peyvand.notifications.services.notifications import notify

from ..models import Activity, Reminder, Status

# A run every minute delivers on time; later than this, the worker was not running.
LATE_AFTER = dt.timedelta(minutes=5)
MAX_OFFSET = 60 * 24 * 60  # two months, in minutes


def _at(activity: Activity, minutes: int, now: dt.datetime) -> dt.datetime:
    # A reminder whose moment has already passed when it is set goes off at the next run,
    # on time rather than late.
    return max(activity.due_at - dt.timedelta(minutes=minutes), now)


def reminders_set(activity: Activity, offsets: Iterable[int], now: dt.datetime | None = None) -> None:
    """Give an activity these reminders (minutes before it is due), one per moment: those
    whose moment has already passed would all go off at once, so they are left out when a
    later one is still to come, and only the nearest of them is kept when none is."""
    now = now or timezone.now()
    wanted = _one_per_moment(activity, {int(m) for m in offsets if 0 <= int(m) <= MAX_OFFSET}, now)
    Reminder.objects.filter(activity=activity).exclude(minutes_before__in=wanted).delete()
    existing = set(Reminder.objects.filter(activity=activity).values_list("minutes_before", flat=True))
    Reminder.objects.bulk_create(
        [
            Reminder(activity=activity, minutes_before=m, remind_at=_at(activity, m, now))
            for m in wanted
            if m not in existing
        ]
    )


def _one_per_moment(activity: Activity, offsets: set[int], now: dt.datetime) -> list[int]:
    coming = {m for m in offsets if activity.due_at - dt.timedelta(minutes=m) > now}
    passed = offsets - coming
    if coming or not passed or activity.due_at <= now:
        # Those to come go off in their time; an activity already past its time has the
        # overdue alert instead.
        return sorted(coming)
    return [min(passed)]  # due soon: one reminder, now


def reminders_rearm(activity: Activity, now: dt.datetime | None = None) -> None:
    """After a move (or a reopening): each reminder goes off again before the new time."""
    now = now or timezone.now()
    if activity.status != Status.OPEN or activity.due_at <= now:
        return
    for reminder in Reminder.objects.filter(activity=activity):
        Reminder.objects.filter(pk=reminder.pk).update(
            remind_at=_at(activity, reminder.minutes_before, now), delivered_at=None, late=False
        )


def reminders_close(activity: Activity, now: dt.datetime) -> None:
    """A closed activity needs no more reminders: take them off the worker's list."""
    Reminder.objects.filter(activity=activity, delivered_at__isnull=True).update(delivered_at=now)


def reminder_deliver(*, reminder_id: int, now: dt.datetime | None = None) -> bool:
    """Deliver one due reminder; False when it was not due, already delivered or not needed."""

    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_related("activity__assignee", "activity__party")
            .filter(pk=reminder_id, delivered_at__isnull=True, remind_at__lte=now)
            .first()
        )
        if reminder is None:
            return False
        activity = reminder.activity
        late = now - reminder.remind_at > LATE_AFTER
        claimed = Reminder.objects.filter(
            pk=reminder.pk, delivered_at__isnull=True, remind_at=reminder.remind_at
        ).update(delivered_at=now, late=late)
        if not claimed or activity.status != Status.OPEN or activity.deleted_at is not None:
            return False
        notify(
            recipient=activity.assignee,
            kind="reminder",
            key=f"reminder:{reminder.pk}:{reminder.remind_at.isoformat()}",
            party_id=activity.party_id,
            url=reverse("activity_detail", args=[activity.pk]),
            data={
                "title": activity.title,
                "when": activity.due_at.isoformat(),
                "party": activity.party.display_name if activity.party else "",
                "activity": activity.pk,
                "before": reminder.minutes_before,
            },
            late=late,
            now=now,
        )
    return True


def reminders_deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Deliver every reminder that has fallen due; returns how many were delivered."""
    now = now or timezone.now()
    due = list(
        Reminder.objects.filter(
            delivered_at__isnull=True,
            remind_at__lte=now,
            activity__status=Status.OPEN,
            activity__deleted_at__isnull=True,
        )
        .order_by("remind_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(reminder_deliver(reminder_id=pk, now=now) for pk in due)
