"""How the desk's messages to customers look: their subject carries the ticket's number,
and answers go to the desk's inbox."""

from __future__ import annotations

from django.conf import settings

from ..models import Ticket


def subject_of(ticket: Ticket) -> str:
    """The subject of our emails about ``ticket``: its number in brackets threads replies."""
    return f"[#{ticket.number}] {ticket.subject}"[:200]


def support_inbox() -> str:
    """Where customers' answers go: the address the inbox reads."""
    return settings.PEYVAND_SUPPORT_EMAIL or settings.DEFAULT_FROM_EMAIL
