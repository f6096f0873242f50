from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from peyvand.core import jalali, policy
from peyvand.notifications.reminders import REMINDER_LABELS

register = template.Library()

ICONS = {"task": "bi-check2-square", "call": "bi-telephone", "meeting": "bi-people", "visit": "bi-geo-alt"}
PRIORITY_BADGES = {1: "text-bg-light", 2: "text-bg-secondary", 3: "text-bg-warning", 4: "text-bg-danger"}


@register.filter
def activity_icon(kind: str) -> str:
    return ICONS.get(kind, "bi-check2-square")


@register.filter
def priority_badge(priority: int) -> str:
    return PRIORITY_BADGES.get(priority, "text-bg-secondary")


@register.filter
def is_overdue(activity: Any) -> bool:
    return activity.status == "open" and activity.due_at < timezone.now()


@register.filter
def clock(value: dt.datetime | None) -> str:
    """The local time of day, in the interface's digits."""
    return jalali.local_digits(f"{timezone.localtime(value):%H:%M}") if value else ""


@register.filter
def reminder_label(minutes: int) -> str:
    return str(REMINDER_LABELS.get(minutes, minutes))


@register.filter
def iso(day: dt.date) -> str:
    return day.isoformat()


@register.filter
def at_hour(day: Any, hour: Any) -> list[Any]:
    """The activities of a week view's cell; ``"other"`` is the row for hours outside the grid."""
    return list(day.hours.get(None if hour == "other" else hour, []))


@register.filter
def hour_label(hour: int) -> str:
    return jalali.local_digits(f"{hour:02d}:00")


@register.simple_tag(takes_context=True)
def can_move(context: template.Context, activity: Any) -> bool:
    return activity.status == "open" and policy.can_change(context["request"].user, activity)
