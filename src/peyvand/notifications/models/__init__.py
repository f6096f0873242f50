from .messages import Conversation, Message
from .notifications import Notification, NotificationPreference

__all__ = ["Conversation", "Message", "Notification", "NotificationPreference"]
