"""How tickets read on the pages: status and priority badges, due times that say how soon."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peyvand.core import jalali

from .. import richtext
from ..models import Priority, Status

register = template.Library()

_PRIORITY_CLASS: dict[int, str] = {
    Priority.LOW: "text-bg-light",
    Priority.NORMAL: "text-bg-secondary",
    Priority.HIGH: "text-bg-warning",
    Priority.URGENT: "text-bg-danger",
}
# What the buttons at the top of a ticket offer, from each status.
_NEXT = {
    Status.NEW: (Status.RESOLVED,),
    Status.OPEN: (Status.RESOLVED,),
    Status.WAITING_CUSTOMER: (Status.OPEN, Status.RESOLVED),
    Status.WAITING_THIRD_PARTY: (Status.OPEN, Status.RESOLVED),
    Status.RESOLVED: (Status.CLOSED, Status.OPEN),
    Status.CLOSED: (Status.OPEN,),
}


@register.simple_tag
def ticket_status(ticket: Any) -> str:
    return render_to_string(
        "service/_status.html", {"status": ticket.status, "label": ticket.get_status_display()}
    )


@register.simple_tag
def priority_badge(priority: int) -> str:
    label = Priority(priority).label if priority in Priority.values else ""
    return format_html(
        '<span class="badge {}">{}</span>', _PRIORITY_CLASS.get(priority, "text-bg-light"), label
    )


@register.filter
def next_statuses(ticket: Any) -> list[tuple[str, str]]:
    labels = {Status.OPEN: _("Reopen"), Status.RESOLVED: _("Resolve"), Status.CLOSED: _("Close")}
    return [(status.value, labels[status]) for status in _NEXT.get(Status(ticket.status), ())]


@register.simple_tag
def due_at(moment: dt.datetime | None) -> str:
    """A due time, red once passed."""
    if moment is None:
        return "—"
    late = moment <= timezone.now()
    return format_html(
        '<time datetime="{}" class="{}">{}</time>',
        moment.isoformat(),
        "text-danger fw-medium" if late else "",
        jalali.format_datetime(moment),
    )


@register.simple_tag
def due(ticket: Any) -> str:
    """The list's due column: the nearest running target."""
    if not ticket.is_open:
        return "—"
    candidates = [
        m
        for m in (
            ticket.first_response_due if ticket.first_responded_at is None else None,
            ticket.next_response_due,
            ticket.resolution_due if ticket.sla_running_since else None,
        )
        if m is not None
    ]
    return due_at(min(candidates)) if candidates else "—"


@register.filter
def minutes(value: int | None) -> str:
    """Business minutes as people say them, "4 hours 30 minutes": no day, whose length is
    the calendar's to say."""
    if not value:
        return "—"
    hours, rest = divmod(int(value), 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if rest:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest})
    return jalali.local_digits(" ".join(parts))


@register.filter
def rich_text(fragment: str | None) -> str:
    """An article's body: stored sanitised, and sanitised again as it is shown, so a row
    written around the service (an old version, a restore) can never carry a script."""
    return mark_safe(richtext.sanitize(fragment or ""))  # noqa: S308 - nh3 has just cleaned it


_WORK_CLASS = {
    "unscheduled": "text-bg-warning",
    "scheduled": "text-bg-info",
    "in_progress": "text-bg-primary",
    "done": "text-bg-success",
    "cancelled": "text-bg-secondary",
}


@register.simple_tag
def work_status(work: Any) -> str:
    return format_html(
        '<span class="badge {}" data-testid="work-status">{}</span>',
        _WORK_CLASS.get(work.status, "text-bg-light"),
        work.get_status_display(),
    )
