"""Field service through the API: the same services and policy as the pages, every step of a
visit, the lists' filters and pages, field errors in the caller's language, and who may do what."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from peyvand.core import jalali
from peyvand.core.models import AuditEvent
from peyvand.customers.models import ContactPoint
from peyvand.sales.models import Order
from peyvand.sales.services import catalogue
from peyvand.service.models import ServiceContract, Skill, WorkOrder, WorkPart, WorkStatus

pytestmark = pytest.mark.django_db
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
TOMORROW = timezone.localdate() + dt.timedelta(days=1)
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
PERSIAN = {"Accept-Language": "fa"}


@pytest.fixture
def catalogue_items(users: dict[str, Any]) -> dict[str, Any]:
    prices = catalogue.price_list_create(actor=users["admin"], name="فهرست", currency="IRR", is_default=True)

    def product(sku: str, name: str, unit: str, price: str) -> Any:
        return catalogue.product_create(
            actor=users["admin"],
            data={"sku": sku, "name_fa": name, "unit": unit, "tax_rate": "10"},
            prices={prices: price},
        )

    return {
        "hour": product("LAB-1", "ساعت کار تکنسین", "hour", "1000000"),
        "filter": product("FLT-1", "فیلتر", "piece", "250000"),
    }


@pytest.fixture
def site(customer: Any) -> Any:
    ContactPoint.objects.create(
        party=customer, kind="address", value="خیابان آزادی، پلاک ۱۰", street="خیابان آزادی، پلاک ۱۰",
        city="تهران", is_primary=True,
    )  # fmt: skip
    return customer


def _at(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TEHRAN).isoformat()


def _create(api: Any, party: Any, **body: Any) -> dict[str, Any]:
    response = api.post("/work-orders", {"party_id": party.pk, "title": "تعمیر پکیج", **body})
    assert response.status_code == 201, response.content
    return response.json()


def _book(api: Any, work: dict[str, Any], technician: Any, hour: int = 9, day: dt.date = TOMORROW) -> Any:
    return api.post(
        f"/work-orders/{work['id']}/schedule",
        {"technician_id": technician.pk, "start": _at(day, hour), "end": _at(day, hour + 2)},
    )


@pytest.fixture
def booked(api_as: Any, users: dict[str, Any], site: Any) -> dict[str, Any]:
    """A visit the manager booked for support (team A's technician) tomorrow at nine."""
    manager = api_as("manager")
    work = _create(manager, site)
    response = _book(manager, work, users["support"])
    assert response.status_code == 200, response.content
    return response.json()


def _fields(response: Any) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["error"]["fields"]}


# --- a visit from start to finish ------------------------------------------------------------


