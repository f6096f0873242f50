"""Every non-trivial read of the service desk, through the permission policy."""

from . import canned, knowledge, routing, sla, tickets, webforms

__all__ = ["canned", "knowledge", "routing", "sla", "tickets", "webforms"]
