"""The analyses, written once as Ibis expressions over the snapshot's tables.

Nothing here is particular to DuckDB: the same functions build the same queries on
PostgreSQL or Spark (Ibis compiles them for each). Dates arrive as day numbers (integers,
see ``engine.snapshot``), months through the ``calendar`` table, ranks and shares through
standard window functions (``rank``, ``count() over ()``, ``lead``), so each expression is
plain SQL on every engine. Each function takes and returns Ibis tables; the caller runs them.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
from ibis import _
from ibis.expr.types import BooleanValue, NumericValue, Table

from peyvand.customers.models import LifecycleStage, RfmCell

from . import rfm

CANCELLED = "cancelled"


def alive_customers(customers: Table) -> Table:
    """Customers not deleted and not merged into another: the ones analysed."""
    return customers.filter(~customers.deleted, ~customers.merged).select("id", "owner_id")


def purchases(orders: Table, rates: Table, *, base_currency: str) -> Table:
    """Orders that count as purchases (not deleted, not cancelled), valued net of discounts
    and before tax in the base currency at the rate in force on the order's day. An order in
    a currency without a rate that day cannot be valued and is left out."""
    live = orders.filter(~orders.deleted, orders.status != CANCELLED)
    periods = rates.mutate(until=rates.day.lead().over(group_by=rates.currency, order_by=rates.day))
    periods = periods.select(
        rate_currency=periods.currency, rate_from=periods.day, rate_until=periods.until, rate=periods.rate
    )
    joined = live.left_join(
        periods,
        [
            live.currency == periods.rate_currency,
            live.day >= periods.rate_from,
            periods.rate_until.isnull() | (live.day < periods.rate_until),
        ],
    )
    rate = ibis.cases((joined.currency == base_currency, ibis.literal(1.0)), else_=joined.rate)
    valued = joined.select(
        order_id=joined.id,
        party_id=joined.party_id,
        day=joined.day,
        amount=(joined.subtotal - joined.discount) * rate,
        gross=joined.subtotal * rate,
        discount=joined.discount * rate,
    )
    return valued.filter(valued.amount.notnull())


def purchase_days(bought: Table) -> Table:
    """One row per customer and day they bought: purchases on one day count as one."""
    return bought.group_by(["party_id", "day"]).aggregate(
        amount=bought.amount.sum(), orders=bought.order_id.count()
    )


def history(days: Table, *, until: int) -> Table:
    """Each customer's purchase history up to day ``until`` (included), as BG/NBD and
    Gamma-Gamma read it, in days: ``x`` repeat purchase days, ``t_x`` from the first to the
    last, ``T`` from the first to ``until``, ``m`` the average value of the repeat purchases
    (the first is left out: it says little about what a customer will spend again)."""
    seen = days.filter(days.day <= until)
    seen = seen.mutate(first=seen.day.min().over(group_by=seen.party_id))
    per = seen.group_by("party_id").aggregate(
        first=seen.first.min(),
        last=seen.day.max(),
        purchases=seen.day.count(),
        amount=seen.amount.sum(),
        repeat_amount=(seen.day == seen.first).ifelse(0.0, seen.amount).sum(),
    )
    x = per.purchases - 1
    return per.select(
        "party_id",
        "first",
        "last",
        "purchases",
        "amount",
        x=x,
        t_x=per.last - per.first,
        T=until - per.first,
        m=(x > 0).ifelse(per.repeat_amount / x.cast("float64"), 0.0),
    )


def fitting_groups(summary: Table) -> Table:
    """Identical (x, t_x, T) counted once with their number: what BG/NBD is fitted on."""
    return summary.group_by(["x", "t_x", "T"]).aggregate(customers=summary.party_id.count())


def purchases_between(days: Table, *, after: int, until: int) -> Table:
    """Purchase days of each customer in (after, until]: the holdout period's actual purchases."""
    inside = days.filter(days.day > after, days.day <= until)
    return inside.group_by("party_id").aggregate(actual=inside.day.count())