def test_a_visit_from_booking_to_signature_and_order(api_as, users, site, catalogue_items):
    manager, support = api_as("manager"), api_as("support")
    today = timezone.localdate()
    contract = manager.post(
        "/service-contracts",
        {"party_id": site.pk, "name": "نگهداری", "starts_on": str(today - dt.timedelta(days=1)),
         "ends_on": str(today + dt.timedelta(days=300)), "hours_included": "1"},
    )  # fmt: skip
    assert contract.status_code == 201, contract.content
    work = _create(manager, site)
    # The customer's address, their contract in force and the hourly product, by default.
    assert work["number"].startswith("WO-") and work["status"] == "unscheduled"
    assert work["site_address"] == "خیابان آزادی، پلاک ۱۰، تهران"
    assert work["contract_id"] == contract.json()["id"]
    assert work["labour_product_id"] == catalogue_items["hour"].pk
    assert work["party"]["id"] == site.pk and work["party"]["display_name"]
    assert work["technician"] is None and work["parts"] == [] and work["order_id"] is None

    booked = _book(manager, work, users["support"])
    assert booked.status_code == 200, booked.content
    assert booked.json()["status"] == "scheduled"
    assert booked.json()["technician"]["id"] == users["support"].pk
    assert booked.json()["scheduled_start"].startswith(f"{TOMORROW.isoformat()}T05:30:00")  # in UTC

    wid = work["id"]
    arrived = support.post(f"/work-orders/{wid}/check-in")
    assert arrived.status_code == 200 and arrived.json()["status"] == "in_progress"
    assert arrived.json()["checked_in_at"] is not None
    part = support.post(
        f"/work-orders/{wid}/parts", {"product_id": catalogue_items["filter"].pk, "quantity": "۲"}
    )
    assert part.status_code == 201, part.content
    assert part.json()["quantity"] == "2.000" and part.json()["description"].startswith("FLT-1")
    extra = support.post(
        f"/work-orders/{wid}/parts", {"product_id": catalogue_items["filter"].pk, "quantity": 1}
    )
    assert support.delete(f"/work-orders/{wid}/parts/{extra.json()['id']}").status_code == 204
    assert support.delete(f"/work-orders/{wid}/parts/{extra.json()['id']}").status_code == 404

    left = support.post(
        f"/work-orders/{wid}/check-out", {"result": "fixed", "notes": "فیلتر عوض شد", "labour_hours": "۱٫۵"}
    )
    assert left.status_code == 200, left.content
    done = left.json()
    assert (done["status"], done["result"], done["labour_hours"]) == ("done", "fixed", "1.50")
    assert [p["id"] for p in done["parts"]] == [part.json()["id"]]

    signed = support.post(
        f"/work-orders/{wid}/signature", {"signature": SIGNATURE, "signed_by": " مریم احمدی "}
    )
    assert signed.status_code == 200, signed.content
    assert signed.json()["signed_by"] == "مریم احمدی" and signed.json()["signed_at"] is not None
    again = support.post(f"/work-orders/{wid}/signature", {"signature": SIGNATURE, "signed_by": "کسی دیگر"})
    assert again.status_code == 422

    bill = manager.post(f"/work-orders/{wid}/bill")
    assert bill.status_code == 201, bill.content
    order = Order.objects.get()
    assert bill.json() == {"order_id": order.pk, "number": order.number}
    # One hour is the contract's; the other half hour and the parts are billed.
    assert order.total == (Decimal("500000") + Decimal("500000")) * Decimal("1.1")
    assert manager.get(f"/work-orders/{wid}").json()["order_id"] == order.pk
    assert manager.post(f"/work-orders/{wid}/bill").status_code == 422
    assert Order.objects.count() == 1
    # Billed: the parts are fixed.
    assert support.delete(f"/work-orders/{wid}/parts/{part.json()['id']}").status_code == 422
    assert manager.get(f"/service-contracts/{contract.json()['id']}").json()["hours_used"] == "1.50"


