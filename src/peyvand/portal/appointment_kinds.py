"""How appointments booked in the portal read in notifications and on the timeline."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import hooks, jalali
from peyvand.core.models import Role
from peyvand.notifications import kinds

MANAGERS = (Role.ADMIN, Role.MANAGER)


def _when(data: Any) -> str:
    moment = parse_datetime(str(data.get("when") or ""))
    return jalali.format_datetime(moment) if moment else ""


def _booked_text(data: Any) -> str:
    try:
        return _("%(party)s booked a meeting with you in the portal: %(title)s, %(time)s") % {
            "party": data["party"],
            "title": data["title"],
            "time": _when(data),
        }
    except (KeyError, TypeError, AttributeError):
        return str(gettext_lazy("Appointment booked in the portal"))


def _cancelled_text(data: Any) -> str:
    try:
        return _("%(party)s cancelled the meeting %(title)s of %(time)s in the portal") % {
            "party": data["party"],
            "title": data["title"],
            "time": _when(data),
        }
    except (KeyError, TypeError, AttributeError):
        return str(gettext_lazy("Appointment cancelled in the portal"))


def _manages_booking(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and getattr(user, "role", None) in MANAGERS


def register() -> None:
    kinds.register(
        "portal_appointment_booked",
        kinds.Kind(
            gettext_lazy("Appointment booked in the portal"), "bi-calendar-check", kinds.ALERTS, _booked_text
        ),
    )
    kinds.register(
        "portal_appointment_cancelled",
        kinds.Kind(
            gettext_lazy("Appointment cancelled in the portal"),
            "bi-calendar-x",
            kinds.ALERTS,
            _cancelled_text,
        ),
    )
    hooks.register_nav(
        hooks.NavItem(
            "portal-booking",
            gettext_lazy("Appointments in the portal"),
            "portal_staff:booking_list",
            "bi-calendar-plus",
            order=91,
            group="follow_up",
            visible=_manages_booking,
        )
    )
    hooks.register_change_label("portal_appointment_booked", gettext_lazy("Meeting booked in the portal"))
    hooks.register_change_label(
        "portal_appointment_cancelled", gettext_lazy("Meeting cancelled in the portal")
    )
