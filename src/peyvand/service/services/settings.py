"""The desk's settings, for administrators: ticket categories, business calendars (the
working week, holidays, a time zone) and SLA policies."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, Team, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text, to_ascii_digits
from peyvand.customers.models import Tag

from ..models import BusinessCalendar, CalendarDay, Category, Kind, Priority, SlaPolicy

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$")
MAX_MINUTES = 365 * 24 * 60


def _name(value: str, limit: int = 100) -> str:
    name = clean_text(value)
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    if len(name) > limit:
        raise ValidationError(
            {
                "name": [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": limit, "count": len(name)}
                ]
            }
        )
    return name


def _taken(same_name: models.QuerySet[Any], current: models.Model | None) -> bool:
    """Whether another record than ``current`` has the name."""
    return same_name.exclude(pk__in=[current.pk] if current else []).exists()


# --- categories -------------------------------------------------------------------------------


@transaction.atomic
def category_save(
    *, actor: User, name: str, active: bool = True, category: Category | None = None
) -> Category:
    policy.require_admin(actor)
    name = _name(name)
    if _taken(Category.objects.filter(name=name), category):
        raise ValidationError({"name": [_("There is a category with this name already.")]})
    before = snapshot(category, ("name", "active")) if category else {}
    category = category or Category()
    category.name, category.active = name, active
    category.save()
    changes = changes_between(before, snapshot(category, ("name", "active")))
    if changes:
        kind = AuditEvent.Kind.UPDATE if before else AuditEvent.Kind.CREATE
        audit_log(actor=actor, kind=kind, obj=category, changes=changes)
    return category


# --- business calendars -----------------------------------------------------------------------


def parse_windows(text: str) -> list[list[int]]:
    """ "08:00-12:00, 13:00-17:00" (any digits) to [[480, 720], [780, 1020]]; "" is a day off."""
    windows: list[list[int]] = []
    for part in re.split(r"[,،;]", to_ascii_digits(text or "")):
        if not part.strip():
            continue
        match = _WINDOW.match(part)
        if match is None:
            raise ValueError(part)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if not (m1 < 60 and m2 < 60 and 0 <= start < end <= 24 * 60):
            raise ValueError(part)
        windows.append([start, end])
    windows.sort()
    if any(a[1] > b[0] for a, b in itertools.pairwise(windows)):
        raise ValueError(text)
    return windows


def windows_text(windows: list[list[int]]) -> str:
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in windows)


@dataclass(frozen=True, kw_only=True)
class CalendarInput:
    name: str
    time_zone: str = "Asia/Tehran"
    week: dict[int, str]  # weekday (Monday = 0) -> "08:00-16:00"
    official_holidays: bool = True


@transaction.atomic
def calendar_save(
    *, actor: User, data: CalendarInput, calendar: BusinessCalendar | None = None
) -> BusinessCalendar:
    policy.require_admin(actor)
    errors: dict[str, list[str]] = {}
    week: dict[str, list[list[int]]] = {}
    for day in range(7):
        try:
            week[str(day)] = parse_windows(data.week.get(day, ""))
        except ValueError:
            errors[f"day_{day}"] = [_("Write working hours as 08:00-16:00, several separated by commas.")]
    if data.time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = [_("Choose a valid time zone.")]
    try:
        name = _name(data.name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        name = ""
    if not errors and not any(week.values()):
        errors["day_5"] = [_("A calendar needs some working time in its week.")]
    if name and _taken(BusinessCalendar.objects.filter(name=name), calendar):
        errors["name"] = [_("There is a calendar with this name already.")]
    if errors:
        raise ValidationError(errors)
    fields = ("name", "time_zone", "week", "official_holidays")
    before = snapshot(calendar, fields) if calendar else {}
    calendar = calendar or BusinessCalendar()
    calendar.name, calendar.time_zone, calendar.week = name, data.time_zone, week
    calendar.official_holidays = data.official_holidays
    calendar.save()
    changes = changes_between(before, snapshot(calendar, fields))
    if changes:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE if before else AuditEvent.Kind.CREATE,
            obj=calendar,
            changes=changes,
        )
    return calendar


@transaction.atomic
def calendar_day_set(
    *, actor: User, calendar: BusinessCalendar, date: dt.date, holiday: bool, name: str = ""
) -> None:
    """Add a holiday, or work on an official one (``holiday`` False); the calendar's due times
    change from now on."""
    policy.require_admin(actor)
    CalendarDay.objects.update_or_create(
        calendar=calendar, date=date, defaults={"is_holiday": holiday, "name": clean_text(name)[:100]}
    )
    calendar.save(update_fields=["updated_at"])
    audit_log(
        actor=actor, kind=AuditEvent.Kind.UPDATE, obj=calendar, changes={"day": [None, f"{date} {holiday}"]}
    )


@transaction.atomic
def calendar_day_clear(*, actor: User, calendar: BusinessCalendar, date: dt.date) -> None:
    """Back to what the week and the official holidays say for ``date``."""
    policy.require_admin(actor)
    CalendarDay.objects.filter(calendar=calendar, date=date).delete()
    calendar.save(update_fields=["updated_at"])
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=calendar, changes={"day": [str(date), None]})


# --- SLA policies ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PolicyInput:
    name: str
    calendar: BusinessCalendar | None
    first_response_minutes: int
    resolution_minutes: int
    next_response_minutes: int | None = None
    warn_before_minutes: int = 30
    priority: int | None = None
    kind: str = ""
    team: Team | None = None
    tag: Tag | None = None  # a customer tier
    order: int = 0
    active: bool = True


@transaction.atomic
def policy_save(*, actor: User, data: PolicyInput, sla_policy: SlaPolicy | None = None) -> SlaPolicy:
    policy.require_admin(actor)
    errors: dict[str, list[str]] = {}
    try:
        name = _name(data.name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        name = ""
    if data.calendar is None:
        errors["calendar"] = [_("Choose a calendar.")]
    for field in (
        "first_response_minutes",
        "resolution_minutes",
        "next_response_minutes",
        "warn_before_minutes",
    ):
        value = getattr(data, field)
        if (
            value is not None
            and not 0 < value <= MAX_MINUTES
            and not (field == "warn_before_minutes" and value == 0)
        ):
            errors[field] = [_("Enter a number of minutes between 1 and a year's.")]
    if data.priority is not None and data.priority not in Priority.values:
        errors["priority"] = [_("Choose a valid priority.")]
    if data.kind and data.kind not in Kind.values:
        errors["kind"] = [_("Choose a valid type.")]
    if name and _taken(SlaPolicy.objects.filter(name=name), sla_policy):
        errors["name"] = [_("There is a policy with this name already.")]
    if errors:
        raise ValidationError(errors)
    fields = ("name", "calendar", "first_response_minutes", "next_response_minutes", "resolution_minutes",
              "warn_before_minutes", "priority", "kind", "team", "tag", "order", "active")  # fmt: skip
    before = snapshot(sla_policy, fields) if sla_policy else {}
    sla_policy = sla_policy or SlaPolicy()
    for field in fields:
        setattr(sla_policy, field, name if field == "name" else getattr(data, field))
    try:
        with transaction.atomic():
            sla_policy.save()
    except IntegrityError:
        raise ValidationError({"name": [_("There is a policy with this name already.")]}) from None
    changes = changes_between(before, snapshot(sla_policy, fields))
    if changes:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE if before else AuditEvent.Kind.CREATE,
            obj=sla_policy,
            changes=changes,
        )
    return sla_policy
