"""Amounts are kept exactly or refused: no line, deal or base amount beyond what the money
columns hold (on SQLite, 15 significant digits), and a clear field error instead of a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from peyvand.sales.models import Deal, DealLine
from peyvand.sales.money import fits, format_money, format_number, money_limit, round_money
from peyvand.sales.services import catalogue, deals
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_api(api_as):
    return api_as("sales")


@pytest.fixture
def euro(users):
    catalogue.currency_rate_set(
        actor=users["admin"],
        currency="EUR",
        rate="600000",
        valid_from=timezone.localdate() - dt.timedelta(days=3),
    )


def test_the_limits_are_fifteen_digits_with_the_currencys_decimals():
    assert money_limit("IRR") == Decimal("999999999999999")
    assert money_limit("EUR") == Decimal("9999999999999.99")
    assert fits(Decimal("999999999999999"), "IRR") and not fits(Decimal("1000000000000000"), "IRR")
    assert not fits(Decimal("123456789012345.67"), "IRR")  # 17 digits: SQLite would round it


def test_a_line_too_large_is_refused_and_the_deal_still_reads(sales_api, make_deal):
    deal = make_deal()
    response = sales_api.post(
        f"/deals/{deal.pk}/lines",
        {"description": "x", "quantity": "1000000000", "unit_price": "10000000000000000"},
    )
    assert_error(response, 422, "validation_error", "unit_price")
    line = {"description": "x", "quantity": "1000000000", "unit_price": "1000000000"}
    response = sales_api.post(f"/deals/{deal.pk}/lines", line)
    assert_error(response, 422, "validation_error", "quantity")
    assert "999,999,999,999,999 Rial" in response.content.decode()
    assert not DealLine.objects.exists()
    assert sales_api.get(f"/deals/{deal.pk}").status_code == 200
    assert sales_api.get("/deals").status_code == 200


def test_lines_each_fine_but_too_much_together_are_refused(sales_api, make_deal):
    deal = make_deal(amount=0)
    line = {"description": "x", "quantity": "1", "unit_price": "600000000000000"}
    assert sales_api.post(f"/deals/{deal.pk}/lines", line).status_code == 201
    assert_error(sales_api.post(f"/deals/{deal.pk}/lines", line), 422, "validation_error", "quantity")
    first = DealLine.objects.get()
    patch = sales_api.patch(f"/deal-lines/{first.pk}", {"quantity": "2"})
    assert_error(patch, 422, "validation_error", "quantity")
    assert DealLine.objects.count() == 1 and DealLine.objects.get().quantity == 1
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("600000000000000")
    assert sales_api.delete(f"/deal-lines/{first.pk}").status_code == 204


def test_an_amount_too_large_in_the_base_currency_is_refused(sales_api, make_deal, euro):
    deal = make_deal(currency="EUR", amount="0")
    # 1.23e12 EUR fits a euro amount; at 600,000 Rial it would be 7.4e17 Rial, which does not.
    line = {"description": "x", "quantity": "1", "unit_price": "1230000000000"}
    response = sales_api.post(f"/deals/{deal.pk}/lines", line)
    assert_error(response, 422, "validation_error", "quantity")
    assert "In IRR" in response.content.decode()
    assert_error(
        sales_api.post(f"/deals/{deal.pk}/lines", {**line, "unit_price": "123000000000000"}),
        422,
        "validation_error",
        "unit_price",
    )
    patch = sales_api.patch(f"/deals/{deal.pk}", {"amount": "1230000000000"})
    assert_error(patch, 422, "validation_error", "amount")
    deal.refresh_from_db()
    assert deal.amount == 0 and not deal.lines.exists()
    assert sales_api.get(f"/deals/{deal.pk}").status_code == 200


def test_a_deal_amount_beyond_the_limit_is_refused(users, make_org):
    with pytest.raises(ValidationError) as error:
        deals.deal_create(
            actor=users["sales"], data={"title": "x", "party": make_org(), "amount": "1000000000000000"}
        )
    assert "amount" in error.value.message_dict
    assert not Deal.objects.filter(title="x").exists()


@hypothesis_settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.decimals(
        min_value=Decimal("0.01"), max_value=Decimal("99999999999999.99"), places=2, allow_nan=False
    )
)
def test_what_is_accepted_is_what_is_stored(make_deal, users, amount):
    """On SQLite a decimal is stored as a double; an accepted amount must come back as typed.
    (A dollar at half a Rial keeps the base amount within its limit: the dollars are tested.)"""
    catalogue.currency_rate_set(
        actor=users["admin"], currency="USD", rate="0.5", valid_from=dt.date(2000, 1, 1)
    )
    try:
        deal = make_deal(currency="USD", amount=str(amount))
    except ValidationError as error:
        assert not fits(amount, "USD") and "amount" in error.message_dict
        return
    assert fits(amount, "USD")
    stored = Deal.objects.get(pk=deal.pk)
    assert stored.amount == amount and stored.amount_base == round_money(amount / 2, "IRR")


def test_money_is_written_in_the_readers_language():
    with translation.override("fa"):
        assert format_money(Decimal("53290000.00"), "IRR") == "۵۳٬۲۹۰٬۰۰۰ ریال"
        assert format_money(Decimal("2250.9"), "EUR") == "۲٬۲۵۰٫۹۰ EUR"
        assert format_number(Decimal("12.50")) == "۱۲٫۵"
    with translation.override("en"):
        assert format_money(Decimal("2250.9"), "EUR") == "2,250.90 EUR"
        assert format_money(Decimal("53290000.00"), "IRR") == "53,290,000 Rial"