def _quintile(rank: NumericValue, scored: NumericValue) -> NumericValue:
    """1 + ⌊5 × rank / n⌋ (``rfm.score``)."""
    return ((rank * 5).cast("float64") / scored.cast("float64")).floor().cast("int16") + 1


def rfm_scores(days: Table, *, start: int, end: int) -> Table:
    """Recency, frequency and monetary scores (1–5) of the customers who bought in the window
    (start, end], and their cell (``rfm.GRID``)."""
    window = days.filter(days.day > start, days.day <= end)
    per = window.group_by("party_id").aggregate(
        last=window.day.max(), frequency=window.day.count(), monetary=window.amount.sum()
    )
    per = per.mutate(recency=end - per.last, scored=per.party_id.count().over())
    scores = per.mutate(
        r_score=_quintile(ibis.rank().over(order_by=ibis.desc(per.recency)), per.scored),
        f_score=_quintile(ibis.rank().over(order_by=per.frequency), per.scored),
        m_score=_quintile(ibis.rank().over(order_by=per.monetary), per.scored),
    )
    return scores.select(
        "party_id",
        "recency",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        cell=_cell(scores.r_score, scores.f_score),
    )


def _cell(recency: NumericValue, frequency: NumericValue) -> ibis.Value:
    branches: list[tuple[BooleanValue, str]] = []
    for r_score, row in rfm.GRID.items():
        for f_score, cell in enumerate(row, start=1):
            branches.append(((recency == r_score) & (frequency == f_score), str(cell)))
    return ibis.cases(*branches, else_="")


def customer_rows(customers: Table, days: Table, *, start: int, end: int) -> Table:
    """One row per customer analysed: their owner, their history to ``end`` and, if they
    bought in the window, their RFM scores; a customer who bought only before the window is
    lost, one who never bought has no cell."""
    people = alive_customers(customers)
    past = history(days, until=end)
    scored = rfm_scores(days, start=start, end=end)
    joined = people.left_join(past, people.id == past.party_id).left_join(
        scored, people.id == scored.party_id
    )
    lost = joined.purchases.notnull() & joined.cell.isnull()
    return joined.select(
        party_id=joined.id,
        owner_id=joined.owner_id,
        purchases=joined.purchases.fill_null(0),
        first=joined.first,
        last=joined.last,
        x=joined.x,
        t_x=joined.t_x,
        T=joined.T,
        m=joined.m,
        recency=(end - joined.last),
        frequency=joined.frequency,
        monetary=joined.monetary,
        r_score=joined.r_score,
        f_score=joined.f_score,
        m_score=joined.m_score,
        cell=lost.ifelse(str(rfm.RfmCell.LOST), joined.cell.fill_null("")),
    )


# --- churn ------------------------------------------------------------------------------------

YEAR = 365
RECENT = 90
# Days of silence counted for a customer never contacted (and the most counted for anyone).
SILENCE_CAP = 730


def churn_features(days: Table, interactions: Table, payments: Table, *, cutoff: int) -> Table:
    """The features ``churn.FEATURES`` of every customer active at day ``cutoff`` (bought in
    the year up to it), from what was known on that day."""
    before = days.filter(days.day <= cutoff)
    in_year = before.day > cutoff - YEAR
    per = before.group_by("party_id").aggregate(
        first=before.day.min(),
        last=before.day.max(),
        frequency=in_year.ifelse(1, 0).sum(),
        monetary=in_year.ifelse(before.amount, 0.0).sum(),
        recent_purchases=(before.day > cutoff - RECENT).ifelse(1, 0).sum(),
    )
    active = per.filter(per.last > cutoff - YEAR)
    seen = interactions.filter(~interactions.deleted, interactions.day <= cutoff)
    recent = seen.day > cutoff - RECENT
    touches = seen.group_by("party_id").aggregate(
        last_contact=seen.day.max(),
        contacts=recent.ifelse(1, 0).sum(),
        inbound=(recent & (seen.direction == "inbound")).ifelse(1, 0).sum(),
    )
    paid = payments.filter(~payments.deleted, payments.day <= cutoff, payments.day > cutoff - YEAR)
    paying = paid.group_by("party_id").aggregate(payments=paid.id.count())
    joined = active.left_join(touches, active.party_id == touches.party_id).left_join(
        paying, active.party_id == paying.party_id
    )
    silence = (cutoff - joined.last_contact).fill_null(SILENCE_CAP)
    return joined.select(
        party_id=active.party_id,
        recency=cutoff - joined.last,
        tenure=cutoff - joined["first"],
        frequency=joined.frequency,
        monetary=joined.monetary,
        recent_purchases=joined.recent_purchases,
        contacts=joined.contacts.fill_null(0),
        inbound=joined.inbound.fill_null(0),
        silence=ibis.least(silence, SILENCE_CAP),
        payments=joined.payments.fill_null(0),
    )


