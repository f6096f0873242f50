"""Every write of the service desk. Import the area's module: ``services.tickets.ticket_open``."""

from . import messages, settings, sla, tickets

__all__ = ["messages", "settings", "sla", "tickets"]
