"""Every non-trivial read of the interactions app, through the permission policy."""

from . import interactions, messaging, telephony, timeline, webhooks

__all__ = ["interactions", "messaging", "telephony", "timeline", "webhooks"]