def churned_after(features: Table, days: Table, *, after: int, until: int) -> Table:
    """``features`` with ``churned``: no purchase in (after, until]."""
    inside = days.filter(days.day > after, days.day <= until)
    bought = inside.group_by("party_id").aggregate(again=inside.day.count())
    joined = features.left_join(bought, features.party_id == bought.party_id)
    joined = joined.drop("party_id_right") if "party_id_right" in joined.columns else joined
    return joined.mutate(churned=joined.again.isnull()).drop("again")


# --- profitability and the lifecycle ----------------------------------------------------------


def profitability(
    bought: Table,
    lines: Table,
    products: Table,
    interactions: Table,
    *,
    start: int,
    end: int,
    unit_costs: dict[str, float],
) -> Table:
    """Each customer's profit over the window (start, end], in the base currency: revenue
    before discounts, less the discounts, the products' cost (quantity × the product's unit
    cost; a product without one costs nothing) and the cost to serve (each interaction at its
    channel's unit cost — a completed call, meeting or visit is logged as one, so activities
    are counted through them). Customers who neither bought nor were served in the window
    have no row."""
    window = bought.filter(bought.day > start, bought.day <= end)
    sales = window.group_by("party_id").aggregate(revenue=window.gross.sum(), discounts=window.discount.sum())
    sold = window.select("order_id", "party_id").join(lines, _.order_id == lines.order_id)
    sold = sold.left_join(products, sold.product_id == products.id)
    costs = sold.group_by("party_id").aggregate(
        product_cost=(sold.quantity * sold.unit_cost.fill_null(0.0)).sum()
    )
    served = interactions.filter(~interactions.deleted, interactions.day > start, interactions.day <= end)
    served = served.mutate(
        cost=ibis.cases(
            *((served.channel == channel, ibis.literal(float(cost))) for channel, cost in unit_costs.items()),
            else_=ibis.literal(0.0),
        )
        if unit_costs
        else ibis.literal(0.0)
    )
    serving = served.group_by("party_id").aggregate(serve_cost=served.cost.sum(), contacts=served.id.count())
    who = sales.select("party_id").union(serving.select("party_id"), distinct=True)
    joined = (
        who.left_join(sales, who.party_id == sales.party_id)
        .left_join(costs, who.party_id == costs.party_id)
        .left_join(serving, who.party_id == serving.party_id)
    )
    revenue = joined.revenue.fill_null(0.0)
    discounts = joined.discounts.fill_null(0.0)
    product_cost = joined.product_cost.fill_null(0.0)
    serve_cost = joined.serve_cost.fill_null(0.0)
    return joined.select(
        party_id=who.party_id,
        revenue=revenue,
        discounts=discounts,
        product_cost=product_cost,
        serve_cost=serve_cost,
        contacts=joined.contacts.fill_null(0),
        profit=revenue - discounts - product_cost - serve_cost,
    )


SLIPPING_CELLS = (RfmCell.AT_RISK, RfmCell.CANT_LOSE, RfmCell.HIBERNATING)
ESTABLISHED_CELLS = (RfmCell.CHAMPIONS, RfmCell.LOYAL)
# Below this probability of still being active, a customer is slipping away whatever their cell.
SLIPPING_BELOW = 0.5


