"""How an installation shows money and counts its months: Rial or Toman, and the Jalali or
Gregorian fiscal calendar of forecasts and targets, chosen by an administrator at set-up."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import User
from peyvand.core.services.site import site_settings_save

FISCAL_CALENDARS = ("jalali", "gregorian")


@dataclass(frozen=True)
class DisplayInput:
    show_toman: bool
    fiscal_calendar: str


def sales_display_save(*, actor: User, data: DisplayInput) -> None:
    policy.require_admin(actor)
    if data.fiscal_calendar not in FISCAL_CALENDARS:
        raise ValidationError({"fiscal_calendar": _("Choose the Jalali or the Gregorian calendar.")})
    site_settings_save(
        actor=actor,
        values={"show_toman": "1" if data.show_toman else "0", "fiscal_calendar": data.fiscal_calendar},
    )
