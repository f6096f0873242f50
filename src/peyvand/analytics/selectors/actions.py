"""The next best action for a customer: what to do next, and why, from what the analysis
worked out (lifetime value, churn risk, lifecycle stage) and the cross-sell the sales app
counts. The rules, in the order they are ranked:

1. **Keep them**: a valuable customer (lifetime value at least the run's valuable line, the
   75th percentile) at risk of leaving (churn risk 50% or more, or slipping away): call them
   with a retention offer. Ranked by the value at stake, risk × lifetime value.
2. **Win them back**: a lapsed customer who bought more than once.
3. **Offer a product**: an established or developing customer, with the product that buyers
   of the same products bought most.
4. **Remind them by a campaign**: a customer slipping away who is not valuable enough for a
   call.
5. **Follow up the first purchase**: a newly acquired customer.
6. **Make a first sale**: a customer who has not bought yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.charts import format_value
from peyvand.core.models import User
from peyvand.customers.models import CustomerInsight, LifecycleStage
from peyvand.sales import conf as sales_conf
from peyvand.sales.money import format_money
from peyvand.sales.selectors.billing import Suggestion

from ..churn import reason_label
from ..models import Run, RunStatus

AT_RISK = 0.5
SHOWN = 3


@dataclass(frozen=True)
class Action:
    kind: str  # keep, win_back, cross_sell, campaign, follow_up, first_sale
    title: str
    why: str
    rank: int


def valuable_line() -> Decimal | None:
    """The lifetime value from which a customer counts as valuable (the last run's)."""
    run = Run.objects.filter(status=RunStatus.DONE).order_by("-id").values_list("valuable_clv", flat=True)
    found = run.first()
    return Decimal(str(found)) if found is not None else None


def next_best_actions(
    *, insight: CustomerInsight | None, suggestions: list[Suggestion], valuable: Decimal | None
) -> list[Action]:
    """Up to three actions for one customer, best first."""
    if insight is None:
        return []
    found: list[Action] = []
    stage = insight.lifecycle_stage
    risky = (insight.churn_risk or 0) >= AT_RISK or stage == LifecycleStage.SLIPPING
    worth = insight.predicted_clv is not None and valuable is not None and insight.predicted_clv >= valuable
    if risky and worth:
        found.append(Action("keep", _("Call them with a retention offer"), _keep_why(insight), 1))
    if stage == LifecycleStage.LAPSED and insight.purchases > 1:
        found.append(
            Action(
                "win_back",
                _("Win them back"),
                _("They bought %(count)s times and have stopped.")
                % {"count": format_value(insight.purchases, "count")},
                2,
            )
        )
    if stage in (LifecycleStage.ESTABLISHED, LifecycleStage.DEVELOPING) and suggestions:
        best = suggestions[0]
        found.append(
            Action(
                "cross_sell",
                _("Offer %(product)s") % {"product": best.product.name},
                _("%(share)s of the customers who bought what they bought also bought it.")
                % {"share": format_value(best.share, "percent", decimals=0)},
                3,
            )
        )
    if risky and not worth:
        found.append(
            Action(
                "campaign",
                _("Remind them by a campaign"),
                _("They may be leaving, but are not worth a call: an email or SMS costs less."),
                4,
            )
        )
    if stage == LifecycleStage.NEW:
        found.append(
            Action(
                "follow_up",
                _("Follow up their first purchase"),
                _("A second purchase soon after the first makes a lasting customer more likely."),
                5,
            )
        )
    if stage == LifecycleStage.PROSPECT:
        found.append(Action("first_sale", _("Make a first sale"), _("They have not bought yet."), 6))
    return sorted(found, key=lambda action: action.rank)[:SHOWN]


def _keep_why(insight: CustomerInsight) -> str:
    base = sales_conf.base_currency()
    why = _("Worth %(value)s and %(risk)s likely to stop buying.") % {
        "value": format_money(insight.predicted_clv or Decimal(0), base),
        "risk": format_value((insight.churn_risk or 0) * 100, "percent", decimals=0),
    }
    if insight.churn_reasons:
        why += " " + _("Why: %(reasons)s.") % {
            "reasons": _("; ").join(reason_label(r) for r in insight.churn_reasons)
        }
    return why


# How many customers ``customers_to_keep`` reads at a time, by lifetime value.
KEEP_CHUNK = 500


def customers_to_keep(*, user: User, limit: int = 10) -> list[Any]:
    """The valuable customers most at risk, by the value at stake (risk × lifetime value).

    Sorting a million customers by that product costs seconds; instead they are read by
    lifetime value (its index), and the reading stops once nobody further can enter: risk is
    at most 1, so a customer valued below the last of the best cannot have more at stake.
    """
    visible = policy.visible(
        user,
        CustomerInsight.objects.filter(
            churn_risk__gte=AT_RISK, predicted_clv__isnull=False, party__deleted_at__isnull=True
        ),
    )
    by_value = visible.select_related("party").order_by("-predicted_clv", "party_id")
    best: list[Any] = []
    start = 0
    while True:
        chunk: list[Any] = list(by_value[start : start + KEEP_CHUNK])
        for insight in chunk:  # both known: the query asks for them
            insight.at_stake = float(insight.predicted_clv) * insight.churn_risk
        best = sorted([*best, *chunk], key=lambda i: (-i.at_stake, i.party_id))[:limit]
        if len(chunk) < KEEP_CHUNK or (
            len(best) == limit and float(chunk[-1].predicted_clv) < best[-1].at_stake
        ):
            return best
        start += KEEP_CHUNK