def lifecycle(results: Table, *, end: int, new_days: int) -> ibis.Value:
    """The lifecycle stage of each row of the per-customer results (Kalakota: acquire,
    enhance, retain), by these rules in order:

    1. never bought: not bought yet (acquire);
    2. first purchase within ``new_days`` of ``end``: newly acquired (acquire);
    3. no purchase in the RFM window: lapsed (retain: win back or let go);
    4. in an at-risk, can't-lose or hibernating cell, or less likely than not still active:
       slipping away (retain);
    5. champions and loyal: established (retain);
    6. anyone else who bought in the window: developing (enhance: cross-sell, up-sell)."""
    alive = results.alive
    return ibis.cases(
        (results.purchases == 0, str(LifecycleStage.PROSPECT)),
        (results["first"] > end - new_days, str(LifecycleStage.NEW)),
        (results.cell == str(RfmCell.LOST), str(LifecycleStage.LAPSED)),
        (
            results.cell.isin([str(c) for c in SLIPPING_CELLS])
            | (alive.notnull() & ~alive.isnan() & (alive < SLIPPING_BELOW)),
            str(LifecycleStage.SLIPPING),
        ),
        (results.cell.isin([str(c) for c in ESTABLISHED_CELLS]), str(LifecycleStage.ESTABLISHED)),
        else_=str(LifecycleStage.DEVELOPING),
    )


def with_profit_and_lifecycle(results: Table, profit: Table, *, end: int, new_days: int) -> Table:
    """The per-customer results with their profit (null: neither bought nor served in the
    window) and lifecycle stage."""
    joined = results.left_join(profit.select("party_id", "profit"), results.party_id == profit.party_id)
    joined = joined.drop("party_id_right") if "party_id_right" in joined.columns else joined
    return joined.mutate(stage=lifecycle(joined, end=end, new_days=new_days))


# --- figures for the dashboard, by the customer's owner ---------------------------------------


def revenue_by_day(bought: Table, customers: Table, *, since: int) -> Table:
    """Purchases and net revenue per owner of the customer and day, from day ``since``."""
    recent = bought.filter(bought.day >= since)
    people = alive_customers(customers)
    joined = recent.join(people, recent.party_id == people.id)
    return joined.group_by(["owner_id", "day"]).aggregate(
        count=joined.order_id.count(), amount=joined.amount.sum()
    )


def cohorts(
    days: Table, customers: Table, calendar: Table, *, month: str, first_month: int, months: int
) -> Table:
    """Cohort retention by first-purchase month: for each owner, cohort (its month's first day)
    and months since, how many of the cohort's customers bought in that month. ``month`` is the
    calendar's column (``jalali_month`` or ``gregorian_month``); cohorts from ``first_month``."""
    dated = days.join(calendar, days.day == calendar.day)
    active = dated.select(
        party_id=dated.party_id, month=dated[month], month_start=dated[f"{month}_start"]
    ).distinct()
    firsts = active.group_by("party_id").aggregate(
        cohort=active.month.min(), cohort_start=active.month_start.min()
    )
    firsts = firsts.filter(firsts.cohort >= first_month)
    people = alive_customers(customers)
    joined = active.join(firsts, "party_id").join(people, _.party_id == people.id)
    joined = joined.mutate(offset=joined.month - joined.cohort)
    joined = joined.filter(joined.offset >= 0, joined.offset <= months)
    return joined.group_by(["owner_id", "cohort_start", "offset"]).aggregate(count=joined.party_id.count())


def counts_by(results: Table, keys: Sequence[str]) -> Table:
    """Customers (and their lifetime value) per owner and ``keys`` of the per-customer results."""
    return results.group_by(["owner_id", *keys]).aggregate(
        count=results.party_id.count(), amount=results.clv.sum()
    )


def bucket(value: NumericValue, edges: Sequence[float]) -> ibis.Value:
    """The index of the first edge ``value`` is below (len(edges) past the last): a histogram's
    bucket, by CASE, which every engine runs alike."""
    if not edges:
        return ibis.literal(0)
    return ibis.cases(*((value < edge, index) for index, edge in enumerate(edges)), else_=len(edges))
