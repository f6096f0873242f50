"""Field service: contracts, booking a visit in a free window, the day on site, billing."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peyvand.activities.models import Activity
from peyvand.activities.services import activities as activity_services
from peyvand.core import jalali, policy
from peyvand.customers.models import ContactPoint
from peyvand.notifications.models import Notification
from peyvand.sales.models import OrderLine
from peyvand.sales.services import catalogue
from peyvand.service.models import BusinessCalendar, ServiceContract, Skill, SlaPolicy, WorkOrder, WorkStatus
from peyvand.service.selectors import field as selectors
from peyvand.service.services import contracts, field, tickets

pytestmark = pytest.mark.django_db
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def catalogue_items(users: dict[str, Any]) -> dict[str, Any]:
    prices = catalogue.price_list_create(actor=users["admin"], name="فهرست", currency="IRR", is_default=True)

    def product(sku: str, name: str, unit: str, price: str, tax: str = "10") -> Any:
        return catalogue.product_create(
            actor=users["admin"],
            data={"sku": sku, "name_fa": name, "unit": unit, "tax_rate": tax},
            prices={prices: price},
        )

    return {
        "hour": product("LAB-1", "ساعت کار تکنسین", "hour", "1000000"),
        "filter": product("FLT-1", "فیلتر", "piece", "250000"),
    }


@pytest.fixture
def site(customer: Any, users: dict[str, Any]) -> Any:
    ContactPoint.objects.create(
        party=customer,
        kind="address",
        value="خیابان آزادی، پلاک ۱۰",
        street="خیابان آزادی، پلاک ۱۰",
        city="تهران",
        is_primary=True,
    )
    return customer


def _contract(users: dict[str, Any], party: Any, **data: Any) -> ServiceContract:
    today = timezone.localdate()
    fields = {"party": party, "name": "قرارداد نگهداری", "starts_on": today - dt.timedelta(days=30),
              "ends_on": today + dt.timedelta(days=335), **data}  # fmt: skip
    return contracts.contract_save(actor=users["manager"], data=contracts.ContractInput(**fields))


def _work(users: dict[str, Any], party: Any, actor: str = "support", **data: Any) -> WorkOrder:
    return field.work_order_create(
        actor=users[actor],
        data=field.WorkOrderInput(party=party, title=data.pop("title", "تعمیر پکیج"), **data),
    )


def _activity(users: dict[str, Any], **data: Any) -> Activity:
    fields = {"kind": "meeting", "assignee": users["support"], **data}
    return activity_services.activity_create(actor=users["admin"], data=fields, reminders=[])


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TEHRAN)


TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def test_a_new_work_order_takes_the_customers_address_contract_and_hourly_product(
    users, site, catalogue_items
):
    contract = _contract(users, site)
    work = _work(users, site)
    assert work.number.startswith("WO-")
    assert work.site_address == "خیابان آزادی، پلاک ۱۰، تهران"
    assert work.contract == contract
    assert work.labour_product == catalogue_items["hour"]
    assert work.status == WorkStatus.UNSCHEDULED


def test_a_work_order_needs_a_job_and_stays_with_its_customer(users, site, make_person):
    with pytest.raises(ValidationError) as error:
        _work(users, site, title="   ")
    assert "title" in error.value.message_dict
    work = _work(users, site)
    with pytest.raises(ValidationError) as error:
        field.work_order_update(
            actor=users["support"], work_order=work, data=field.WorkOrderInput(party=make_person())
        )
    assert "party" in error.value.message_dict


def test_another_customers_contract_or_ticket_is_refused(users, site, make_person, open_ticket):
    other = make_person(first_name="رضا")
    foreign = _contract(users, other)
    with pytest.raises(ValidationError) as error:
        _work(users, site, contract=foreign)
    assert "contract" in error.value.message_dict
    ticket = tickets.ticket_open(
        actor=users["support"], data=tickets.TicketInput(party=other, subject="خرابی"), description=""
    )
    with pytest.raises(ValidationError) as error:
        _work(users, site, ticket=ticket)
    assert "ticket" in error.value.message_dict
    assert open_ticket().party == site  # the customer's own ticket is fine
    assert _work(users, site, ticket=open_ticket()).ticket is not None


def test_booking_a_visit_tells_the_technician_once(users, site):
    work = _work(users, site, actor="manager")
    field.work_order_schedule(
        actor=users["manager"], work_order=work, technician=users["support"],
        start=_at(TOMORROW, 9), end=_at(TOMORROW, 11),
    )  # fmt: skip
    work.refresh_from_db()
    assert (work.status, work.technician) == (WorkStatus.SCHEDULED, users["support"])
    assert Notification.objects.filter(recipient=users["support"], kind="work_assigned").count() == 1


def test_a_window_that_overlaps_another_visit_or_an_activity_is_refused(users, site):
    first = _work(users, site, actor="manager")
    second = _work(users, site, actor="manager", title="نصب")
    book = {"actor": users["manager"], "technician": users["support"]}
    field.work_order_schedule(work_order=first, start=_at(TOMORROW, 9), end=_at(TOMORROW, 11), **book)
    with pytest.raises(ValidationError) as error:
        field.work_order_schedule(work_order=second, start=_at(TOMORROW, 10), end=_at(TOMORROW, 12), **book)
    assert jalali.local_digits(first.number) in str(error.value)  # WO-۰۰۰۰۰۱ in Persian
    _activity(users, title="جلسه تیم", due_at=_at(TOMORROW, 14), ends_at=_at(TOMORROW, 15))
    with pytest.raises(ValidationError) as error:
        field.work_order_schedule(
            work_order=second, start=_at(TOMORROW, 13), end=_at(TOMORROW, 14, 30), **book
        )
    assert "جلسه تیم" in str(error.value)
    # Back to back is free; moving a visit onto its own old window is too.
    field.work_order_schedule(work_order=second, start=_at(TOMORROW, 11), end=_at(TOMORROW, 13), **book)
    field.work_order_schedule(work_order=first, start=_at(TOMORROW, 9), end=_at(TOMORROW, 11), **book)
    assert Activity.objects.count() == 1


def test_a_job_goes_only_to_a_technician_with_its_skills(users, site):
    boiler = Skill.objects.create(name="پکیج")
    work = _work(users, site, actor="manager", skills=[boiler])
    book = {
        "actor": users["manager"],
        "work_order": work,
        "start": _at(TOMORROW, 9),
        "end": _at(TOMORROW, 10),
    }
    with pytest.raises(ValidationError) as error:
        field.work_order_schedule(technician=users["support"], **book)
    assert "پکیج" in str(error.value)
    boiler.agents.add(users["support"])
    field.work_order_schedule(technician=users["support"], **book)


def test_the_end_must_come_after_the_start(users, site):
    work = _work(users, site, actor="manager")
    with pytest.raises(ValidationError) as error:
        field.work_order_schedule(
            actor=users["manager"], work_order=work, technician=users["support"],
            start=_at(TOMORROW, 10), end=_at(TOMORROW, 10),
        )  # fmt: skip
    assert "scheduled_end" in error.value.message_dict


def _on_site(users: dict[str, Any], work: WorkOrder, minutes: int = 100) -> WorkOrder:
    field.work_order_schedule(
        actor=users["manager"], work_order=work, technician=users["support"],
        start=_at(TOMORROW, 9), end=_at(TOMORROW, 11),
    )  # fmt: skip
    field.work_order_check_in(actor=users["support"], work_order=work, at=_at(TOMORROW, 9, 5))
    return work


def test_a_visit_from_check_in_to_signature(users, site, catalogue_items):
    work = _on_site(users, _work(users, site, actor="manager"))
    with pytest.raises(ValidationError):
        field.work_order_sign(actor=users["support"], work_order=work, signature="", signed_by="مریم")
    field.work_part_add(
        actor=users["support"], work_order=work, product=catalogue_items["filter"], quantity="۲"
    )
    photo = field.work_photo_add(
        actor=users["support"], work_order=work, upload=SimpleUploadedFile("x.bin", PNG_1PX), caption="قبل"
    )
    assert photo.content_type == "image/png"
    with pytest.raises(ValidationError) as error:
        field.work_order_check_out(actor=users["support"], work_order=work, result="maybe")
    assert "result" in error.value.message_dict
    field.work_order_check_out(
        actor=users["support"],
        work_order=work,
        result="fixed",
        notes="فیلتر عوض شد",
        at=_at(TOMORROW, 10, 41),
    )
    work.refresh_from_db()
    # 96 minutes on site are billed as an hour and three quarters.
    assert (work.status, work.labour_hours) == (WorkStatus.DONE, Decimal("1.75"))
    signature = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    field.work_order_sign(
        actor=users["support"], work_order=work, signature=signature, signed_by=" مریم احمدی "
    )
    work.refresh_from_db()
    assert work.signed_by == "مریم احمدی" and work.signature.read() == PNG_1PX
    with pytest.raises(ValidationError):
        field.work_order_sign(
            actor=users["support"], work_order=work, signature=signature, signed_by="کسی دیگر"
        )


@pytest.mark.parametrize(
    "signature",
    ["", "data:image/png;base64,not base64!", "data:image/svg+xml;base64,PHN2Zy8+",
     "data:image/png;base64," + base64.b64encode(b"GIF89a....").decode()],
)  # fmt: skip
def test_only_a_drawn_png_is_a_signature(users, site, signature):
    work = _on_site(users, _work(users, site, actor="manager"))
    field.work_order_check_out(actor=users["support"], work_order=work, result="fixed")
    with pytest.raises(ValidationError) as error:
        field.work_order_sign(actor=users["support"], work_order=work, signature=signature, signed_by="مریم")
    assert "signature" in error.value.message_dict


def test_a_photo_is_judged_by_its_content_not_its_name(users, site):
    work = _on_site(users, _work(users, site, actor="manager"))
    with pytest.raises(ValidationError) as error:
        field.work_photo_add(
            actor=users["support"],
            work_order=work,
            upload=SimpleUploadedFile("x.png", b"<script>alert(1)</script>"),
        )
    assert "image" in error.value.message_dict
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (field.MAX_PHOTO_BYTES + 1))
    with pytest.raises(ValidationError):
        field.work_photo_add(actor=users["support"], work_order=work, upload=big)
    assert not work.photos.exists()


def test_check_out_before_check_in_is_refused(users, site):
    work = _work(users, site, actor="manager")
    with pytest.raises(ValidationError):
        field.work_order_check_out(actor=users["manager"], work_order=work, result="fixed")
    with pytest.raises(ValidationError):
        field.work_order_check_in(actor=users["manager"], work_order=work)  # not booked yet


def _done(users: dict[str, Any], work: WorkOrder, hours: str) -> WorkOrder:
    _on_site(users, work)
    field.work_order_check_out(actor=users["support"], work_order=work, result="fixed", labour_hours=hours)
    work.refresh_from_db()
    return work


def test_billing_puts_parts_and_labour_on_an_order_once(users, site, catalogue_items):
    work = _on_site(users, _work(users, site, actor="manager"))
    field.work_part_add(
        actor=users["support"], work_order=work, product=catalogue_items["filter"], quantity="2"
    )
    field.work_order_check_out(actor=users["support"], work_order=work, result="fixed", labour_hours="۱٫۵")
    order = field.work_order_bill(actor=users["manager"], work_order=work)
    lines = list(OrderLine.objects.filter(order=order).order_by("position"))
    assert [(line.quantity, line.unit_price, line.discount_percent) for line in lines] == [
        (Decimal("2"), Decimal("250000"), Decimal("0")),
        (Decimal("1.5"), Decimal("1000000"), Decimal("0")),
    ]
    assert order.total == Decimal("2000000") * Decimal("1.1")
    assert order.party == site
    with pytest.raises(ValidationError):
        field.work_order_bill(actor=users["manager"], work_order=work)
    with pytest.raises(ValidationError):  # parts are fixed once billed
        field.work_part_add(
            actor=users["support"], work_order=work, product=catalogue_items["filter"], quantity="1"
        )


def test_a_contract_covers_its_hours_left_and_the_rest_is_billed(users, site, catalogue_items):
    _contract(users, site, hours_included="3")
    earlier = _done(users, _work(users, site, actor="manager"), "2")
    assert earlier.contract is not None
    assert [line.covered for line in field.bill_lines(earlier)] == [True]
    later = _work(users, site, actor="manager", title="سرویس دوم")
    later.scheduled_start = None
    later.save()
    field.work_order_schedule(
        actor=users["manager"], work_order=later, technician=users["support"],
        start=_at(TOMORROW, 12), end=_at(TOMORROW, 13),
    )  # fmt: skip
    field.work_order_check_in(actor=users["support"], work_order=later)
    field.work_order_check_out(actor=users["support"], work_order=later, result="fixed", labour_hours="2.5")
    later.refresh_from_db()
    lines = field.bill_lines(later)
    assert [(line.values.quantity, line.covered) for line in lines] == [
        (Decimal("1"), True),
        (Decimal("1.5"), False),
    ]
    order = field.work_order_bill(actor=users["manager"], work_order=later)
    assert order.total == Decimal("1500000") * Decimal("1.1")


def test_a_contract_that_covers_parts_bills_them_at_nothing(users, site, catalogue_items):
    _contract(users, site, covers_parts=True)
    work = _on_site(users, _work(users, site, actor="manager"))
    field.work_part_add(
        actor=users["support"], work_order=work, product=catalogue_items["filter"], quantity="1"
    )
    field.work_order_check_out(actor=users["support"], work_order=work, result="fixed")
    work.refresh_from_db()
    assert all(line.covered for line in field.bill_lines(work))
    assert not field.is_billable(work)


def test_a_customers_contract_decides_the_tickets_sla(users, site, open_ticket):
    calendar = BusinessCalendar.objects.create(name="تقویم طلایی")
    gold = SlaPolicy.objects.create(
        name="طلایی", calendar=calendar, priority=4, first_response_minutes=30, resolution_minutes=240,
        order=99,
    )  # fmt: skip
    assert open_ticket().sla_policy != gold
    _contract(users, site, sla_policy=gold)
    assert open_ticket().sla_policy == gold


def test_contract_dates_and_hours_are_checked(users, site):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        _contract(users, site, starts_on=today, ends_on=today - dt.timedelta(days=1))
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _contract(users, site, hours_included="-1")
    assert "hours_included" in error.value.message_dict
    assert _contract(users, site, hours_included="۱۲٫۵").hours_included == Decimal("12.5")
    with pytest.raises(PermissionDenied):
        contracts.contract_save(
            actor=users["support"],
            data=contracts.ContractInput(party=site, name="x", starts_on=today, ends_on=today),
        )


def test_who_sees_and_changes_a_visit(users, site):
    work = _work(users, site, actor="manager")
    field.work_order_schedule(
        actor=users["manager"], work_order=work, technician=users["support"],
        start=_at(TOMORROW, 9), end=_at(TOMORROW, 10),
    )  # fmt: skip
    work.refresh_from_db()
    can = {name: (policy.can_view(user, work), policy.can_change(user, work)) for name, user in users.items()}
    assert can == {
        "admin": (True, True),
        "manager": (True, True),
        "sales": (True, False),
        "sales2": (True, False),
        "support": (True, True),  # the technician
        "marketing": (False, False),
        "readonly": (False, False),
        "outsider": (False, False),  # another team
    }
    with pytest.raises(PermissionDenied):
        field.work_order_check_in(actor=users["sales"], work_order=work)
    work.refresh_from_db()
    assert work.status == WorkStatus.SCHEDULED


def test_the_board_puts_each_visit_in_its_technicians_day_in_few_queries(users, site, queries):
    start = TOMORROW
    for hour in (8, 12):
        work = _work(users, site, actor="manager", title=f"کار {hour}")
        field.work_order_schedule(
            actor=users["manager"], work_order=work, technician=users["support"],
            start=_at(start, hour), end=_at(start, hour + 1),
        )  # fmt: skip
    _work(users, site, actor="manager", title="بی‌نوبت")
    _activity(users, title="تماس", due_at=_at(start, 15))
    with queries() as counted:
        board = selectors.board(user=users["manager"], start=start)
    row = next(row for row in board.rows if row.technician == users["support"])
    assert [w.title for w in row.cells[0].visits] == ["کار 8", "کار 12"]
    assert [a.title for a in row.cells[0].busy] == ["تماس"]
    assert [w.title for w in board.unscheduled] == ["بی‌نوبت"]
    few = len(counted.captured_queries)
    for n in range(5):
        _work(users, site, actor="manager", title=f"اضافه {n}")
    with queries() as counted:
        selectors.board(user=users["manager"], start=start)
    assert len(counted.captured_queries) == few


def test_a_card_moved_on_the_board_keeps_its_time_of_day(users, site):
    work = _work(users, site, actor="manager")
    day = TOMORROW
    start, end = field.window_on(work, day)
    assert (timezone.localtime(start).hour, end - start) == (9, dt.timedelta(hours=2))
    field.work_order_schedule(
        actor=users["manager"], work_order=work, technician=users["support"],
        start=_at(day, 13, 30), end=_at(day, 14),
    )  # fmt: skip
    work.refresh_from_db()
    start, end = field.window_on(work, day + dt.timedelta(days=2))
    assert (timezone.localtime(start).time(), end - start) == (dt.time(13, 30), dt.timedelta(minutes=30))


def test_every_step_reads_on_the_customers_timeline(users, site):
    from peyvand.core.models import AuditEvent

    work = _on_site(users, _work(users, site, actor="manager"))
    field.work_order_check_out(actor=users["support"], work_order=work, result="fixed")
    events = AuditEvent.objects.filter(party_id=site.pk, model__endswith="workorder")
    assert events.count() >= 4
