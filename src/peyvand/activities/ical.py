"""A user's activities as an iCalendar feed, for the calendar on their phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from peyvand.core.models import User

from .models import Activity, Kind, Priority, Status

LENGTHS = {
    Kind.TASK: dt.timedelta(minutes=30),
    Kind.CALL: dt.timedelta(minutes=15),
    Kind.MEETING: dt.timedelta(hours=1),
    Kind.VISIT: dt.timedelta(hours=1),
}
# iCalendar priorities: 1 is the highest, 9 the lowest.
PRIORITIES = {Priority.URGENT: 1, Priority.HIGH: 3, Priority.NORMAL: 5, Priority.LOW: 9}


def _event(activity: Activity) -> Event:
    link = settings.PEYVAND_BASE_URL + reverse("activity_detail", args=[activity.pk])
    event = Event()
    event.add("uid", f"activity-{activity.pk}@{settings.PEYVAND_MESSAGE_ID_DOMAIN}")
    event.add("dtstamp", activity.updated_at)
    event.add("last-modified", activity.updated_at)
    event.add("dtstart", activity.due_at)
    event.add(
        "dtend", activity.ends_at or activity.due_at + LENGTHS.get(Kind(activity.kind), LENGTHS[Kind.TASK])
    )
    title = activity.title
    if activity.party is not None:
        title = f"{title} — {activity.party.display_name}"
    if activity.status == Status.DONE:
        title = f"✓ {title}"
    event.add("summary", title)
    lines = [str(Kind(activity.kind).label)]
    if activity.party is not None:
        lines.append(_("Customer: %(name)s") % {"name": activity.party.display_name})
    if activity.description:
        lines.append(activity.description)
    lines.append(link)
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("status", "CANCELLED" if activity.status == Status.CANCELLED else "CONFIRMED")
    event.add("priority", PRIORITIES.get(Priority(activity.priority), 5))
    event.add("categories", [activity.kind])
    if activity.status == Status.OPEN:
        for reminder in activity.reminders.all():
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", activity.title)
            alarm.add("trigger", -dt.timedelta(minutes=reminder.minutes_before))
            event.add_component(alarm)
    return event


def feed(user: User, activities: Iterable[Activity]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Peyvand//CRM//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Peyvand: %(name)s") % {"name": user})
    calendar.add("refresh-interval", dt.timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")
    for activity in activities:
        calendar.add_component(_event(activity))
    return calendar.to_ical()