def test_a_visit_is_changed_unscheduled_and_cancelled_not_deleted(api_as, users, site, make_person):
    manager = api_as("manager")
    boiler = Skill.objects.create(name="پکیج")
    work = _create(manager, site, skill_ids=[boiler.pk], site_address="کارگاه")
    assert [s["name"] for s in work["skills"]] == ["پکیج"] and work["site_address"] == "کارگاه"
    changed = manager.patch(
        f"/work-orders/{work['id']}", {"title": "سرویس سالانه", "skill_ids": [], "contract_id": None}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["skills"]) == ("سرویس سالانه", [])
    # A technician without the job's skills is refused; the job without them is booked.
    manager.patch(f"/work-orders/{work['id']}", {"skill_ids": [boiler.pk]})
    refused = _book(manager, work, users["support"])
    assert refused.status_code == 422 and "technician_id" in _fields(refused)
    boiler.agents.add(users["support"])
    assert _book(manager, work, users["support"]).status_code == 200
    back = manager.post(f"/work-orders/{work['id']}/schedule", {"technician_id": None})
    assert back.status_code == 200
    assert (back.json()["status"], back.json()["technician"], back.json()["scheduled_start"]) == (
        "unscheduled", None, None,
    )  # fmt: skip
    cancelled = manager.post(f"/work-orders/{work['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert manager.post(f"/work-orders/{work['id']}/cancel").status_code == 422
    assert manager.patch(f"/work-orders/{work['id']}", {"title": "x"}).status_code == 422
    assert manager.delete(f"/work-orders/{work['id']}").status_code == 405
    assert WorkOrder.objects.filter(pk=work["id"]).exists()


def test_an_overlapping_window_is_a_field_error_naming_the_other_visit(api_as, users, site, booked):
    manager = api_as("manager")
    other = _create(manager, site, title="نصب")
    response = _book(manager, other, users["support"], hour=10)
    assert response.status_code == 422
    assert booked["number"] in _fields(response)["start"]
    bad = manager.post(
        f"/work-orders/{other['id']}/schedule",
        {"technician_id": users["support"].pk, "start": _at(TOMORROW, 14), "end": _at(TOMORROW, 13)},
    )
    assert bad.status_code == 422 and "end" in _fields(bad)
    assert WorkOrder.objects.get(pk=other["id"]).status == WorkStatus.UNSCHEDULED


def test_a_visit_is_booked_in_jalali_and_persian_digits(api_as, users, site):
    manager = api_as("manager")
    work = _create(manager, site)
    day = jalali.format_date(TOMORROW, "fa")  # "۱۴۰۴/۰۵/۱۲"
    response = manager.post(
        f"/work-orders/{work['id']}/schedule",
        {"technician_id": users["support"].pk, "start": f"{day} ۰۹:۰۰", "end": f"{day} ۱۰:۳۰"},
    )
    assert response.status_code == 200, response.content
    start = dt.datetime.fromisoformat(response.json()["scheduled_start"])
    assert start.astimezone(TEHRAN).replace(tzinfo=None) == dt.datetime.combine(TOMORROW, dt.time(9))


# --- lists --------------------------------------------------------------------------------------


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_list_filters_as_the_page_does(api_as, users, site, make_person, catalogue_items):
    manager = api_as("manager")
    other = make_person(first_name="رضا", last_name="مرادی")
    today = _create(manager, site, title="تعویض فیلتر")
    later = _create(manager, site, title="نصب کولر")
    loose = _create(manager, other, title="بازدید")
    assert _book(manager, today, users["support"], day=TOMORROW).status_code == 200
    assert _book(manager, later, users["support"], day=TOMORROW + dt.timedelta(days=3)).status_code == 200

    assert set(_ids(manager.get("/work-orders"))) == {today["id"], later["id"], loose["id"]}
    assert _ids(manager.get("/work-orders", {"view": "unscheduled"})) == [loose["id"]]
    assert _ids(manager.get("/work-orders", {"technician": "none"})) == [loose["id"]]
    assert set(_ids(manager.get("/work-orders", {"technician": users["support"].pk}))) == {
        today["id"],
        later["id"],
    }
    assert set(_ids(api_as("support").get("/work-orders", {"view": "mine"}))) == {today["id"], later["id"]}
    assert _ids(manager.get("/work-orders", {"party": other.pk})) == [loose["id"]]
    assert _ids(manager.get("/work-orders", {"q": "کولر"})) == [later["id"]]
    assert set(_ids(manager.get("/work-orders", {"status": "scheduled"}))) == {today["id"], later["id"]}
    # A day in Jalali and Persian digits, as a Persian user types it.
    assert _ids(
        manager.get("/work-orders", {"date_from": jalali.format_date(TOMORROW + dt.timedelta(days=1), "fa")})
    ) == [later["id"]]
    assert _ids(manager.get("/work-orders", {"date_to": str(TOMORROW)})) == [today["id"]]
    assert _ids(manager.get("/work-orders", {"sort": "start"})) == [today["id"], later["id"]]
    assert _ids(manager.get("/work-orders", {"sort": "-start"})) == [later["id"], today["id"]]
    manager.post(f"/work-orders/{loose['id']}/cancel")
    assert _ids(manager.get("/work-orders", {"view": "all", "status": "cancelled"})) == [loose["id"]]
    assert loose["id"] not in _ids(manager.get("/work-orders"))
    assert _ids(manager.get("/work-orders", {"billed": "no", "view": "all"})) == []

    support = api_as("support")
    support.post(f"/work-orders/{today['id']}/check-in")
    support.post(f"/work-orders/{today['id']}/check-out", {"result": "fixed", "labour_hours": 1})
    assert _ids(manager.get("/work-orders", {"billed": "no", "view": "done"})) == [today["id"]]
    assert manager.post(f"/work-orders/{today['id']}/bill").status_code == 201
    assert _ids(manager.get("/work-orders", {"billed": "yes", "view": "done"})) == [today["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"view": "everything"}, "view"),
        ({"status": "lost"}, "status"),
        ({"technician": "someone"}, "technician"),
        ({"party": 0}, "party"),
        ({"billed": "maybe"}, "billed"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"sort": "title"}, "sort"),
        ({"limit": 500}, "limit"),
        ({"q": "a\u0000b"}, "q"),
    ],
)
def test_a_bad_filter_is_422_naming_it(api_as, params, field):
    response = api_as("manager").get("/work-orders", params)
    assert response.status_code == 422 and field in _fields(response), response.content


