"""Field service in a real browser, in Persian (RTL) and English: a dispatcher drags a visit
onto a technician's day on the board, and the technician works it on a phone: check in, a
part, a photo, check out, the customer's signature drawn with a finger."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from peyvand.sales.services import catalogue
from peyvand.service.models import WorkOrder, WorkStatus
from peyvand.service.services import field

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


@pytest.fixture
def customer(make_org):
    return make_org(name="فروشگاه زنجیره‌ای آفتاب")


@pytest.fixture
def belt(users):
    prices = catalogue.price_list_create(actor=users["admin"], name="فهرست", currency="IRR", is_default=True)
    return catalogue.product_create(
        actor=users["admin"],
        data={"sku": "BLT-1", "name_fa": "تسمه", "name_en": "Belt", "unit": "piece", "tax_rate": "10"},
        prices={prices: "250000"},
    )


@pytest.mark.parametrize("locale", ["fa-IR", "en-US"])
def test_a_dispatcher_drags_a_visit_onto_a_technicians_day(signed_in, users, customer, locale):
    visit = field.work_order_create(
        actor=users["manager"], data=field.WorkOrderInput(party=customer, title="نصب یخچال ویترینی")
    )
    day = dt.date.today() + dt.timedelta(days=1)
    busy = field.work_order_create(
        actor=users["manager"], data=field.WorkOrderInput(party=customer, title="سرویس")
    )
    start = dt.datetime.combine(day, dt.time(9), tzinfo=TEHRAN)
    field.work_order_schedule(
        actor=users["manager"], work_order=busy, technician=users["support"], start=start,
        end=start + dt.timedelta(hours=1),
    )  # fmt: skip
    page = signed_in("manager", locale=locale)
    page.goto(f"/field/?start={day.isoformat()}")
    if locale == "fa-IR":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    cell = page.locator(f"[data-testid=cell-{users['support'].pk}-{day.isoformat()}]")
    card = page.locator(f"[data-testid=card-{visit.pk}]")
    expect(page.locator("[data-testid=board-pile]")).to_contain_text("نصب یخچال ویترینی")

    # 09:00 is taken by the other visit: the board says why and the card stays on the pile.
    card.drag_to(cell)
    expect(page.locator("[data-testid=board-error]")).to_contain_text("سرویس")
    visit.refresh_from_db()
    assert visit.status == WorkStatus.UNSCHEDULED

    field.work_order_schedule(actor=users["manager"], work_order=busy, technician=None, start=None, end=None)
    page.locator(f"[data-testid=card-{visit.pk}]").drag_to(cell)
    expect(cell.locator(f"[data-testid=card-{visit.pk}]")).to_be_visible()
    visit.refresh_from_db()
    assert (visit.status, visit.technician_id) == (WorkStatus.SCHEDULED, users["support"].pk)
    assert visit.scheduled_start is not None and visit.scheduled_start.astimezone(TEHRAN).hour == 9


@pytest.mark.parametrize("locale", ["fa-IR", "en-US"])
def test_a_technician_closes_a_visit_on_a_phone_with_the_customers_signature(
    signed_in, page_errors, users, customer, belt, tmp_path, locale
):
    visit = field.work_order_create(
        actor=users["manager"], data=field.WorkOrderInput(party=customer, title="تعمیر یخچال ویترینی")
    )
    now = dt.datetime.now(TEHRAN).replace(second=0, microsecond=0)
    field.work_order_schedule(
        actor=users["manager"], work_order=visit, technician=users["support"], start=now,
        end=now + dt.timedelta(hours=1),
    )  # fmt: skip
    page = signed_in("support", locale=locale)
    page.set_viewport_size(PHONE)
    page.goto("/field/today/")
    page.locator(f"[data-testid=visit-{visit.pk}]").click()
    expect(page).to_have_url(re.compile(rf"/field/work-orders/{visit.pk}/$"))

    page.locator("[data-testid=check-in]").click()
    parts = page.locator("[data-testid=part-form]")
    parts.locator("[name=product]").select_option(str(belt.pk))
    parts.locator("[name=quantity]").fill("۲")
    parts.locator("button").click()
    expect(page.locator("[data-testid=parts]")).to_contain_text("BLT-1")

    photo = tmp_path / "before.png"
    photo.write_bytes(PNG_1PX)
    photos = page.locator("[data-testid=photo-form]")
    photos.locator("[name=image]").set_input_files(str(photo))
    photos.locator("button").click()
    expect(page.locator("[data-testid=photos] img")).to_have_count(1)

    checkout = page.locator("[data-testid=check-out-form]")
    checkout.locator("[name=result]").select_option("fixed")
    checkout.locator("[name=notes]").fill("کمپرسور تمیز شد")
    page.locator("[data-testid=check-out]").click()

    pad = page.locator("[data-testid=signature-pad]")
    expect(pad).to_be_visible()
    # Signing without a stroke is refused (the form again, 400); then a stroke across the pad.
    page_errors.expect_status(400, f"/field/work-orders/{visit.pk}/sign/")
    page.locator("[data-testid=signature-form] [name=signed_by]").fill("مدیر فروشگاه")
    page.locator("[data-testid=sign]").click()
    page_form = page.locator("[data-testid=signature-form]")
    expect(page_form.locator(".alert-danger")).to_be_visible()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 100 + (20 if step % 2 else -20))
    page.mouse.up()
    page_form.locator("[name=signed_by]").fill("مدیر فروشگاه")
    page.locator("[data-testid=sign]").click()
    expect(page.locator("[data-testid=signature]")).to_contain_text("مدیر فروشگاه")

    visit = WorkOrder.objects.get(pk=visit.pk)
    assert visit.status == WorkStatus.DONE and visit.result == "fixed"
    assert visit.signature.read().startswith(b"\x89PNG") and visit.signed_by == "مدیر فروشگاه"
    assert [(p.product_id, int(p.quantity)) for p in visit.parts.all()] == [(belt.pk, 2)]
    assert visit.photos.count() == 1
