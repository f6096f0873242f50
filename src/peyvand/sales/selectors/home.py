"""The sales cards of the home page: the open pipeline by stage, and this month's target
against what was won. Whose deals a card counts follows the reader's role: a salesperson's
own, a manager's team's, everything an administrator sees; always through the policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import charts, policy
from peyvand.core.models import Role, Scope, User

from .. import conf
from ..models import Deal, Outcome, Stage
from ..money import display_parts
from ..periods import month_label, month_start, next_month
from .forecast import visible_targets

ZERO = Decimal(0)
MINE, TEAM, EVERYONE = "mine", "team", "all"
_REACH: dict[str, str] = {Role.SALES: MINE, Role.MANAGER: TEAM, Role.ADMIN: EVERYONE}


def reach(user: User) -> str | None:
    """Whose pipeline the home page shows ``user``: none for roles that do not sell."""
    if policy.scope(user, "deal", "view") == Scope.NONE:
        return None
    return _REACH.get(user.role)


def _deals(user: User, whose: str) -> QuerySet[Deal]:
    deals = policy.visible(user, Deal.objects.all())
    if whose == MINE:
        return deals.filter(owner_id=user.pk)
    if whose == TEAM and user.team_id is not None:
        return deals.filter(owner_id__in=sorted(policy.team_member_ids(user)))
    return deals


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    label: str
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class PipelineCard:
    whose: str
    rows: list[StageRow]
    count: int
    amount: Decimal
    weighted: Decimal
    currency: str
    chart: charts.Chart


def pipeline_card(*, user: User) -> PipelineCard | None:
    """Open deals by stage (their number, value and weighted value in the base currency);
    two queries however many deals there are."""
    whose = reach(user)
    if whose is None:
        return None
    weighted = ExpressionWrapper(F("amount_base") * F("stage__probability"), output_field=DecimalField())
    sums = {
        row["stage_id"]: row
        for row in _deals(user, whose)
        .filter(status=Outcome.OPEN)
        .order_by()
        .values("stage_id")
        .annotate(count=Count("id"), amount=Sum("amount_base"), weighted=Sum(weighted))
    }
    stages = list(
        Stage.objects.filter(pk__in=list(sums))
        .select_related("pipeline")
        .order_by("pipeline__order", "pipeline__name", "order", "pk")
    )
    several = len({stage.pipeline_id for stage in stages}) > 1
    rows = [
        StageRow(
            stage=stage,
            label=f"{stage.pipeline.name} · {stage.name}" if several else stage.name,
            count=sums[stage.pk]["count"],
            amount=sums[stage.pk]["amount"] or ZERO,
            weighted=(sums[stage.pk]["weighted"] or ZERO) / 100,
        )
        for stage in stages
    ]
    currency = conf.base_currency()
    _shown, unit = display_parts(ZERO, currency)
    chart = charts.Chart(
        key="home-pipeline",
        title=_("Open deals by stage"),
        kind="bar",
        labels=tuple(row.label for row in rows),
        series=(
            charts.Series(
                _("Deal value"), tuple(_shown_value(row.amount, currency) for row in rows), "decimal", 0
            ),
            charts.Series(
                _("Weighted value"), tuple(_shown_value(row.weighted, currency) for row in rows), "decimal", 0
            ),
            charts.Series(_("Deals"), tuple(float(row.count) for row in rows), in_chart=False),
        ),
        label_heading=_("Stage"),
        unit=unit,
    )
    return PipelineCard(
        whose=whose,
        rows=rows,
        count=sum(row.count for row in rows),
        amount=sum((row.amount for row in rows), ZERO),
        weighted=sum((row.weighted for row in rows), ZERO),
        currency=currency,
        chart=chart,
    )


def _shown_value(amount: Decimal, currency: str) -> float:
    shown, _unit = display_parts(amount, currency)
    return float(shown or ZERO)


@dataclass(frozen=True)
class TargetCard:
    whose: str
    month: dt.date
    month_label: str
    target: Decimal
    won: Decimal
    currency: str
    chart: charts.Chart

    language: str

    @property
    def percent(self) -> int:
        return round(100 * self.won / self.target) if self.target else 0

    @property
    def percent_shown(self) -> str:
        """ "60%" in English, "۶۰٪" in Persian."""
        return charts.format_value(self.percent, "percent", self.language, decimals=0)


def target_card(*, user: User, today: dt.date | None = None, language: str = "fa") -> TargetCard | None:
    """This sales month's target (the salesperson's own, the manager's team's, the whole
    company's for an administrator) against the deals won in it; None without a target.
    Two queries."""
    whose = reach(user)
    if whose is None:
        return None
    first = month_start(today or timezone.localdate())
    end = next_month(first)
    targets = visible_targets(user).filter(month=first)
    if whose == MINE:
        targets = targets.filter(owner_id=user.pk)
    elif whose == TEAM and user.team_id is not None:
        targets = targets.filter(team_id=user.team_id, owner__isnull=True)
    else:
        targets = targets.filter(owner__isnull=True)
    target = targets.aggregate(total=Sum("amount"))["total"]
    if target is None:
        return None
    tz = timezone.get_current_timezone()
    won = (
        (
            _deals(user, whose)
            .filter(
                status=Outcome.WON,
                closed_at__gte=dt.datetime.combine(first, dt.time.min, tz),
                closed_at__lt=dt.datetime.combine(end, dt.time.min, tz),
            )
            .aggregate(total=Sum("amount_base"))["total"]
        )
        or ZERO
    )
    currency = conf.base_currency()
    _shown, unit = display_parts(ZERO, currency)
    label = month_label(first, language)
    chart = charts.Chart(
        key="home-target",
        title=_("Won against the target"),
        kind="bar",
        labels=(label,),
        series=(
            charts.Series(_("Target"), (_shown_value(target, currency),), "decimal", 0),
            charts.Series(_("Won this month"), (_shown_value(won, currency),), "decimal", 0),
        ),
        label_heading=_("Month"),
        unit=unit,
    )
    return TargetCard(whose, first, label, target, won, currency, chart, language)
