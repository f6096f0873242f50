"""Every non-trivial read of the notifications app: a user reads only their own."""

from . import messages, notifications

__all__ = ["messages", "notifications"]
