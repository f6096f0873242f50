"""The sales API: the same services and policy as the pages, one error format, no 500s."""

from __future__ import annotations

import io
from decimal import Decimal

import jdatetime
import pytest

from peyvand.sales.models import AssignmentRule, Deal, DealLine, Invoice, Order, Payment, PriceList, ScoreRule
from peyvand.sales.services import billing, deals
from tests.api.conftest import assert_error, ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_api(api_as):
    return api_as("sales")


def test_capture_qualify_and_convert_through_the_api(sales_api, pipeline):
    response = sales_api.post(
        "/leads",
        {"first_name": "نیما", "last_name": "رادمنش", "phone": "۰۹۱۲۳۳۳۴۴۵۵", "company": "فولاد البرز"},
    )
    assert response.status_code == 201, response.content
    lead = response.json()
    assert lead["phone"] == "+989123334455" and lead["owner"]["username"] == "sales"
    assert sales_api.post(f"/leads/{lead['id']}/stage", {"stage": "qualified"}).status_code == 200
    converted = sales_api.post(
        f"/leads/{lead['id']}/convert", {"deal": {"amount": "7500000", "expected_close": "1405/10/01"}}
    )
    assert converted.status_code == 200, converted.content
    body = converted.json()
    assert body["person"]["display_name"] == "نیما رادمنش" and body["organisation"]["kind"] == "organisation"
    assert body["deal"]["amount"] == "7500000.00" and body["deal"]["expected_close"] == "2026-12-22"
    again = sales_api.post(f"/leads/{lead['id']}/convert", {})
    assert_error(again, 422, "validation_error")


