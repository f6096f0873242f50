"""What each kind of notification says, written when it is read, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peyvand.core import jalali
from peyvand.customers.normalize import show_contact_value

# Which preference decides whether a kind is also emailed (None: never by email).
REMINDERS, ALERTS, MESSAGES = "reminders", "alerts", "messages"


@dataclass(frozen=True)
class Kind:
    label: Any
    icon: str
    email: str | None
    text: Callable[[Mapping[str, Any]], str]


def _when(data: Mapping[str, Any]) -> str:
    moment = parse_datetime(str(data.get("when") or ""))
    return jalali.format_datetime(moment) if moment else ""


def _caller(data: Mapping[str, Any]) -> str:
    return str(
        data.get("party") or show_contact_value(str(data.get("number") or "")) or _("a withheld number")
    )


def _label(data: Mapping[str, Any]) -> str:
    label = str(data.get("label") or "")
    return _(label) if label else ""  # gettext("") would be the catalogue's header


def _lead(minutes: int) -> str:
    """How long before: "15 minutes", "2 hours", "1 day", in the reader's digits."""
    if minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": jalali.local_digits(days)}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": jalali.local_digits(hours)}
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {
        "count": jalali.local_digits(minutes)
    }


def _reminder_text(data: Mapping[str, Any]) -> str:
    """Worded by what the reminder is: ahead of the time, or at it."""
    before = data.get("before")
    if before is None:  # written before reminders said which they were
        return _fill(_("Reminder: %(title)s, %(time)s"), data, time=_when(data))
    if int(before) == 0:
        return _fill(_("Now: %(title)s (%(time)s)"), data, time=_when(data))
    return _fill(_("In %(lead)s: %(title)s (%(time)s)"), data, time=_when(data), lead=_lead(int(before)))


def _fill(template: str, data: Mapping[str, Any], **extra: Any) -> str:
    values = {key: jalali.local_digits(value) if key == "years" else value for key, value in data.items()}
    values.update(extra)
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return template


KINDS: dict[str, Kind] = {
    "reminder": Kind(gettext_lazy("Reminder"), "bi-alarm", REMINDERS, lambda d: _reminder_text(d)),
    "overdue": Kind(
        gettext_lazy("Overdue"),
        "bi-exclamation-triangle",
        ALERTS,
        lambda d: _fill(_("Overdue: %(title)s was due %(time)s"), d, time=_when(d)),
    ),
    "escalation": Kind(
        gettext_lazy("Escalation"),
        "bi-arrow-up-right-circle",
        ALERTS,
        lambda d: _fill(_("%(assignee)s has not done “%(title)s”, due %(time)s"), d, time=_when(d)),
    ),
    "assigned": Kind(
        gettext_lazy("Assigned to you"),
        "bi-person-check",
        ALERTS,
        lambda d: _fill(_("%(actor)s gave you “%(title)s”, due %(time)s"), d, time=_when(d)),
    ),
    "birthday": Kind(
        gettext_lazy("Birthday"),
        "bi-gift",
        REMINDERS,
        lambda d: _fill(_("Today is the birthday of %(party)s"), d),
    ),
    "anniversary": Kind(
        gettext_lazy("Anniversary"),
        "bi-calendar-heart",
        REMINDERS,
        # The label is an untranslated msgid (such as "Customer anniversary"), read in the
        # reader's language.
        lambda d: _fill(_("%(label)s of %(party)s: %(years)s years today"), d, label=_label(d)),
    ),
    "mention": Kind(
        gettext_lazy("Mention"),
        "bi-at",
        MESSAGES,
        lambda d: _fill(_("%(actor)s mentioned you on %(party)s: %(excerpt)s"), d),
    ),
    "message": Kind(
        gettext_lazy("Message"),
        "bi-chat-left-text",
        MESSAGES,
        lambda d: _fill(_("%(actor)s: %(excerpt)s"), d),
    ),
    "call": Kind(
        gettext_lazy("Incoming call"),
        "bi-telephone-inbound",
        None,
        lambda d: _fill(_("Incoming call from %(caller)s"), d, caller=_caller(d)),
    ),
    "missed_call": Kind(
        gettext_lazy("Missed call"),
        "bi-telephone-x",
        None,
        lambda d: _fill(_("Missed call from %(caller)s"), d, caller=_caller(d)),
    ),
    "email_in": Kind(
        gettext_lazy("Email received"),
        "bi-envelope",
        None,
        lambda d: _fill(_("Email from %(party)s: %(subject)s"), d),
    ),
    "sms_in": Kind(
        gettext_lazy("SMS received"),
        "bi-chat-text",
        None,
        lambda d: _fill(_("SMS from %(party)s: %(subject)s"), d),
    ),
}


def kind_of(name: str) -> Kind:
    return KINDS.get(name) or Kind(name, "bi-bell", None, lambda d: str(d.get("text") or name))


def register(name: str, kind: Kind) -> None:
    """Let a later app add its own kinds (a deal won, a ticket breaching its SLA)."""
    KINDS[name] = kind


def notification_text(notification: Any) -> str:
    """A notification as its reader reads it, in their language."""
    return kind_of(notification.kind).text(notification.data)
