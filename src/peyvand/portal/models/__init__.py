"""The portal app's models."""

from .accounts import Channel, Invitation, PortalAccount, SignInCode, SignInLog
from .changes import ChangeStatus, DetailChange

__all__ = [
    "ChangeStatus",
    "Channel",
    "DetailChange",
    "Invitation",
    "PortalAccount",
    "SignInCode",
    "SignInLog",
]
