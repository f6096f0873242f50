"""What each kind of notification says, written when it is read, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


def _fill(template: str, data: Mapping[str, Any], **extra: Any) -> str:
    values = {key: jalali.local_digits(value) if key == "years" else value for key, value in data.items()}
    values.update(extra)
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return template


KINDS: dict[str, Kind] = {
    "reminder": Kind(
        gettext_lazy("Reminder"),
        "bi-alarm",
        REMINDERS,
        lambda d: _fill(_("Reminder: %(title)s, %(time)s"), d, time=_when(d)),
    ),
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
