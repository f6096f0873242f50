"""The portal app's models."""

from .accounts import Channel, Invitation, PortalAccount, SignInCode, SignInLog

__all__ = ["Channel", "Invitation", "PortalAccount", "SignInCode", "SignInLog"]
