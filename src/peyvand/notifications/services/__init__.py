"""Every write of the notifications app: notifications, email preferences, the messenger and
@mentions. Import the area's module: ``services.notifications.notify``."""

from . import mentions, messages, notifications, preferences

__all__ = ["mentions", "messages", "notifications", "preferences"]
