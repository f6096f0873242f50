"""Customer profitability and the lifecycle stage: worked out by a run, checked against sums
done by hand; the lifecycle's rules one by one; the dashboard's profit and lifecycle charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from peyvand.analytics import conf
from peyvand.analytics import expressions as ex
from peyvand.analytics.models import ClvFit, Figure, FigureKind, Run, RunStatus
from peyvand.analytics.selectors import dashboard
from peyvand.customers.models import CustomerInsight, LifecyclePhase, LifecycleStage
from peyvand.interactions.models import Interaction
from peyvand.sales.models import Order, OrderLine, Product

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _touch(party, channel: str, day: dt.date, *, deleted: bool = False) -> Interaction:
    return Interaction.objects.create(
        party=party,
        channel=channel,
        direction="outbound",
        occurred_at=_at(day),
        subject="پیگیری",
        deleted_at=_at(day) if deleted else None,
    )


def test_profit_is_revenue_less_discounts_product_cost_and_the_cost_to_serve(
    settings, users, make_person, buy, analyse
):
    settings.PEYVAND_COST_TO_SERVE = {"phone": 1000, "email": 100}
    nuts = Product.objects.create(sku="P-1", name_fa="پسته", unit_cost=Decimal("300"))
    costly = make_person(first_name="پرهزینه")
    plain = make_person(first_name="ساده")
    idle = make_person(first_name="بی‌خرید")
    # 2,000 before a 200 discount; three units at 300 each.
    order = Order.objects.create(
        number="P-0001",
        party=costly,
        owner=costly.owner,
        ordered_on=TODAY - dt.timedelta(days=10),
        currency="IRR",
        subtotal=Decimal(2000),
        discount_total=Decimal(200),
        total=Decimal(1800),
    )
    OrderLine.objects.create(
        order=order,
        product=nuts,
        description="پسته",
        quantity=3,
        unit_price=Decimal("666.67"),
        net=Decimal(1800),
        total=Decimal(1800),
    )
    for channel in ("phone", "phone", "email", "sms"):  # sms has no unit cost here
        _touch(costly, channel, TODAY - dt.timedelta(days=5))
    _touch(costly, "phone", TODAY - dt.timedelta(days=5), deleted=True)
    _touch(costly, "phone", TODAY - dt.timedelta(days=400))  # before the window
    buy(plain, TODAY - dt.timedelta(days=20), 5000)  # a line without a product costs nothing

    run = analyse(actor=users["manager"], window_days=365)

    assert run.status == RunStatus.DONE, run.error
    profit = dict(CustomerInsight.objects.values_list("party_id", "profit"))
    # 2,000 − 200 − 3 × 300 − (2 × 1,000 + 100)
    assert profit[costly.pk] == Decimal(-1200)
    assert profit[plain.pk] == Decimal(5000)
    assert profit[idle.pk] is None
    bands = Figure.objects.filter(kind=FigureKind.PROFIT)
    assert sum(f.count for f in bands) == 2  # one row each, bought and served alike
    assert sum(f.amount for f in bands) == Decimal(3800)
    run.refresh_from_db()
    assert 0.0 in run.profit_edges

    board = dashboard.dashboard(user=users["manager"])
    split = board.charts["profitability"]
    assert split.series[0].values == (1, 1)  # profitable, unprofitable
    assert split.series[1].values == (5000.0, -1200.0)
    whale = board.charts["whale"]
    # Most profitable first: the curve climbs to 5,000 and ends at the total, 3,800.
    assert whale.series[0].values[-1] == pytest.approx(3800.0)
    assert max(whale.series[0].values) == pytest.approx(5000.0)


def test_a_salesperson_sees_the_profit_of_their_own_customers_only(users, make_person, buy, analyse):
    mine = make_person(owner="sales")
    theirs = make_person(owner="outsider")  # another team's
    buy(mine, TODAY - dt.timedelta(days=3), 700)
    buy(theirs, TODAY - dt.timedelta(days=3), 9000)
    analyse(actor=users["manager"])
    split = dashboard.dashboard(user=users["sales"]).charts["profitability"]
    assert split.series[1].values == (700.0, 0.0)
    assert dashboard.dashboard(user=users["admin"]).charts["profitability"].series[1].values == (
        9700.0,
        0.0,
    )


def test_every_customer_gets_a_lifecycle_stage_from_their_purchases(users, make_person, buy, analyse):
    # Scored with a known model in which customers rarely drop out, so the stages below follow
    # from the purchases alone (the rules on the probability of being active are checked below).
    known = Run.objects.create(status=RunStatus.DONE, as_of=TODAY, window_days=365)
    ClvFit.objects.create(
        run=known,
        calibration_end=TODAY - dt.timedelta(days=90),
        horizon_months=12,
        monthly_discount=0.01,
        margin=0.3,
        r=0.5,
        alpha=6.0,
        a=0.05,
        b=20.0,
        p=6.0,
        q=4.0,
        gamma=15.0,
        fitted_at=timezone.now(),
    )

    def bought(name: str, *days_ago: int):
        party = make_person(first_name=name)
        for days in days_ago:
            buy(party, TODAY - dt.timedelta(days=days), 1000)
        return party

    prospect = make_person(first_name="بی‌خرید")
    new = bought("تازه", 30)
    champion = bought("وفادار", 300, 250, 200, 150, 120, 90, 60, 30, 15, 5)
    developing = bought("روبه‌رشد", 200, 20)
    slipping = bought("درحال‌رفتن", 350, 330, 300, 260, 230, 200)
    dormant = bought("خفته", 300)
    lapsed = bought("رفته", 500)

    analyse(actor=users["manager"], window_days=365)

    stage = dict(CustomerInsight.objects.values_list("party_id", "lifecycle_stage"))
    assert stage[prospect.pk] == LifecycleStage.PROSPECT
    assert stage[new.pk] == LifecycleStage.NEW
    assert stage[champion.pk] == LifecycleStage.ESTABLISHED
    assert stage[developing.pk] == LifecycleStage.DEVELOPING
    assert stage[slipping.pk] == LifecycleStage.SLIPPING
    assert stage[dormant.pk] == LifecycleStage.LAPSED  # the lowest recency and frequency
    assert stage[lapsed.pk] == LifecycleStage.LAPSED  # nothing in the window
    insight = CustomerInsight.objects.get(party=developing)
    assert insight.lifecycle_phase == LifecyclePhase.ENHANCE
    chart = dashboard.dashboard(user=users["manager"]).charts["lifecycle"]
    assert sum(chart.series[0].values) == 7


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"purchases": 0, "first": None, "cell": "", "alive": None}, LifecycleStage.PROSPECT),
        ({"purchases": 1, "first": 990, "cell": "new", "alive": 0.2}, LifecycleStage.NEW),
        ({"purchases": 3, "first": 100, "cell": "lost", "alive": 0.9}, LifecycleStage.LAPSED),
        ({"purchases": 3, "first": 100, "cell": "hibernating", "alive": 0.9}, LifecycleStage.SLIPPING),
        ({"purchases": 9, "first": 100, "cell": "champions", "alive": 0.3}, LifecycleStage.SLIPPING),
        ({"purchases": 9, "first": 100, "cell": "loyal", "alive": 0.9}, LifecycleStage.ESTABLISHED),
        ({"purchases": 9, "first": 100, "cell": "loyal", "alive": None}, LifecycleStage.ESTABLISHED),
        ({"purchases": 2, "first": 100, "cell": "potential", "alive": 0.8}, LifecycleStage.DEVELOPING),
    ],
)
def test_the_lifecycle_rules_in_order(row, expected):
    table = ibis.memtable(
        [row],
        schema={"purchases": "int64", "first": "int32", "cell": "string", "alive": "float64"},
    )
    stage = table.select(stage=ex.lifecycle(table, end=1000, new_days=90))
    assert ibis.duckdb.connect().execute(stage)["stage"][0] == expected


def test_unit_costs_come_from_the_setting(settings):
    settings.PEYVAND_COST_TO_SERVE = "phone=400000, sms = 1500"
    assert conf.cost_to_serve("IRR") == {"phone": 400000.0, "sms": 1500.0}
    settings.PEYVAND_COST_TO_SERVE = None
    assert conf.cost_to_serve("IRR")["phone"] == conf.RIAL_COST_TO_SERVE["phone"]
    assert conf.cost_to_serve("EUR") == {}
    for wrong in ("phone", "phone=-1", "phone=abc", "=5", "phone=inf"):
        settings.PEYVAND_COST_TO_SERVE = wrong
        with pytest.raises(ImproperlyConfigured):
            conf.cost_to_serve("IRR")
