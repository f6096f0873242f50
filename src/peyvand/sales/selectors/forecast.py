"""The forecast: open pipeline weighted by stage probability per month, won deals, targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from peyvand.core import policy
from peyvand.core.models import Role, Scope, Team, User

from ..models import Deal, Outcome, SalesTarget
from ..periods import month_start, months_from, next_month

ZERO = Decimal(0)


@dataclass
class Cell:
    pipeline: Decimal = ZERO
    weighted: Decimal = ZERO
    won: Decimal = ZERO
    target: Decimal | None = None

    @property
    def attainment(self) -> int | None:
        return round(100 * self.won / self.target) if self.target else None


@dataclass
class Forecast:
    months: list[dt.date]
    totals: dict[dt.date, Cell] = field(default_factory=dict)
    by_owner: dict[Any, dict[dt.date, Cell]] = field(default_factory=dict)
    owners: dict[int | None, Any] = field(default_factory=dict)
    # The same sums by the owner's team (None: deals of nobody, or of someone in no team),
    # with each team's own target.
    by_team: dict[int | None, dict[dt.date, Cell]] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)


def forecast(
    *,
    user: User,
    start: dt.date | None = None,
    months: int = 6,
    owner_id: int | None = None,
    team_id: int | None = None,
) -> Forecast:
    """Sums computed by the database per day and owner, folded into sales months here
    (a Jalali month is no SQL function; at most a few hundred rows come back)."""
    first = month_start(start or timezone.localdate())
    periods = months_from(first, months)
    end = next_month(periods[-1])
    result = Forecast(months=periods)
    for period in periods:
        result.totals[period] = Cell()
    deals = policy.visible(user, Deal.objects.all())
    if owner_id is not None:
        deals = deals.filter(owner_id=owner_id)
    if team_id is not None:
        deals = deals.filter(owner__team_id=team_id)
    weighted = ExpressionWrapper(F("amount_base") * F("stage__probability"), output_field=DecimalField())
    open_rows = (
        deals.filter(status=Outcome.OPEN, expected_close__gte=first, expected_close__lt=end)
        .order_by()
        .values("expected_close", "owner_id")
        .annotate(pipeline=Sum("amount_base"), weighted=Sum(weighted))
    )
    for row in open_rows:
        cell = _cell(result, month_start(row["expected_close"]), row["owner_id"])
        for target in (cell, result.totals[month_start(row["expected_close"])]):
            target.pipeline += row["pipeline"] or ZERO
            target.weighted += (row["weighted"] or ZERO) / 100
    tz = timezone.get_current_timezone()
    won_rows = (
        deals.filter(status=Outcome.WON, closed_at__gte=_aware(first, tz), closed_at__lt=_aware(end, tz))
        .annotate(day=TruncDate("closed_at", tzinfo=tz))
        .order_by()
        .values("day", "owner_id")
        .annotate(won=Sum("amount_base"))
    )
    for won in won_rows:
        period = month_start(won["day"])
        if period in result.totals:
            _cell(result, period, won["owner_id"]).won += won["won"] or ZERO
            result.totals[period].won += won["won"] or ZERO
    _targets(result, user, first, end, owner_id, team_id)
    result.owners = {
        u.pk: u for u in User.objects.filter(pk__in=[k for k in result.by_owner if k]).select_related("team")
    }
    _by_team(result, user, first, end, owner_id, team_id)
    return result


def _by_team(
    result: Forecast, user: User, first: dt.date, end: dt.date, owner_id: int | None, team_id: int | None
) -> None:
    """Fold the owners' rows into their teams' and put each team's own target on its row."""
    for owner_key, cells in result.by_owner.items():
        owner = result.owners.get(owner_key)
        key = owner.team_id if owner is not None else None
        row = result.by_team.setdefault(key, {p: Cell() for p in result.months})
        for period, cell in cells.items():
            row[period].pipeline += cell.pipeline
            row[period].weighted += cell.weighted
            row[period].won += cell.won
    if owner_id is None:  # a salesperson's forecast has no team target to show
        targets = visible_targets(user).filter(month__gte=first, month__lt=end, owner__isnull=True)
        if team_id is not None:
            targets = targets.filter(team_id=team_id)
        for target in targets.values("month", "team_id", "amount"):
            row = result.by_team.setdefault(target["team_id"], {p: Cell() for p in result.months})
            if target["month"] in row:
                row[target["month"]].target = target["amount"]
    ids = [key for key in result.by_team if key is not None]
    result.teams = Team.objects.in_bulk(ids) if ids else {}