def test_the_list_pages_by_cursor_in_few_queries(api_as, site, queries):
    manager = api_as("manager")
    made = [_create(manager, site, title=f"کار {n}")["id"] for n in range(5)]
    first = manager.get("/work-orders", {"limit": 2}).json()
    second = manager.get("/work-orders", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = manager.get("/work-orders", {"limit": 2, "cursor": second["next_cursor"]}).json()
    seen = [w["id"] for page in (first, second, third) for w in page["items"]]
    assert seen == sorted(made, reverse=True) and third["next_cursor"] is None
    bad = manager.get("/work-orders", {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"
    with queries() as few:
        manager.get("/work-orders", {"limit": 2})
    with queries() as more:
        manager.get("/work-orders", {"limit": 5})
    assert len(more.captured_queries) == len(few.captured_queries)


# --- errors ------------------------------------------------------------------------------------


def test_bad_bodies_are_field_errors_in_persian_and_write_nothing(api_as, site, make_person, booked):
    manager = api_as("manager")
    foreign = ServiceContract.objects.create(
        number="SC-X", party=make_person(first_name="رضا"), name="دیگری",
        starts_on=timezone.localdate(), ends_on=timezone.localdate(),
    )  # fmt: skip
    before = (WorkOrder.objects.count(), AuditEvent.objects.count())
    response = manager.post("/work-orders", {"party_id": site.pk, "colour": "red"}, headers=PERSIAN)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "برخی از مقادیر ارسال‌شده معتبر نیستند."
    assert _fields(response) == {"title": "این فیلد الزامی است.", "colour": "این فیلد قابل تنظیم نیست."}
    response = manager.post("/work-orders", {"party_id": str(site.pk), "title": "x"}, headers=PERSIAN)
    assert _fields(response) == {"party_id": "یک عدد صحیح وارد کنید."}
    response = manager.post("/work-orders", {"party_id": 999999, "title": "x"}, headers=PERSIAN)
    assert _fields(response) == {"party_id": "مشتری‌ای را انتخاب کنید که می‌توانید ببینید."}
    for name in ("labour_product_id", "skill_ids"):
        value = [999999] if name == "skill_ids" else 999999
        response = manager.post(
            "/work-orders", {"party_id": site.pk, "title": "x", name: value}, headers=PERSIAN
        )
        assert _fields(response) == {name: "مقدار معتبری انتخاب کنید."}, name
    response = manager.post("/work-orders", {"party_id": site.pk, "title": "x", "contract_id": foreign.pk})
    assert response.status_code == 422 and list(_fields(response)) == ["contract_id"]
    response = manager.post("/work-orders", {"party_id": site.pk, "title": "   "})
    assert response.status_code == 422 and list(_fields(response)) == ["title"]
    assert (WorkOrder.objects.count(), AuditEvent.objects.count()) == before

    wid = booked["id"]
    response = manager.post(
        f"/work-orders/{wid}/schedule", {"technician_id": 999999, "start": None, "end": None}, headers=PERSIAN
    )
    assert _fields(response) == {"technician_id": "یک کاربر فعال انتخاب کنید."}
    response = manager.post(f"/work-orders/{wid}/schedule", {"start": _at(TOMORROW, 9)})
    assert response.status_code == 422 and "technician_id" in _fields(response)
    response = manager.post(f"/work-orders/{wid}/check-out", {"result": "maybe"})
    assert response.status_code == 422 and "result" in _fields(response)
    response = manager.post(f"/work-orders/{wid}/check-out", {"result": "fixed"})
    assert response.status_code == 422 and response.json()["error"]["fields"] == []  # not checked in
    response = manager.post(
        f"/work-orders/{wid}/parts", {"product_id": 999999, "quantity": "1"}, headers=PERSIAN
    )
    assert _fields(response) == {"product_id": "مقدار معتبری انتخاب کنید."}
    response = manager.post(f"/work-orders/{wid}/parts", {"product_id": 1, "quantity": "بسیار"})
    assert response.status_code == 422 and "quantity" in _fields(response)
    response = manager.post(f"/work-orders/{wid}/parts", {"product_id": 1, "quantity": -1})
    assert response.status_code == 422 and "quantity" in _fields(response)
    response = manager.post(
        f"/work-orders/{wid}/signature", {"signature": "data:image/svg+xml;base64,PHN2Zy8+", "signed_by": ""}
    )
    assert response.status_code == 422
    assert WorkOrder.objects.get(pk=wid).status == WorkStatus.SCHEDULED
    assert (WorkOrder.objects.count(), AuditEvent.objects.count()) == before


def test_a_signature_that_is_not_a_drawn_png_is_refused_on_its_field(api_as, booked):
    support = api_as("support")
    support.post(f"/work-orders/{booked['id']}/check-in")
    support.post(f"/work-orders/{booked['id']}/check-out", {"result": "follow_up"})
    response = support.post(
        f"/work-orders/{booked['id']}/signature",
        {"signature": "data:image/svg+xml;base64,PHN2Zy8+", "signed_by": "مریم"},
    )
    assert response.status_code == 422
    assert _fields(response) == {"signature": "Ask the customer to sign in the box."}
    assert WorkOrder.objects.get(pk=booked["id"]).signed_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/work-orders"),
        ("patch", "/work-orders/{id}"),
        ("post", "/work-orders/{id}/schedule"),
        ("post", "/work-orders/{id}/check-out"),
        ("post", "/work-orders/{id}/parts"),
        ("post", "/work-orders/{id}/signature"),
        ("post", "/service-contracts"),
    ],
)
def test_malformed_json_is_400_and_a_list_for_a_body_422(api_as, booked, method, path):
    manager = api_as("manager")
    url = path.format(id=booked["id"])
    before = AuditEvent.objects.count()
    response = manager.send(method, url, raw='{"title": "نیمه')
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"
    response = manager.send(method, url, raw=b"\xff\xfe{")
    assert response.status_code == 400
    response = manager.send(method, url, ["title"])
    assert response.status_code == 422, response.content
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "path", ["/work-orders/abc", "/work-orders/0", "/work-orders/999999", "/work-orders/۱"]
)
def test_a_bad_or_unknown_id_is_404(api_as, path):
    response = api_as("manager").get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