def test_kanban_move_through_the_api(sales_api, make_deal, stages):
    deal = make_deal()
    response = sales_api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["negotiation"].pk})
    assert response.status_code == 200 and response.json()["stage"]["id"] == stages["negotiation"].pk
    history = sales_api.get(f"/deals/{deal.pk}/history").json()
    assert [h["stage"]["id"] for h in history] == [stages["new"].pk, stages["negotiation"].pk]
    lost = sales_api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["lost"].pk})
    assert_error(lost, 422, "validation_error", "lost_reason")
    deal.refresh_from_db()
    assert deal.stage == stages["negotiation"]
    lost = sales_api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["lost"].pk, "lost_reason": "رقیب"})
    assert lost.json()["status"] == "lost"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/lines", {"description": "x", "quantity": "-2", "unit_price": "10"}, "quantity"),
        (
            "/lines",
            {"description": "x", "quantity": 1, "unit_price": "10", "discount_percent": 150},
            "discount_percent",
        ),
        ("/lines", {"product_id": 2**62, "quantity": 1}, "product_id"),
        ("/lines", {"description": "x", "quantity": 1, "unit_price": "10", "colour": "red"}, "colour"),
        ("", {"currency": "XYZ"}, "currency"),
        ("", {"owner": "3"}, "owner"),
        ("", {"expected_close": "1405/13/40"}, "expected_close"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(sales_api, make_deal, path, body, field):
    deal = make_deal()
    method = sales_api.post if path else sales_api.patch
    response = method(f"/deals/{deal.pk}{path}", body)
    assert_error(response, 422, "validation_error", field)
    assert not DealLine.objects.exists()
    assert Deal.objects.get(pk=deal.pk).currency == "IRR"


def test_malformed_json_and_huge_ids(sales_api, make_deal):
    deal = make_deal()
    assert_error(sales_api.post(f"/deals/{deal.pk}/move", raw="{not json"), 400, "invalid_json")
    assert_error(sales_api.post(f"/deals/{deal.pk}/move", raw="[1, 2]"), 422, "validation_error")
    for path in (
        f"/deals/{2**70}",
        "/deals/99999999999999999999999",
        "/quotes/0",
        "/invoices/-1",
        "/leads/abc",
    ):
        assert_error(sales_api.get(path), 404, "not_found")
    assert_error(
        sales_api.post(f"/deals/{deal.pk}/move", {"stage_id": 2**70}), 422, "validation_error", "stage_id"
    )
    assert_error(sales_api.get("/deals", {"cursor": "garbage"}), 400, "invalid_cursor")
    assert_error(sales_api.get("/deals", {"owner": "x" * 30}), 422, "validation_error")


def test_the_money_flow_through_the_api(sales_api, make_deal, products, customer_with_email):
    deal = make_deal(party=customer_with_email, amount=0)
    line = sales_api.post(f"/deals/{deal.pk}/lines", {"product_id": products["crm"].pk, "quantity": "2"})
    assert line.status_code == 201 and line.json()["unit_price"] == "12500000.00"
    quote = sales_api.post(f"/deals/{deal.pk}/quotes", {"valid_until": "2099-01-01"}).json()
    assert quote["total"] == "27500000.00"
    pdf = sales_api.get(f"/quotes/{quote['id']}/pdf", {"language": "en"})
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    sent = sales_api.post(f"/quotes/{quote['id']}/send", {"language": "fa"}).json()
    assert sent["status"] == "sent" and sent["delivery_status"] == "queued"
    order = sales_api.post(f"/quotes/{quote['id']}/accept").json()
    assert Deal.objects.get(pk=deal.pk).status == "won"
    order_line = order["lines"][0]["id"]
    invoice = sales_api.post(
        f"/orders/{order['id']}/invoices", {"lines": [{"order_line_id": order_line, "quantity": "1"}]}
    )
    assert invoice.status_code == 201 and invoice.json()["total"] == "13750000.00"
    invoice_id = invoice.json()["id"]
    too_much = sales_api.post(f"/invoices/{invoice_id}/payments", {"amount": "13750001"})
    assert_error(too_much, 422, "validation_error", "amount")
    assert not Payment.objects.exists()
    paid = sales_api.post(f"/invoices/{invoice_id}/payments", {"amount": "10000000", "paid_on": "1405/01/15"})
    assert paid.status_code == 201 and paid.json()["paid_on"] == "2026-04-04"
    summary = sales_api.get(f"/parties/{customer_with_email.pk}/sales").json()
    assert summary["balances"] == [
        {
            "currency": "IRR",
            "invoiced": "13750000.00",
            "paid": "10000000.00",
            "due": "3750000.00",
            "overdue_invoices": 0,
            "status": "outstanding",
        }
    ]
    assert Invoice.objects.get().due == Decimal("3750000")


def test_lists_filter_sort_and_page(sales_api, make_deal, stages):
    made = [make_deal(title=f"معامله {i}", amount=str(1000 * (i + 1))) for i in range(5)]
    deals.deal_move_stage(deal=made[0], stage=stages["proposal"], actor=made[0].owner)
    first = sales_api.get("/deals", {"sort": "-amount", "limit": 2})
    assert ids(first) == [made[4].pk, made[3].pk]
    second = sales_api.get("/deals", {"sort": "-amount", "limit": 2, "cursor": first.json()["next_cursor"]})
    assert ids(second) == [made[2].pk, made[1].pk]
    assert ids(sales_api.get("/deals", {"stage": stages["proposal"].pk})) == [made[0].pk]
    assert ids(sales_api.get("/deals", {"q": "معامله 3"})) == [made[3].pk]


def test_deal_list_queries_do_not_grow_with_rows(sales_api, make_deal, queries):
    make_deal()
    sales_api.get("/deals")  # the first call notes the token's use
    with queries() as few:
        assert sales_api.get("/deals").status_code == 200
    for i in range(8):
        make_deal(title=f"d{i}")
    with queries() as many:
        assert len(ids(sales_api.get("/deals"))) == 9
    assert len(many) == len(few)


def test_products_are_admin_only_to_change(api, sales_api, price_list):
    body = {
        "sku": "new-1",
        "name_fa": "کالای تازه",
        "tax_rate": "9",
        "prices": [{"price_list_id": price_list.pk, "price": "1500"}],
    }
    assert_error(sales_api.post("/products", body), 403, "permission_denied")
    created = api.post("/products", body)
    assert created.status_code == 201 and created.json()["sku"] == "NEW-1"
    assert created.json()["prices"][0]["price"] == "1500.00"
    assert_error(api.post("/products", body), 422, "validation_error", "sku")
    assert sales_api.get("/products", {"q": "تازه"}).json()["items"][0]["sku"] == "NEW-1"


def test_a_products_unit_cost_is_set_cleared_and_checked(api):
    created = api.post("/products", {"sku": "c-1", "name_fa": "کالا", "unit_cost": "750.5"}).json()
    assert created["unit_cost"] == "750.50"
    url = f"/products/{created['id']}"
    assert_error(api.patch(url, {"unit_cost": "-1"}), 422, "validation_error", "unit_cost")
    assert_error(api.patch(url, {"unit_cost": "1" * 30}), 422, "validation_error", "unit_cost")
    assert api.get("/products", {"q": "c-1"}).json()["items"][0]["unit_cost"] == "750.50"  # unchanged
    assert api.patch(url, {"unit_cost": None}).json()["unit_cost"] is None


def test_imports_report_every_bad_row_and_write_nothing(
    api, make_org, products, django_capture_on_commit_callbacks
):
    csv_text = (
        "order,customer,date,sku,quantity,unit_price,amount\n"
        "A1,شرکت نمونه,1403/05/01,CRM-1,1,100,100\n"
        "A2,کسی که نیست,1403/05/01,CRM-1,1,100,\n"
        "A3,شرکت نمونه,1403/13/01,NOPE,-1,100,\n"
    )
    make_org()
    upload = io.BytesIO(csv_text.encode())
    upload.name = "orders.csv"
    # An import is a job of the one import machinery now: it is checked in full first.
    with django_capture_on_commit_callbacks(execute=True):
        response = api.client.post("/api/v1/orders/import", {"file": upload}, headers=api.headers)
    assert response.status_code == 202, response.content
    job = api.get(f"/imports/{response.json()['id']}").json()
    assert job["status"] == "failed"
    problems = api.get(f"/imports/{job['id']}/problems").json()["items"]
    errors = {(p["row"], p["column"]) for p in problems}
    # Rows count from the first after the header, as in every import.
    assert {(2, "customer"), (3, "date"), (3, "sku"), (3, "quantity")} <= errors
    assert not Order.objects.exists()  # row 1 was fine, but nothing is written unless all are


def test_forecast_and_targets(api_as, make_deal, stages, users):
    deal = make_deal(amount="1000000")
    deals.deal_move_stage(deal=deal, stage=stages["proposal"], actor=users["sales"])  # 50 %
    manager = api_as("manager")
    jalali_close = jdatetime.date.fromgregorian(date=deal.expected_close)
    month = f"{jalali_close.year}/{jalali_close.month}"  # sales months are Jalali by default
    target = manager.put("/targets", {"month": month, "amount": "2000000", "owner": users["sales"].pk})
    assert target.status_code == 200, target.content
    assert_error(
        api_as("sales").put("/targets", {"month": month, "amount": "1", "owner": users["sales"].pk}),
        403,
        "permission_denied",
    )
    assert_error(
        manager.put("/targets", {"month": month, "amount": "1", "owner": users["outsider"].pk}),
        403,
        "permission_denied",
    )
    body = manager.get("/forecast", {"start": deal.expected_close.isoformat(), "months": 1}).json()
    assert Decimal(body["months"][0]["weighted"]) == Decimal("500000")
    owner_row = next(row for row in body["owners"] if row["owner_id"] == users["sales"].pk)
    assert Decimal(owner_row["months"][0]["target"]) == Decimal("2000000")
    manager.put("/targets", {"month": month, "amount": "3000000", "team": users["manager"].team_id})
    body = manager.get("/forecast", {"start": deal.expected_close.isoformat(), "months": 1}).json()
    (team_row,) = body["teams"]
    assert team_row["team_id"] == users["sales"].team_id
    assert Decimal(team_row["months"][0]["weighted"]) == Decimal("500000")
    assert Decimal(team_row["months"][0]["target"]) == Decimal("3000000")


def test_billing_of_someone_elses_deal_is_denied(api_as, make_deal, products, users):
    deal = make_deal(owner="sales2", amount=0)
    deals.deal_line_add(deal=deal, actor=users["admin"], data={"product": products["crm"], "quantity": "1"})
    quote = billing.quote_create(deal=deal, actor=users["admin"])
    sales, outsider = api_as("sales"), api_as("outsider")
    assert_error(sales.post(f"/quotes/{quote.pk}/accept"), 403, "permission_denied")
    assert_error(outsider.post(f"/quotes/{quote.pk}/accept"), 404, "not_found")
    assert_error(outsider.get(f"/quotes/{quote.pk}/pdf"), 404, "not_found")
    quote.refresh_from_db()
    assert quote.status == "draft"


def test_sales_settings_through_the_api(api, api_as, pipeline):
    body = {
        "name": "پروژه‌های دولتی",
        "stages": [
            {"name": "مناقصه", "probability": 20},
            {"name": "برنده", "probability": 100, "outcome": "won"},
            {"name": "بازنده", "probability": 0, "outcome": "lost"},
        ],
    }
    assert_error(api_as("manager").post("/pipelines", body), 403, "permission_denied")
    created = api.post("/pipelines", body)
    assert created.status_code == 201 and [s["name"] for s in created.json()["stages"]] == [
        "مناقصه",
        "برنده",
        "بازنده",
    ]
    assert_error(
        api.post("/pipelines", {**body, "stages": body["stages"][:1]}), 422, "validation_error", "stages"
    )
    rule = api.post("/lead-score-rules", {"kind": "source", "value": "referral", "points": 25})
    assert rule.status_code == 201 and rule.json()["points"] == 25
    assert_error(
        api.post("/lead-score-rules", {"kind": "source", "value": "x", "points": 5}), 422, "validation_error"
    )
    form = api.post(
        "/web-forms",
        {
            "name": "Contact",
            "title": "Talk to us",
            "fields": ["last_name", "email"],
            "required": ["email"],
            "language": "en",
        },
    )
    assert form.status_code == 201 and len(form.json()["key"]) >= 20
    assert_error(
        api.post("/web-forms", {"name": "x", "title": "y", "fields": ["password"]}), 422, "validation_error"
    )


def test_quotes_are_listed_for_whoever_may_see_them(api_as, make_deal, products, users):
    mine = make_deal(amount=0)
    theirs = make_deal(owner="outsider", amount=0)
    for deal in (mine, theirs):
        deals.deal_line_add(
            deal=deal, actor=users["admin"], data={"product": products["crm"], "quantity": "1"}
        )
    first = billing.quote_create(deal=mine, actor=users["admin"])
    second = billing.quote_create(deal=mine, actor=users["admin"])
    hidden = billing.quote_create(deal=theirs, actor=users["admin"])
    sales = api_as("sales")
    assert ids(sales.get("/quotes")) == [second.pk, first.pk]
    assert ids(api_as("admin").get("/quotes", {"deal": theirs.pk})) == [hidden.pk]
    assert [q["id"] for q in sales.get(f"/deals/{mine.pk}/quotes").json()] == [second.pk, first.pk]
    assert "lines" not in sales.get("/quotes").json()["items"][0]
    assert_error(sales.get(f"/deals/{theirs.pk}/quotes"), 404, "not_found")
    assert api_as("readonly").get("/quotes").json()["items"] == []


def test_quote_list_queries_do_not_grow(sales_api, make_deal, products, users, queries):
    def quote() -> None:
        deal = make_deal(amount=0)
        deals.deal_line_add(
            deal=deal, actor=users["admin"], data={"product": products["crm"], "quantity": "1"}
        )
        billing.quote_create(deal=deal, actor=users["admin"])

    quote()
    sales_api.get("/quotes")
    with queries() as few:
        sales_api.get("/quotes")
    for _i in range(5):
        quote()
    with queries() as many:
        assert len(ids(sales_api.get("/quotes"))) == 6
    assert len(many) == len(few)


def test_lead_contacts_are_listed(sales_api, api_as):
    lead = sales_api.post("/leads", {"last_name": "نادری", "phone": "09121112233"}).json()
    assert (
        sales_api.post(f"/leads/{lead['id']}/touches", {"channel": "phone", "note": "اول"}).status_code == 201
    )
    touches = sales_api.get(f"/leads/{lead['id']}/touches").json()
    assert [(t["channel"], t["note"], t["actor"]["username"]) for t in touches] == [("phone", "اول", "sales")]
    assert_error(api_as("outsider").get(f"/leads/{lead['id']}/touches"), 404, "not_found")


def test_targets_are_read_by_those_who_may(api_as, users, team_a, team_b):
    manager = api_as("manager")
    assert (
        manager.put("/targets", {"month": "1405/09", "amount": "5000000", "team": team_a.pk}).status_code
        == 200
    )
    assert (
        manager.put(
            "/targets", {"month": "1405/09", "amount": "2000000", "owner": users["sales"].pk}
        ).status_code
        == 200
    )
    api_as("admin").put("/targets", {"month": "1405/09", "amount": "9", "team": team_b.pk})
    mine = api_as("sales").get("/targets", {"month": "1405/09"}).json()
    assert {(t["team_id"], t["owner_id"], t["amount"]) for t in mine} == {
        (team_a.pk, None, "5000000.00"),
        (None, users["sales"].pk, "2000000.00"),
    }
    assert len(api_as("admin").get("/targets").json()) == 3
    assert [(t["team_id"], t["amount"]) for t in api_as("outsider").get("/targets").json()] == [
        (team_b.pk, "9.00")
    ]
    assert_error(api_as("readonly").get("/targets"), 403, "permission_denied")
    assert_error(manager.get("/targets", {"month": "13/99"}), 422, "validation_error", "month")


def test_rules_are_changed_and_retired_through_the_api(api, api_as, team_a, users):
    rule = api.post("/lead-score-rules", {"kind": "source", "value": "referral", "points": 25}).json()
    changed = api.patch(f"/lead-score-rules/{rule['id']}", {"points": 30})
    assert (
        changed.status_code == 200
        and changed.json()["points"] == 30
        and changed.json()["value"] == "referral"
    )
    assert_error(
        api.patch(f"/lead-score-rules/{rule['id']}", {"value": "nope"}), 422, "validation_error", "value"
    )
    assert_error(
        api_as("manager").patch(f"/lead-score-rules/{rule['id']}", {"points": 1}), 403, "permission_denied"
    )
    assert_error(api_as("manager").post(f"/lead-score-rules/{rule['id']}/retire"), 403, "permission_denied")
    assert ScoreRule.objects.get().active
    retired = api.post(f"/lead-score-rules/{rule['id']}/retire")
    assert retired.status_code == 200 and retired.json()["active"] is False
    assignment = api.post("/lead-assignment-rules", {"kind": "any", "team_id": team_a.pk}).json()
    moved = api.patch(
        f"/lead-assignment-rules/{assignment['id']}", {"order": 3, "user_id": users["sales"].pk}
    )
    assert moved.status_code == 200 and (moved.json()["order"], moved.json()["user_id"]) == (
        3,
        users["sales"].pk,
    )
    assert moved.json()["team_id"] == team_a.pk
    refused = api.patch(f"/lead-assignment-rules/{assignment['id']}", {"user_id": users["support"].pk})
    assert_error(refused, 422, "validation_error", "user")
    assert_error(
        api.post("/lead-assignment-rules", {"kind": "any", "user_id": users["readonly"].pk}),
        422,
        "validation_error",
        "user",
    )
    assert api.post(f"/lead-assignment-rules/{assignment['id']}/retire").json()["active"] is False
    assert not AssignmentRule.objects.filter(active=True).exists()
    assert_error(api.patch("/lead-score-rules/999999", {"points": 1}), 404, "not_found")


def test_price_lists_through_the_api(api, sales_api, price_list, products):
    assert_error(
        sales_api.post("/price-lists", {"name": "Export", "currency": "USD"}), 403, "permission_denied"
    )
    made = api.post("/price-lists", {"name": "Export", "currency": "USD"})
    assert made.status_code == 201, made.content
    export = made.json()
    assert (export["currency"], export["is_default"], export["products"]) == ("USD", False, 0)
    assert_error(
        api.post("/price-lists", {"name": "export", "currency": "EUR"}), 422, "validation_error", "name"
    )
    assert_error(
        api.post("/price-lists", {"name": "X", "currency": "XYZ"}), 422, "validation_error", "currency"
    )
    priced = api.patch(
        f"/products/{products['crm'].pk}", {"prices": [{"price_list_id": export["id"], "price": "2500.50"}]}
    )
    assert priced.status_code == 200
    assert {(p["price_list"], p["price"]) for p in priced.json()["prices"]} == {
        ("Standard", "12500000.00"),
        ("Export", "2500.50"),
    }
    too_much = api.patch(
        f"/products/{products['crm'].pk}",
        {
            "prices": [
                {"price_list_id": price_list.pk, "price": "1"},
                {"price_list_id": export["id"], "price": "10000000000000"},
            ]
        },
    )
    assert_error(too_much, 422, "validation_error", "prices.1.price")
    assert products["crm"].prices.get(price_list=price_list).price == 12500000  # nothing changed
    lists = sales_api.get("/price-lists").json()
    assert [(pl["name"], pl["products"]) for pl in lists] == [("Standard", 3), ("Export", 1)]
    # A list with prices keeps its currency: its prices would mean something else.
    assert_error(
        api.patch(f"/price-lists/{export['id']}", {"currency": "EUR"}), 422, "validation_error", "currency"
    )
    renamed = api.patch(f"/price-lists/{export['id']}", {"name": "Export 1405", "is_default": True})
    assert renamed.json()["is_default"] and not PriceList.objects.get(pk=price_list.pk).is_default
    assert_error(
        api.patch(f"/price-lists/{export['id']}", {"active": False}), 422, "validation_error", "active"
    )
