"""The sales API: the same services and policy as the pages, one error format, no 500s."""

from __future__ import annotations

import io
from decimal import Decimal

import jdatetime
import pytest

from peyvand.sales.models import Deal, DealLine, Invoice, Lead, Payment
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


def test_imports_report_every_bad_row_and_write_nothing(api, make_org, products):
    csv_text = (
        "order,customer,date,sku,quantity,unit_price,amount\n"
        "A1,شرکت نمونه,1403/05/01,CRM-1,1,100,100\n"
        "A2,کسی که نیست,1403/05/01,CRM-1,1,100,\n"
        "A3,شرکت نمونه,1403/13/01,NOPE,-1,100,\n"
    )
    make_org()
    upload = io.BytesIO(csv_text.encode())
    upload.name = "orders.csv"
    response = api.client.post("/api/v1/orders/import", {"file": upload}, headers=api.headers)
    assert response.status_code == 422
    errors = {(e["row"], e["column"]) for e in response.json()["errors"]}
    assert {(3, "customer"), (4, "date"), (4, "sku"), (4, "quantity")} <= errors
    assert not Deal.objects.exists() and not Lead.objects.exists()


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