# --- who may do what ----------------------------------------------------------------------------

SEES = {"admin", "manager", "sales", "sales2", "support"}
CHANGES = {"admin", "manager", "support"}  # support is the technician; sales see their team's visits


@pytest.mark.parametrize(
    "role", ["admin", "manager", "sales", "sales2", "support", "marketing", "readonly", "outsider"]
)
def test_each_role_sees_and_changes_a_technicians_visit_as_the_policy_says(api_as, booked, role):
    api = api_as(role)
    wid = booked["id"]
    response = api.get(f"/work-orders/{wid}")
    assert response.status_code == (200 if role in SEES else 404)
    assert (wid in _ids(api.get("/work-orders"))) == (role in SEES)
    before = (AuditEvent.objects.count(), WorkOrder.objects.get(pk=wid).updated_at)
    response = api.post(f"/work-orders/{wid}/check-in")
    if role in CHANGES:
        assert response.status_code == 200 and response.json()["status"] == "in_progress"
        return
    assert response.status_code == (403 if role in SEES else 404)
    for method, path, body in [
        ("patch", "", {"title": "تغییر"}),
        ("post", "/schedule", {"technician_id": None}),
        ("post", "/cancel", None),
        ("post", "/parts", {"product_id": 1, "quantity": 1}),
        ("post", "/signature", {"signature": SIGNATURE, "signed_by": "x"}),
    ]:
        response = api.send(method, f"/work-orders/{wid}{path}", body)
        assert response.status_code == (403 if role in SEES else 404), (method, path, response.content)
    work = WorkOrder.objects.get(pk=wid)
    assert (work.status, work.title) == (WorkStatus.SCHEDULED, "تعمیر پکیج")
    assert (AuditEvent.objects.count(), work.updated_at) == before


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 201),
        ("manager", 201),
        ("sales", 201),
        ("support", 201),
        ("marketing", 403),
        ("readonly", 403),
    ],
)
def test_who_may_create_a_visit(api_as, site, role, status):
    response = api_as(role).post("/work-orders", {"party_id": site.pk, "title": "بازدید"})
    assert response.status_code == status, response.content
    assert WorkOrder.objects.count() == (1 if status == 201 else 0)


