"""Every write of the service desk. Import the area's module: ``services.tickets.ticket_open``."""

from . import canned, knowledge, merge, messages, routing, settings, sla, tickets, webforms

__all__ = ["canned", "knowledge", "merge", "messages", "routing", "settings", "sla", "tickets", "webforms"]
