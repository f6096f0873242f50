"""Overdue alerts to the assignee, escalation to the team's manager, and the occasions
(birthdays, anniversaries) owners are reminded of.

Each alert is claimed like a reminder: a conditional UPDATE of the activity's
``overdue_alerted_at`` or ``escalated_at`` in the transaction that writes the
notification, so it is raised once however often or wherever the job runs. Moving the
activity to a new time clears both, and they are raised again if it is ignored again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import jdatetime
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from peyvand.core import jalali
from peyvand.core.models import User
from peyvand.core.selectors.users import managers_of
from peyvand.customers.models import Party
from peyvand.notifications.services.notifications import notify

from ..models import OPEN_Q, Activity, TeamSettings

BATCH = 500
# An activity is overdue once it has been left undone a while past its time: the reminder at
# its time has just gone off, and a second notice a minute later would only repeat it.
OVERDUE_GRACE = dt.timedelta(minutes=15)


def _data(activity: Activity) -> dict[str, object]:
    return {
        "title": activity.title,
        "when": activity.due_at.isoformat(),
        "party": activity.party.display_name if activity.party else "",
        "assignee": str(activity.assignee),
        "activity": activity.pk,
    }


def overdue_alerts_raise(*, now: dt.datetime | None = None) -> int:
    """Tell each assignee, once, about their open activities left undone past their time
    (by ``OVERDUE_GRACE``)."""

    now = now or timezone.now()
    passed = now - OVERDUE_GRACE
    due = Activity.objects.filter(OPEN_Q, due_at__lt=passed, overdue_alerted_at__isnull=True)
    raised = 0
    for pk in list(due.order_by("due_at", "id").values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            claimed = Activity.objects.filter(
                OPEN_Q, pk=pk, due_at__lt=passed, overdue_alerted_at__isnull=True
            ).update(overdue_alerted_at=now)
            if not claimed:
                continue
            activity = Activity.objects.select_related("assignee", "party").get(pk=pk)
            notify(
                recipient=activity.assignee,
                kind="overdue",
                key=f"overdue:{pk}:{activity.due_at.isoformat()}",
                party_id=activity.party_id,
                url=reverse("activity_detail", args=[pk]),
                data=_data(activity),
                now=now,
            )
            raised += 1
    return raised


@dataclass
class _Rule:
    who: Q  # whose activities (by assignee)
    delay: dt.timedelta
    escalate_to: User | None


def _rules() -> list[_Rule]:
    """One rule per team with its own settings, and the installation's default for the rest."""
    rules = []
    configured = []
    for row in TeamSettings.objects.select_related("escalate_to"):
        configured.append(row.team_id)
        if row.escalate:
            rules.append(
                _Rule(
                    Q(assignee__team_id=row.team_id),
                    dt.timedelta(minutes=row.escalation_delay_minutes),
                    row.escalate_to,
                )
            )
    default = dt.timedelta(minutes=settings.PEYVAND_ESCALATION_DELAY_MINUTES)
    rules.append(_Rule(Q(assignee__team__isnull=True) | ~Q(assignee__team_id__in=configured), default, None))
    return rules


def escalation_recipients(activity: Activity, rule_target: User | None) -> list[User]:
    """The rule's person, else the team's managers, else the administrators."""
    if rule_target is not None and rule_target.is_active and rule_target.pk != activity.assignee_id:
        return [rule_target]
    return managers_of(activity.assignee.team_id, exclude=activity.assignee_id)