def test_another_teams_user_cannot_reach_a_visit_or_a_customer(api_as, booked, site, catalogue_items):
    outsider = api_as("outsider")
    wid = booked["id"]
    part = WorkPart.objects.create(work_order_id=wid, product=catalogue_items["filter"], quantity=Decimal(1))
    assert outsider.get(f"/work-orders/{wid}").status_code == 404
    assert outsider.delete(f"/work-orders/{wid}/parts/{part.pk}").status_code == 404
    assert outsider.post(f"/work-orders/{wid}/bill").status_code == 404
    # Nor name the customer on a new one (the outsider may make visits, for their own customers).
    response = outsider.post("/work-orders", {"party_id": site.pk, "title": "x"})
    assert response.status_code == 422 and "party_id" in _fields(response)
    assert WorkPart.objects.filter(pk=part.pk).exists() and WorkOrder.objects.count() == 1
    # A sales colleague sees it but may not take its part out.
    assert api_as("sales").delete(f"/work-orders/{wid}/parts/{part.pk}").status_code == 403
    assert WorkPart.objects.filter(pk=part.pk).exists()


def test_billing_asks_to_see_the_visit_and_to_make_orders(api_as, catalogue_items, booked):
    support = api_as("support")
    wid = booked["id"]
    support.post(f"/work-orders/{wid}/check-in")
    support.post(f"/work-orders/{wid}/check-out", {"result": "fixed", "labour_hours": "2"})
    assert support.post(f"/work-orders/{wid}/bill").status_code == 403  # support does not sell
    assert api_as("outsider").post(f"/work-orders/{wid}/bill").status_code == 404
    assert not Order.objects.exists()
    response = api_as("sales").post(f"/work-orders/{wid}/bill")  # sees it, may not change it
    assert response.status_code == 201, response.content
    assert Order.objects.get().pk == response.json()["order_id"]


# --- service contracts --------------------------------------------------------------------------


