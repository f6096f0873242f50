"""The portal app's models."""

from .accounts import Channel, Invitation, PortalAccount, SignInCode, SignInLog
from .appointments import Appointment, AppointmentStatus, BookingTeam
from .changes import ChangeStatus, DetailChange

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "BookingTeam",
    "ChangeStatus",
    "Channel",
    "DetailChange",
    "Invitation",
    "PortalAccount",
    "SignInCode",
    "SignInLog",
]