def _aware(day: dt.date, tz: Any) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tz)


def _cell(result: Forecast, period: dt.date, owner_id: int | None) -> Cell:
    row = result.by_owner.setdefault(owner_id, {p: Cell() for p in result.months})
    return row[period]


def _targets(
    result: Forecast, user: User, first: dt.date, end: dt.date, owner_id: int | None, team_id: int | None
) -> None:
    targets = visible_targets(user).filter(month__gte=first, month__lt=end)
    if owner_id is not None:
        scope = Q(owner_id=owner_id)
    elif team_id is not None:
        scope = Q(team_id=team_id, owner__isnull=True)
    elif user.is_administrator:
        scope = Q(owner__isnull=True)
    else:
        scope = Q(team_id=user.team_id, owner__isnull=True)
    for row in targets.filter(scope).values("month").annotate(total=Sum("amount")):
        if row["month"] in result.totals:
            result.totals[row["month"]].target = row["total"]
    for target in targets.filter(owner__isnull=False).values("month", "owner_id", "amount"):
        if target["owner_id"] in result.by_owner and target["month"] in result.totals:
            result.by_owner[target["owner_id"]][target["month"]].target = target["amount"]


def _salespeople() -> QuerySet[User]:
    """Who carries a forecast: active salespeople and managers, by name."""
    return (
        User.objects.filter(is_active=True, role__in=(Role.SALES, Role.MANAGER))
        .select_related("team")
        .order_by("first_name", "username")
    )


def target_scopes(user: User) -> tuple[list[User], list[Team]]:
    """The people and teams ``user`` may set targets for."""
    people, teams = _salespeople(), Team.objects.order_by("name")
    if user.is_administrator:
        return list(people), list(teams)
    if user.role == Role.MANAGER and user.team_id is not None:
        return list(people.filter(team_id=user.team_id)), list(teams.filter(pk=user.team_id))
    return [], []


def visible_targets(user: User) -> QuerySet[SalesTarget]:
    """Targets ``user`` may read: all for an administrator, else their own team's and its
    people's (nobody's for someone who sees no deals)."""
    targets = SalesTarget.objects.all()
    if user.is_administrator:
        return targets
    if policy.scope(user, "deal", "view") == Scope.NONE:
        return targets.none()
    if user.team_id is None:
        return targets.filter(owner_id=user.pk)
    return targets.filter(Q(team_id=user.team_id, owner__isnull=True) | Q(owner__team_id=user.team_id))


def forecast_choices(user: User) -> tuple[list[Team], list[User]]:
    """The teams and salespeople ``user`` may narrow the forecast to: everyone for an
    administrator, their own team otherwise (the deals they see are their team's anyway)."""
    people, teams = _salespeople(), Team.objects.order_by("name")
    if user.is_administrator:
        return list(teams), list(people)
    if user.team_id is None:
        return [], [user]
    return list(teams.filter(pk=user.team_id)), list(people.filter(team_id=user.team_id))


def team_rows(result: Forecast) -> list[tuple[Team | None, dict[dt.date, Cell]]]:
    return sorted(
        ((result.teams.get(k) if k is not None else None, cells) for k, cells in result.by_team.items()),
        key=lambda item: (item[0] is None, str(item[0] or "")),
    )


def owner_rows(result: Forecast) -> list[tuple[Any, dict[dt.date, Cell]]]:
    return sorted(
        ((result.owners.get(k), cells) for k, cells in result.by_owner.items()),
        key=lambda item: str(item[0] or ""),
    )
