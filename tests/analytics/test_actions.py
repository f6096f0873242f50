"""The next best action: each rule, their order, the customer's card, and the dashboard's
valuable customers who may leave, through the permission policy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.analytics.models import Run, RunStatus
from peyvand.analytics.selectors import actions
from peyvand.customers.models import CustomerInsight, LifecycleStage
from peyvand.sales.models import Product
from peyvand.sales.selectors.billing import Suggestion

from .conftest import TODAY

VALUABLE = Decimal(1_000_000)


def insight(**fields) -> CustomerInsight:
    return CustomerInsight(**{"purchases": 3, "computed_at": timezone.now(), **fields})


def kinds(found: list[actions.Action]) -> list[str]:
    return [action.kind for action in found]


def suggestion() -> list[Suggestion]:
    return [Suggestion(Product(sku="S-1", name_fa="زعفران", name_en="Saffron"), buyers=3, peers=4)]


@pytest.mark.parametrize(
    ("fields", "offers", "expected"),
    [
        # Valuable and likely to leave: a call first, then what else applies.
        (
            {"predicted_clv": VALUABLE * 2, "churn_risk": 0.8, "lifecycle_stage": LifecycleStage.ESTABLISHED},
            True,
            ["keep", "cross_sell"],
        ),
        # Slipping away counts as at risk whatever the score.
        (
            {"predicted_clv": VALUABLE, "churn_risk": 0.2, "lifecycle_stage": LifecycleStage.SLIPPING},
            False,
            ["keep"],
        ),
        # At risk but not worth a call: a campaign.
        (
            {"predicted_clv": VALUABLE / 10, "churn_risk": 0.7, "lifecycle_stage": LifecycleStage.DEVELOPING},
            True,
            ["cross_sell", "campaign"],
        ),
        ({"lifecycle_stage": LifecycleStage.LAPSED, "purchases": 4}, False, ["win_back"]),
        ({"lifecycle_stage": LifecycleStage.LAPSED, "purchases": 1}, False, []),
        ({"lifecycle_stage": LifecycleStage.DEVELOPING, "churn_risk": 0.1}, False, []),
        ({"lifecycle_stage": LifecycleStage.NEW, "purchases": 1}, True, ["follow_up"]),
        ({"lifecycle_stage": LifecycleStage.PROSPECT, "purchases": 0}, True, ["first_sale"]),
    ],
)
def test_each_rule_and_their_order(fields, offers, expected):
    found = actions.next_best_actions(
        insight=insight(**fields), suggestions=suggestion() if offers else [], valuable=VALUABLE
    )
    assert kinds(found) == expected


def test_the_reasons_are_said_in_words(english):
    keep = actions.next_best_actions(
        insight=insight(
            predicted_clv=VALUABLE * 3,
            churn_risk=0.83,
            churn_reasons=["recency:high", "contacts:low"],
            lifecycle_stage=LifecycleStage.SLIPPING,
        ),
        suggestions=[],
        valuable=VALUABLE,
    )[0]
    assert "83%" in keep.why
    assert "Long since the last purchase; Few contacts in the last 90 days" in keep.why
    offer = actions.next_best_actions(
        insight=insight(lifecycle_stage=LifecycleStage.ESTABLISHED), suggestions=suggestion(), valuable=None
    )[0]
    assert offer.title == "Offer Saffron" and "75%" in offer.why


def test_no_insight_no_action():
    assert actions.next_best_actions(insight=None, suggestions=suggestion(), valuable=VALUABLE) == []


@pytest.mark.django_db
def test_the_card_and_the_dashboard_name_who_to_call(users, make_person, as_user):
    Run.objects.create(status=RunStatus.DONE, as_of=TODAY, window_days=365, valuable_clv=float(VALUABLE))
    mine = make_person(owner="sales", first_name="ارزشمند")
    cheap = make_person(owner="sales", first_name="کم‌ارزش")
    hidden = make_person(owner="outsider", first_name="دیگری")
    for party, clv, risk in ((mine, 5_000_000, 0.7), (cheap, 100_000, 0.9), (hidden, 9_000_000, 0.9)):
        CustomerInsight.objects.create(
            party=party,
            purchases=4,
            predicted_clv=clv,
            churn_risk=risk,
            churn_reasons=["recency:high"],
            lifecycle_stage=LifecycleStage.SLIPPING,
            computed_at=timezone.now(),
        )
    client = as_user("sales")
    card = client.get(reverse("party_detail", args=[mine.pk])).content.decode()
    assert 'data-testid="next-actions"' in card and 'data-kind="keep"' in card
    assert 'data-kind="campaign"' in client.get(reverse("party_detail", args=[cheap.pk])).content.decode()
    # By the value at stake (risk × value): 3.5M before 90k; another team's customer not at all.
    keep = actions.customers_to_keep(user=users["sales"])
    assert [i.party_id for i in keep] == [mine.pk, cheap.pk]
    assert actions.customers_to_keep(user=users["admin"])[0].party_id == hidden.pk
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert "ارزشمند" in page and "دیگری" not in page


def test_the_customers_to_keep_are_read_by_value_until_nobody_further_can_enter(
    users, make_person, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(actions, "KEEP_CHUNK", 2)
    # (lifetime value, risk): at stake 500, 495, 800, 630, 594, 300, 100, and one not at risk.
    for n, (clv, risk) in enumerate(
        ((1000, 0.5), (900, 0.55), (800, 1.0), (700, 0.9), (600, 0.99), (300, 1.0), (100, 1.0), (5000, 0.2))
    ):
        CustomerInsight.objects.create(
            party=make_person(owner="sales", first_name=f"c{n}"),
            predicted_clv=clv,
            churn_risk=risk,
            computed_at=timezone.now(),
        )
    every = sorted(
        CustomerInsight.objects.filter(churn_risk__gte=actions.AT_RISK),
        key=lambda i: (-float(i.predicted_clv) * i.churn_risk, i.party_id),
    )
    with CaptureQueriesContext(connection) as queries:
        found = actions.customers_to_keep(user=users["admin"], limit=3)
    assert [i.party_id for i in found] == [i.party_id for i in every[:3]]
    assert [round(i.at_stake) for i in found] == [800, 630, 594]
    # Three pages of two by value; the customers valued below 594 were never read.
    assert sum("customers_customerinsight" in q["sql"] for q in queries.captured_queries) == 3
    everyone = actions.customers_to_keep(user=users["admin"], limit=20)
    assert [i.party_id for i in everyone] == [i.party_id for i in every]
