"""The demo company's business case and roadmap: written once through the services, with a
positive NPV that pays back within the horizon, and a roadmap whose first phases are done."""

from __future__ import annotations

import datetime as dt

import pytest

from peyvand.adoption.models import BusinessCase, ItemStatus, Roadmap
from peyvand.adoption.selectors import business as business_selectors
from peyvand.adoption.selectors import roadmap as roadmap_selectors
from peyvand.demo import adoption as demo

pytestmark = pytest.mark.django_db

ANCHOR = dt.date(2025, 12, 7)


@pytest.fixture
def staff(users):
    return {
        demo.MANAGER: users["manager"],
        "hamid.rostami": users["sales"],
        "mina.ghasemi": users["support"],
        "fatemeh.nouri": users["marketing"],
    }


def test_the_demo_business_case(staff):
    assert demo.write_business_case(staff) == 1
    assert demo.write_business_case(staff) == 0
    case = BusinessCase.objects.get()
    lines = business_selectors.case_lines(case)
    assert len(lines) == len(demo.CASE_LINES) and case.horizon_years == 5
    assumptions = business_selectors.assumption_rows(case)
    assert [row.assumption.metric for row in assumptions] == [m for _l, _v, m in demo.CASE_ASSUMPTIONS]
    found = business_selectors.figures(case, lines)
    assert found.cash[0] == -7_900_000_000
    assert found.npv > 0 and found.irr is not None and found.irr > case.discount_rate / 100
    assert found.payback is not None and 1 < found.payback < 5
    assert len(found.swings) == len(lines)


def test_the_demo_roadmap_is_partly_done(staff):
    assert demo.write_roadmap(staff, anchor=ANCHOR) == 1
    assert demo.write_roadmap(staff, anchor=ANCHOR) == 0
    rows = roadmap_selectors.items(Roadmap.objects.get())
    per_phase, overall = roadmap_selectors.progress(rows)
    assert [p.percent for p in per_phase][:2] == [100, 100] and per_phase[-1].percent == 0
    assert 0 < overall.percent < 100
    assert {r.status for r in rows} == set(ItemStatus.values)
    assert all(r.owner is not None for r in rows)
    assert all(r.status == ItemStatus.DONE for r in rows if r.ends_on < ANCHOR)


def test_the_demo_objectives_are_measured_on_the_demo_company(staff):
    from peyvand.adoption.models import Objective

    assert demo.write_objectives(staff, anchor=ANCHOR) == len(demo.OBJECTIVES)
    assert demo.write_objectives(staff, anchor=ANCHOR) == 0
    objectives = list(Objective.objects.all())
    assert {o.metric for o in objectives} == {"new_leads", "deals_won", "retention", "interactions"}
    assert all(o.measured_at is not None and o.owner is not None for o in objectives)
    assert [o.channel for o in objectives if o.channel] == ["website"]


def test_the_demo_decision_and_feedback_loop(users):
    from peyvand.adoption.models import FeedbackPeriod, GoDecision, GoNoGo, Selection
    from peyvand.adoption.selectors import gonogo as gonogo_selectors
    from peyvand.demo import adoption_decision as decision

    staff = {
        decision.MANAGER: users["manager"],
        "mina.ghasemi": users["admin"],
        **{
            name: users[role]
            for name, role in zip(
                decision.RESPONDENTS, ("sales", "support", "marketing", "readonly"), strict=True
            )
        },
    }
    first = decision.write_decision(staff, seed=7, anchor=ANCHOR)
    assert first == "1 risk questionnaire, 1 vendor selection with its go/no-go, 3 feedback periods"
    assert decision.write_decision(staff, seed=7, anchor=ANCHOR).endswith(
        "0 vendor selection with its go/no-go, 0 feedback periods"
    )
    record = GoNoGo.objects.get(selection=Selection.objects.get(name=decision.SELECTION))
    assert record.decision == GoDecision.GO and record.decided_by == users["manager"]
    found = gonogo_selectors.evaluation(record.selection)
    assert found.complete and found.risk_groups
    levels = {g.key: g.level for g in found.risk_groups}
    assert levels["technology"] == "high" and levels["organisational"] == "low"
    periods = list(FeedbackPeriod.objects.order_by("start"))
    assert [p.decision for p in periods] == ["continue", "expand", ""]
    assert all(p.measured_at is not None for p in periods)
