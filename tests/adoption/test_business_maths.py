"""The business case's maths against figures worked by hand: yearly net cash flows (growth,
one-off lines), NPV (and at a zero rate), IRR (and None without a change of sign), payback
(fractional, zero, never) and the sensitivity of the NPV to each line."""

from __future__ import annotations

from decimal import Decimal as D

from peyvand.adoption.selectors.business import Flow, irr, net_flows, npv, payback, sensitivity


def close(value, expected, places=6):
    assert value is not None
    assert abs(value - D(expected)) < D(10) ** -places, (value, expected)


BENEFIT = Flow(label="retention", benefit=True, amount=D(500))
SET_UP = Flow(label="licences", benefit=False, amount=D(1000), one_off=True)


def test_yearly_net_cash_flows_with_growth_and_one_off_lines():
    grows = Flow(benefit=True, amount=D(100), growth=D("0.1"))
    yearly_cost = Flow(benefit=False, amount=D(30))
    assert grows.yearly(3) == [0, 100, D("110.0"), D("121.00")]
    assert SET_UP.yearly(2) == [-1000, 0, 0]
    assert net_flows([grows, yearly_cost, SET_UP], 3) == [-1000, 70, 80, 91]
    assert net_flows([], 2) == [0, 0, 0]


def test_npv_by_hand():
    cash = [D(-1000), D(500), D(500), D(500)]
    # −1000 + 500/1.1 + 500/1.21 + 500/1.331 = −1000 + 454.545455 + 413.223140 + 375.657400
    close(npv(cash, D("0.1")), "243.425995")
    # At a zero rate the NPV is the plain sum.
    assert npv(cash, D(0)) == 500
    assert npv([D(-1000), D(300), D(400), D(500)], D(0)) == 200


def test_irr_by_hand_and_none_without_a_change_of_sign():
    cash = [D(-1000), D(500), D(500), D(500)]
    found = irr(cash)
    # 500 × (1 − (1 + r)⁻³) / r = 1000 holds at r ≈ 23.3752%.
    close(found, "0.233752", places=5)
    close(npv(cash, found), "0", places=4)
    # −100 then 110 a year later: exactly 10%.
    close(irr([D(-100), D(110)]), "0.1", places=8)
    assert irr([D(0), D(100), D(100)]) is None
    assert irr([D(-100), D(-50)]) is None
    assert irr([]) is None


def test_payback_fractional_zero_and_never():
    assert payback([D(-1000), D(500), D(500), D(500)]) == 2
    # −700, −300, +200 after the third: 2 + 300 / 500 years.
    assert payback([D(-1000), D(300), D(400), D(500)]) == D("2.6")
    assert payback([D(-100), D(400)]) == D("0.25")
    assert payback([D(0), D(10)]) == 0
    assert payback([D(-1000), D(100), D(100)]) is None
    assert payback([]) is None


def test_sensitivity_moves_each_line_and_sorts_by_swing():
    swings = sensitivity([SET_UP, BENEFIT], 3, D("0.1"), D("0.2"))
    # The benefit's present value is 1243.425995: ±20% is 994.740796 and 1492.111194.
    assert [s.label for s in swings] == ["retention", "licences"]
    benefit, cost = swings
    close(benefit.low, "-5.259204")
    close(benefit.high, "492.111194")
    close(benefit.spread, "497.370398")
    # The set-up at 1200 and 800.
    close(cost.low, "43.425995")
    close(cost.high, "443.425995")
    assert benefit.benefit and not cost.benefit
    assert sensitivity([], 3, D("0.1"), D("0.2")) == []
