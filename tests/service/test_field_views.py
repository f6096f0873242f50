"""Field service's pages: every one opens in Persian and English, forms validate, the board
and the files go through the permission policy."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peyvand.service.models import ServiceContract, WorkOrder, WorkStatus
from peyvand.service.services import contracts, field, tickets

pytestmark = pytest.mark.django_db
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def _visit(users: dict[str, Any], party: Any, title: str = "تعمیر پکیج", hour: int = 9) -> WorkOrder:
    work = field.work_order_create(
        actor=users["manager"], data=field.WorkOrderInput(party=party, title=title)
    )
    start = dt.datetime.combine(TOMORROW, dt.time(hour), tzinfo=TEHRAN)
    field.work_order_schedule(
        actor=users["manager"], work_order=work, technician=users["support"], start=start,
        end=start + dt.timedelta(hours=1),
    )  # fmt: skip
    work.refresh_from_db()
    return work


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_field_service_page_opens(users, customer, as_user, language):
    planned = _visit(users, customer)
    done = _visit(users, customer, "سرویس", hour=12)
    field.work_order_check_in(actor=users["support"], work_order=done)
    field.work_order_check_out(actor=users["support"], work_order=done, result="fixed")
    contract = contracts.contract_save(
        actor=users["manager"],
        data=contracts.ContractInput(
            party=customer, name="قرارداد", starts_on=TOMORROW, ends_on=TOMORROW + dt.timedelta(days=365)
        ),
    )
    ticket = tickets.ticket_open(
        actor=users["support"], data=tickets.TicketInput(party=customer, subject="خرابی"), description=""
    )
    client = as_user("manager")
    client.cookies["django_language"] = language
    users["manager"].language = language
    users["manager"].save()
    for path in (
        "/field/",
        f"/field/?start={TOMORROW.isoformat()}",
        "/field/today/",
        "/field/work-orders/",
        "/field/work-orders/?view=all&q=پکیج&status=scheduled&billed=no",
        "/field/work-orders/new/",
        f"/field/work-orders/new/?party={customer.pk}",
        f"/field/work-orders/new/?ticket={ticket.pk}",
        f"/field/work-orders/{planned.pk}/",
        f"/field/work-orders/{planned.pk}/edit/",
        f"/field/work-orders/{done.pk}/",
        "/field/contracts/",
        "/field/contracts/?state=future",
        "/field/contracts/new/",
        f"/field/contracts/{contract.pk}/",
        f"/customers/{customer.pk}/",
        f"/tickets/{ticket.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    detail = client.get(f"/field/work-orders/{done.pk}/").content.decode()
    assert ('<html lang="fa"' in detail) == (language == "fa")
    assert "data-signature" in detail  # done and not signed: the pad is there


def test_a_work_order_made_from_the_form_is_the_customers(users, customer, as_user):
    client = as_user("manager")
    response = client.post(
        "/field/work-orders/new/",
        {"party": customer.pk, "title": "  نصب   دستگاه ", "description": "طبقه دوم"},
    )
    work = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/field/work-orders/{work.pk}/"
    assert (work.party, work.title, work.status) == (customer, "نصب دستگاه", WorkStatus.UNSCHEDULED)
    response = client.post("/field/work-orders/new/", {"party": customer.pk, "title": ""})
    assert response.status_code == 200 and WorkOrder.objects.count() == 1


def test_a_window_in_persian_digits_and_the_jalali_calendar_books_the_visit(users, customer, as_user):
    work = field.work_order_create(
        actor=users["manager"], data=field.WorkOrderInput(party=customer, title="نصب")
    )
    client = as_user("manager")
    response = client.post(
        f"/field/work-orders/{work.pk}/schedule/",
        {"technician": users["support"].pk, "start": "۱۴۰۹/۰۱/۱۵ ۰۹:۳۰", "end": "۱۴۰۹/۰۱/۱۵ ۱۱:۰۰"},
    )
    assert response.status_code == 302
    work.refresh_from_db()
    assert timezone.localtime(work.scheduled_start).date() == dt.date(2030, 4, 4)
    response = client.post(
        f"/field/work-orders/{work.pk}/schedule/",
        {"technician": users["support"].pk, "start": "۱۴۰۹/۰۱/۱۵ ۱۱:۰۰", "end": "۱۴۰۹/۰۱/۱۵ ۰۹:۰۰"},
    )
    assert response.status_code == 400 and "پایان باید پس از آغاز باشد" in response.content.decode()


def test_a_drop_on_a_busy_day_redraws_the_board_with_the_reason(users, customer, as_user):
    _visit(users, customer, "سرویس دوره‌ای")
    loose = field.work_order_create(
        actor=users["manager"], data=field.WorkOrderInput(party=customer, title="نصب")
    )
    client = as_user("manager")
    response = client.post(
        f"/field/work-orders/{loose.pk}/move/",
        {"technician": users["support"].pk, "day": TOMORROW.isoformat(), "start": TOMORROW.isoformat()},
    )
    assert response.status_code == 200
    assert 'data-testid="board-error"' in response.content.decode()
    assert "سرویس دوره‌ای" in response.content.decode()
    loose.refresh_from_db()
    assert loose.status == WorkStatus.UNSCHEDULED
    # Nothing chosen: the reason, not a 500.
    response = client.post(f"/field/work-orders/{loose.pk}/move/", {"day": "not a day"})
    assert response.status_code == 200 and 'data-testid="board-error"' in response.content.decode()


def test_those_who_may_not_change_a_visit_cannot_move_it_or_see_its_files(users, customer, as_user):
    work = _visit(users, customer)
    field.work_order_check_in(actor=users["support"], work_order=work)
    field.work_photo_add(actor=users["support"], work_order=work, upload=SimpleUploadedFile("a.png", PNG_1PX))
    photo = work.photos.get()
    seen = as_user("support").get(f"/field/work-orders/{work.pk}/photos/{photo.pk}/")
    assert seen.status_code == 200 and seen["Cache-Control"] == "private, no-store"
    assert b"".join(seen.streaming_content) == PNG_1PX
    assert as_user("outsider").get(f"/field/work-orders/{work.pk}/photos/{photo.pk}/").status_code == 404
    assert as_user("marketing").get(f"/field/work-orders/{work.pk}/").status_code == 404
    moved = as_user("sales").post(f"/field/work-orders/{work.pk}/move/", {"unschedule": "on"})
    assert moved.status_code == 403
    work.refresh_from_db()
    assert work.status == WorkStatus.IN_PROGRESS


def test_a_contract_form_reads_jalali_dates_and_refuses_an_end_before_the_start(users, customer, as_user):
    client = as_user("manager")
    data = {"party": customer.pk, "name": "نگهداری", "starts_on": "۱۴۰۶/۰۱/۰۱", "ends_on": "۱۴۰۵/۱۲/۲۹"}
    response = client.post("/field/contracts/new/", data)
    assert response.status_code == 200 and not ServiceContract.objects.exists()
    assert "پیش از شروع" in response.content.decode()
    response = client.post("/field/contracts/new/", {**data, "ends_on": "۱۴۰۶/۱۲/۲۹", "hours_included": "۲۰"})
    contract = ServiceContract.objects.get()
    assert response.status_code == 302
    assert (contract.starts_on, contract.hours_included) == (dt.date(2027, 3, 21), 20)
    assert as_user("support").post(f"/field/contracts/{contract.pk}/", {"name": "x"}).status_code == 403