def test_contracts_are_created_listed_changed_and_deleted(api_as, site, make_person):
    manager = api_as("manager")
    starts = jalali.format_date(timezone.localdate() - dt.timedelta(days=10), "fa")
    created = manager.post(
        "/service-contracts",
        {"party_id": site.pk, "name": "طلایی", "starts_on": starts,
         "ends_on": str(timezone.localdate() + dt.timedelta(days=100)), "hours_included": "۱۲٫۵",
         "covers_parts": True},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    contract = created.json()
    assert contract["number"].startswith("SC-") and contract["hours_included"] == "12.50"
    assert (contract["hours_used"], contract["covers_parts"], contract["sla_policy"]) == ("0.00", True, None)
    expired = manager.post(
        "/service-contracts",
        {"party_id": site.pk, "name": "قدیمی", "starts_on": "2020-01-01", "ends_on": "2020-12-31"},
    ).json()
    other = manager.post(
        "/service-contracts",
        {"party_id": make_person(first_name="رضا").pk, "name": "دیگر", "starts_on": "2030-01-01",
         "ends_on": "2030-12-31"},
    ).json()  # fmt: skip
    assert _ids(manager.get("/service-contracts")) == [other["id"], contract["id"], expired["id"]]
    assert _ids(manager.get("/service-contracts", {"state": "active"})) == [contract["id"]]
    assert _ids(manager.get("/service-contracts", {"state": "expired"})) == [expired["id"]]
    assert _ids(manager.get("/service-contracts", {"state": "future"})) == [other["id"]]
    assert _ids(manager.get("/service-contracts", {"party": site.pk, "sort": "ends"})) == [
        expired["id"],
        contract["id"],
    ]
    assert _ids(manager.get("/service-contracts", {"q": "طلایی"})) == [contract["id"]]

    changed = manager.patch(
        f"/service-contracts/{contract['id']}", {"hours_included": None, "notes": "بدون سقف"}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["hours_included"], changed.json()["notes"]) == (None, "بدون سقف")
    assert manager.delete(f"/service-contracts/{expired['id']}").status_code == 204
    assert manager.get(f"/service-contracts/{expired['id']}").status_code == 404
    assert ServiceContract.all_objects.get(pk=expired["id"]).deleted_at is not None


def test_contract_errors_are_field_errors(api_as, site):
    manager = api_as("manager")
    base = {"party_id": site.pk, "name": "x", "starts_on": "2025-01-10", "ends_on": "2025-01-01"}
    response = manager.post("/service-contracts", base)
    assert response.status_code == 422 and list(_fields(response)) == ["ends_on"]
    changes: list[tuple[dict[str, Any], str]] = [
        ({"hours_included": "-1"}, "hours_included"),
        ({"hours_included": "1000"}, "hours_included"),
        ({"sla_policy_id": 999999}, "sla_policy_id"),
        ({"starts_on": "yesterday"}, "starts_on"),
        ({"party_id": 999999}, "party_id"),
    ]
    for change, name in changes:
        response = manager.post("/service-contracts", {**base, "ends_on": "2025-02-01", **change})
        assert response.status_code == 422 and name in _fields(response), (change, response.content)
    response = manager.post("/service-contracts", {"party_id": site.pk}, headers=PERSIAN)
    assert _fields(response) == dict.fromkeys(("name", "starts_on", "ends_on"), "این فیلد الزامی است.")
    assert not ServiceContract.objects.exists()


@pytest.mark.parametrize(
    ("role", "sees", "creates"),
    [
        ("admin", True, True),
        ("manager", True, True),
        ("sales", True, True),
        ("support", True, False),
        ("marketing", False, False),
        ("readonly", False, False),
        ("outsider", False, True),
    ],
)
def test_who_sees_and_keeps_contracts(api_as, site, role, sees, creates):
    made = (
        api_as("manager")
        .post(
            "/service-contracts",
            {"party_id": site.pk, "name": "x", "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
        )
        .json()
    )
    api = api_as(role)
    assert api.get(f"/service-contracts/{made['id']}").status_code == (200 if sees else 404)
    assert (made["id"] in _ids(api.get("/service-contracts"))) == sees
    response = api.post(
        "/service-contracts",
        {"party_id": site.pk, "name": "y", "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
    )
    # A role that may keep contracts but not see this customer is told so on the field.
    assert response.status_code == (201 if creates and sees else 422 if creates else 403), response.content
    if role in ("support", "marketing", "readonly", "outsider"):
        before = AuditEvent.objects.count()
        assert api.patch(f"/service-contracts/{made['id']}", {"name": "z"}).status_code == (
            403 if sees else 404
        )
        assert api.delete(f"/service-contracts/{made['id']}").status_code == (403 if sees else 404)
        assert ServiceContract.objects.get(pk=made["id"]).name == "x"
        assert AuditEvent.objects.count() == before


def test_photos_are_uploaded_by_their_content_and_listed(api_as, booked):
    from django.core.files.uploadedfile import SimpleUploadedFile

    support = api_as("support")
    support.post(f"/work-orders/{booked['id']}/check-in")
    url = f"/api/v1/work-orders/{booked['id']}/photos"

    def upload(client, name, content, caption=""):
        files = {"image": SimpleUploadedFile(name, content), "caption": caption}
        return client.client.post(url, files, headers=client.headers)

    response = upload(support, "before.bin", PNG_1PX, "پیش از تعمیر")
    assert response.status_code == 201, response.content
    assert (response.json()["content_type"], response.json()["caption"]) == ("image/png", "پیش از تعمیر")
    refused = upload(support, "x.png", b"<svg onload=alert(1)>")
    assert refused.status_code == 422 and _fields(refused) == {"image": "Upload a JPEG, PNG or WebP photo."}
    listed = support.get(f"/work-orders/{booked['id']}/photos").json()
    assert [p["caption"] for p in listed] == ["پیش از تعمیر"]
    assert listed[0]["url"].endswith(f"/photos/{listed[0]['id']}/")
    assert upload(api_as("sales"), "a.png", PNG_1PX).status_code in (403, 404)
    assert api_as("outsider").get(f"/work-orders/{booked['id']}/photos").status_code == 404
