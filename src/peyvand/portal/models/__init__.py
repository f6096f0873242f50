"""The portal app's models."""

from .accounts import Channel, Invitation, PortalAccount, SignInCode, SignInLog
from .appointments import Appointment, AppointmentStatus, BookingTeam
from .changes import ChangeStatus, DetailChange
from .partners import (
    Partner,
    PartnerDeal,
    PartnerKind,
    PartnerTarget,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "BookingTeam",
    "ChangeStatus",
    "Channel",
    "DetailChange",
    "Invitation",
    "Partner",
    "PartnerDeal",
    "PartnerKind",
    "PartnerTarget",
    "PortalAccount",
    "Registration",
    "RegistrationKind",
    "RegistrationStatus",
    "SignInCode",
    "SignInLog",
]
