"""The snapshot against the real database (SQLite, and PostgreSQL with DATABASE_URL): a full
refresh copies every source; an incremental one reads only what changed (by updated_at,
and by id for rows written without touching it) and replaces those rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from peyvand.analytics.engine import snapshot
from peyvand.interactions.models import Interaction
from peyvand.sales.models import CurrencyRate, Order, OrderLine, Product

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def rows(con, sql):
    return con.execute(sql).fetchall()


@pytest.fixture
def shop(make_person, buy, users):
    ali = make_person(first_name="علی")
    sara = make_person(first_name="سارا", owner="outsider")
    first = buy(ali, TODAY - dt.timedelta(days=10), 1000)
    buy(sara, TODAY - dt.timedelta(days=5), 250, currency="USD")
    Interaction.objects.create(
        party=ali, channel="phone", direction="inbound", occurred_at=timezone.now(), subject="پیگیری سفارش"
    )
    CurrencyRate.objects.create(
        currency="USD", rate=Decimal("600000"), valid_from=TODAY - dt.timedelta(days=30)
    )
    Product.objects.create(sku="P-1", name_fa="پسته", unit_cost=Decimal("1250.50"))
    return {"ali": ali, "sara": sara, "first": first}


def test_a_full_refresh_copies_every_source(shop):
    with snapshot.connect() as con:
        result = snapshot.refresh(con, full=True)
        assert result.mode == "full"
        assert result.rows == {
            "customers": 2,
            "orders": 2,
            "order_lines": 2,
            "payments": 0,
            "interactions": 1,
            "products": 1,
            "rates": 1,
        }
        order = rows(
            con,
            "SELECT party_id, day, ordered_on, subtotal, total, currency, deleted FROM orders "
            f"WHERE id = {shop['first'].pk}",
        )
        assert order == [
            (
                shop["ali"].pk,
                snapshot.day_number(TODAY - dt.timedelta(days=10)),
                TODAY - dt.timedelta(days=10),
                1000.0,
                1000.0,
                "IRR",
                False,
            )
        ]
        assert rows(con, "SELECT channel, day FROM interactions") == [
            ("phone", snapshot.day_number(timezone.now().astimezone(dt.UTC).date()))
        ]
        assert rows(con, "SELECT unit_cost FROM products") == [(1250.5,)]
        assert rows(con, "SELECT currency, rate FROM rates") == [("USD", 600000.0)]
        owners = dict(rows(con, "SELECT id, owner_id FROM customers"))
        assert owners == {shop["ali"].pk: shop["ali"].owner_id, shop["sara"].pk: shop["sara"].owner_id}


def test_an_incremental_refresh_reads_only_what_changed(shop, buy, users):
    with snapshot.connect() as con:
        snapshot.refresh(con, full=True)
    # Watermarks are the newest updated_at seen; push the old rows out of the overlap window.
    old = timezone.now() - dt.timedelta(hours=1)
    stale = old - 2 * snapshot.OVERLAP
    for model in (Order, Interaction, type(shop["ali"])):
        model.all_objects.update(updated_at=stale)
    with snapshot.connect() as con:
        con.execute("UPDATE watermarks SET updated_at = ?", [old.replace(tzinfo=None)])
    first = shop["first"]
    first.total = first.subtotal = Decimal(1500)
    first.save()  # a changed order: read again, its lines replaced
    OrderLine.objects.filter(order=first).delete()
    OrderLine.objects.create(
        order=first, description="کالای دیگر", quantity=2, unit_price=750, net=1500, total=1500
    )
    new = buy(shop["sara"], TODAY, 300)
    # Written without touching updated_at (a bulk update): found by its id above the watermark.
    Order.all_objects.filter(pk=new.pk).update(updated_at=stale)
    shop["sara"].deleted_at = timezone.now()
    shop["sara"].save()
    with snapshot.connect() as con:
        result = snapshot.refresh(con, full=False)
        assert result.mode == "incremental"
        assert (
            result.rows["orders"] == 2 and result.rows["customers"] == 1 and result.rows["interactions"] == 0
        )
        assert result.rows["order_lines"] == 2
        assert rows(con, "SELECT count(*) FROM orders") == [(3,)]
        assert rows(con, f"SELECT total FROM orders WHERE id = {first.pk}") == [(1500.0,)]
        assert rows(con, f"SELECT quantity, net FROM order_lines WHERE order_id = {first.pk}") == [
            (2.0, 1500.0)
        ]
        assert rows(con, f"SELECT deleted FROM customers WHERE id = {shop['sara'].pk}") == [(True,)]
        # Nothing changed since: the next one reads only the overlap window's rows, harmlessly.
        again = snapshot.refresh(con, full=False)
        assert rows(con, "SELECT count(*) FROM orders") == [(3,)]
        assert rows(con, "SELECT count(*) FROM order_lines") == [(3,)]
        assert again.rows["interactions"] == 0


def test_an_incremental_refresh_without_a_snapshot_is_a_full_one(shop):
    with snapshot.connect() as con:
        assert snapshot.refresh(con, full=False).mode == "full"
        assert rows(con, "SELECT count(*) FROM customers") == [(2,)]


def test_the_calendar_has_both_months_of_each_day():
    with snapshot.connect() as con:
        snapshot.write_calendar(con, dt.date(2025, 3, 20), dt.date(2025, 3, 21))
        found = rows(
            con, "SELECT day, gregorian_month, jalali_month, jalali_month_start FROM calendar ORDER BY day"
        )
    # 2025-03-21 is 1 Farvardin 1404: a new Jalali month (and year) in the same Gregorian month.
    nowruz = snapshot.day_number(dt.date(2025, 3, 21))
    assert found[1] == (nowruz, 2025 * 12 + 2, 1404 * 12, nowruz)
    assert found[0][2] == 1403 * 12 + 11


def test_a_snapshot_of_an_earlier_version_is_refreshed_in_full(shop):
    with snapshot.connect() as con:
        snapshot.refresh(con, full=True)
        con.execute("ALTER TABLE interactions DROP COLUMN day")  # as an earlier version wrote it
        assert not snapshot.has_snapshot(con)
        assert snapshot.refresh(con, full=False).mode == "full"
        assert snapshot.has_snapshot(con)
        assert rows(con, "SELECT count(day) FROM interactions") == [(1,)]