def escalations_raise(*, now: dt.datetime | None = None) -> int:
    """Tell the manager, once, about activities ignored longer than their team allows."""

    now = now or timezone.now()
    raised = 0
    for rule in _rules():
        late = Activity.objects.filter(
            OPEN_Q, rule.who, due_at__lt=now - rule.delay, escalated_at__isnull=True
        )
        for pk in list(late.order_by("due_at", "id").values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                claimed = Activity.objects.filter(
                    OPEN_Q, pk=pk, due_at__lt=now - rule.delay, escalated_at__isnull=True
                ).update(escalated_at=now)
                if not claimed:
                    continue
                activity = Activity.objects.select_related("assignee", "party").get(pk=pk)
                for manager in escalation_recipients(activity, rule.escalate_to):
                    notify(
                        recipient=manager,
                        kind="escalation",
                        key=f"escalation:{pk}:{activity.due_at.isoformat()}",
                        party_id=activity.party_id,
                        url=reverse("activity_detail", args=[pk]),
                        data=_data(activity),
                        now=now,
                    )
                raised += 1
    return raised


# --- birthdays and anniversaries ----------------------------------------------------------
#
# An anniversary falls on the same day of the same month in the calendar its owner reads:
# 19 Esfand every year for a Persian user (whatever Gregorian day that is), 10 March for an
# English one. Each day the job asks every source twice, once per calendar, and keeps each
# occasion for the owners who read that calendar.

JALALI, GREGORIAN = "jalali", "gregorian"
FIRST_JALALI_YEAR = 1280  # 1901: further back than any date of birth or contract kept here


@dataclass(frozen=True)
class Occasion:
    kind: str  # "birthday" or "anniversary"
    key: str  # unique for this occasion (in any year), e.g. "birthday:42"
    party_id: int
    party_name: str
    owner_id: int
    label: str = ""  # what is celebrated, e.g. "Contract"
    years: int | None = None


@dataclass(frozen=True)
class OccasionDay:
    """Today, in one calendar: which stored dates have their anniversary today in it."""

    today: dt.date  # Gregorian
    calendar: str  # JALALI or GREGORIAN

    @property
    def year(self) -> int:
        return (
            jdatetime.date.fromgregorian(date=self.today).year if self.calendar == JALALI else self.today.year
        )

    def jalali_dates(self) -> list[dt.date]:
        """Every earlier Gregorian date that falls on today's Jalali month and day; on 29
        Esfand of a common year, 30 Esfand of the leap years too."""
        now = jdatetime.date.fromgregorian(date=self.today)
        wanted = [(now.month, now.day)]
        if (now.month, now.day) == (12, 29) and not now.isleap():
            wanted.append((12, 30))  # 30 Esfand, remembered on 29 Esfand in a common year
        found = []
        for year in range(FIRST_JALALI_YEAR, now.year):
            for month, day in wanted:
                try:
                    found.append(jdatetime.date(year, month, day).togregorian())
                except ValueError:
                    continue  # no 30 Esfand that year
        return found

    def matches(self, field: str, *, moment: bool = False) -> Q:
        """The filter for a date field, or a date-time one (``moment``: by its local day)."""
        if self.calendar == JALALI:
            return Q(**{f"{field}__date__in" if moment else f"{field}__in": self.jalali_dates()})
        match = Q(**{f"{field}__month": self.today.month, f"{field}__day": self.today.day})
        if (self.today.month, self.today.day) == (2, 28) and not _leap(self.today.year):
            match |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
        return match & Q(**{f"{field}__year__lt": self.today.year})

    def years_since(self, day: dt.date) -> int:
        if self.calendar == JALALI:
            return self.year - jdatetime.date.fromgregorian(date=day).year
        return self.year - day.year


OccasionSource = Callable[[OccasionDay], Iterable[Occasion]]
_SOURCES: list[OccasionSource] = []


def register_occasion_source(source: OccasionSource) -> None:
    """Let another app add dated occasions, e.g. sales' contract anniversaries:
    ``source(day)`` yields the occasions whose anniversary ``day`` is (see ``OccasionDay``)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def birthdays(day: OccasionDay) -> Iterable[Occasion]:
    people = Party.objects.filter(day.matches("date_of_birth"), owner__is_active=True)
    rows = people.values_list("pk", "display_name", "owner_id", "date_of_birth")
    for pk, name, owner_id, born in rows.iterator(chunk_size=2000):
        if born is None:
            continue
        yield Occasion("birthday", f"birthday:{pk}", pk, name, owner_id, years=day.years_since(born))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


register_occasion_source(birthdays)


def _calendar_of(user: User) -> str:
    return JALALI if jalali.uses_jalali(user.language or settings.LANGUAGE_CODE) else GREGORIAN


def occasions_remind(*, day: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Remind owners of today's birthdays and anniversaries, once per occasion per year, on
    the day of the calendar each owner reads."""

    day = day or timezone.localdate()
    sent = 0
    for calendar in (JALALI, GREGORIAN):
        today = OccasionDay(day, calendar)
        occasions = [o for source in _SOURCES for o in source(today)]
        owners = User.objects.in_bulk({o.owner_id for o in occasions})
        for occasion in occasions:
            owner = owners.get(occasion.owner_id)
            if owner is None or _calendar_of(owner) != calendar:
                continue
            with transaction.atomic():
                sent += (
                    notify(
                        recipient=owner,
                        kind=occasion.kind,
                        key=f"{occasion.key}:{today.year}",
                        party_id=occasion.party_id,
                        url=reverse("party_detail", args=[occasion.party_id]),
                        data={"party": occasion.party_name, "label": occasion.label, "years": occasion.years},
                        now=now,
                    )
                    is not None
                )
    return sent
