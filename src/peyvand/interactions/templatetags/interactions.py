from django import template

from ..models import Channel, OutboundMessage

register = template.Library()

CHANNEL_ICONS = {
    "phone": "bi-telephone",
    "email": "bi-envelope",
    "sms": "bi-chat-text",
    "website": "bi-globe",
    "chat": "bi-chat-dots",
    "in_person": "bi-people",
    "store": "bi-shop",
    "mail": "bi-mailbox",
    "fax": "bi-printer",
    "distributor": "bi-truck",
    "partner": "bi-diagram-2",
}


@register.filter
def channel_icon(channel: str) -> str:
    return CHANNEL_ICONS.get(channel, "bi-chat")


@register.simple_tag
def channel_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Channel.choices]


DELIVERY_BADGES = {
    "queued": "text-bg-secondary",
    "sending": "text-bg-info",
    "sent": "text-bg-success",
    "failed": "text-bg-danger",
    "cancelled": "text-bg-light",
}


@register.filter
def delivery_badge(status: str) -> str:
    return DELIVERY_BADGES.get(status, "text-bg-light")


@register.filter
def delivery_label(status: str) -> str:
    """An outbox status as the user reads it, for records that mirror one (a quote's)."""

    return str(dict(OutboundMessage.Status.choices).get(status, status))


@register.filter
def duration(seconds: int | None) -> str:
    """A call's length as m:ss (or h:mm:ss)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
