"""The desk's settings as its pages show them: calendars, their holidays, policies."""

from __future__ import annotations

from django.db.models import QuerySet

from .. import calendar as engine
from ..models import BusinessCalendar, Category, SlaPolicy
from ..services.sla import business_calendar


def calendars() -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.order_by("-is_default", "name")


def policies() -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.select_related("calendar", "team").order_by("order", "id")


def all_categories() -> QuerySet[Category]:
    return Category.objects.order_by("order", "name")


def calendar_holidays(calendar: BusinessCalendar, year: int, language: str) -> list[engine.Holiday]:
    """A year's holidays of ``calendar``, named in ``language``: official, added or removed."""
    return engine.holidays_of_year(business_calendar(calendar), year, language)
