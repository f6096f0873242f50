"""Every write of the interactions app. Import the area's module:
``services.interactions.interaction_log``, ``services.outbox.message_queue``."""

from . import inbound, interactions, messaging, outbox, telephony, webhooks

__all__ = ["inbound", "interactions", "messaging", "outbox", "telephony", "webhooks"]
