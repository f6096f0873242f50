"""Opening and changing tickets: defaults, validation, the queue, permissions, the audit
trail on the customer's timeline, and the SLA clocks following the status."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peyvand.core.models import AuditEvent
from peyvand.service.models import Message, Priority, SlaPolicy, Status, Ticket
from peyvand.service.services import tickets

pytestmark = pytest.mark.django_db
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TEHRAN)


def test_support_opens_a_ticket_into_the_queue_numbered_in_order(open_ticket, customer):
    first, second = open_ticket(), open_ticket(subject="دومی")
    assert (first.number, second.number) == ("T-000001", "T-000002")
    assert first.assignee is None and first.status == Status.NEW  # the team's queue
    assert first.party == customer
    thread = list(first.messages.all())
    assert [(m.kind, m.body) for m in thread] == [(Message.Kind.CUSTOMER, "سفارش ۱۲۳ هنوز نرسیده است.")]
    event = AuditEvent.objects.get(model="service.ticket", object_id=first.pk, kind=AuditEvent.Kind.CREATE)
    assert event.party_id == customer.pk  # on the customer's timeline
    assert event.changes["number"] == [None, "T-000001"]


def test_one_who_may_hold_only_their_own_tickets_takes_the_one_they_open(open_ticket, users):
    ticket = open_ticket(actor="sales")
    assert ticket.assignee == users["sales"] and ticket.status == Status.OPEN


def test_bad_fields_are_refused_with_every_reason_and_nothing_is_written(users, customer):
    data = tickets.TicketInput(party=customer, subject="  ", channel="pigeon", kind="whim", priority=9)
    with pytest.raises(ValidationError) as caught:
        tickets.ticket_open(actor=users["support"], data=data)
    assert set(caught.value.message_dict) == {"subject", "channel", "kind", "priority"}
    with pytest.raises(ValidationError) as caught:
        tickets.ticket_open(actor=users["support"], data=tickets.TicketInput(subject="x"))
    assert "party" in caught.value.message_dict
    assert not Ticket.objects.exists()


def test_readonly_may_not_open_a_ticket_and_an_outsider_may_not_for_a_customer_they_cannot_see(
    users, customer
):
    with pytest.raises(PermissionDenied):
        tickets.ticket_open(actor=users["readonly"], data=tickets.TicketInput(party=customer, subject="x"))
    with pytest.raises(ValidationError) as caught:
        tickets.ticket_open(actor=users["outsider"], data=tickets.TicketInput(party=customer, subject="x"))
    assert "party" in caught.value.message_dict
    assert not Ticket.objects.exists()


def test_support_works_the_team_queue_but_not_another_teams_tickets(open_ticket, users):
    queued = open_ticket()
    tickets.ticket_update(
        ticket=queued, actor=users["support"], data=tickets.TicketInput(assignee=users["support"])
    )
    queued.refresh_from_db()
    assert queued.assignee == users["support"] and queued.status == Status.OPEN
    theirs = open_ticket(actor="admin", assignee=users["outsider"])
    with pytest.raises(PermissionDenied):
        tickets.ticket_update(
            ticket=theirs, actor=users["support"], data=tickets.TicketInput(priority=Priority.HIGH)
        )
    assert Ticket.objects.get(pk=theirs.pk).priority == Priority.NORMAL


def test_a_sales_user_may_not_give_a_ticket_to_someone_else(open_ticket, users):
    ticket = open_ticket(actor="sales")
    with pytest.raises(ValidationError) as caught:
        tickets.ticket_update(
            ticket=ticket, actor=users["sales"], data=tickets.TicketInput(assignee=users["sales2"])
        )
    assert "assignee" in caught.value.message_dict


def test_the_assignee_is_told_once_when_a_ticket_becomes_theirs(open_ticket, users):
    ticket = open_ticket(actor="admin", assignee=users["support"])
    notices = users["support"].notifications.filter(kind="ticket_assigned")
    assert notices.count() == 1 and notices.get().data["number"] == ticket.number


def test_a_change_of_customer_is_refused(open_ticket, make_person, users):
    ticket = open_ticket()
    other = make_person(first_name="رضا")
    with pytest.raises(ValidationError):
        tickets.ticket_update(ticket=ticket, actor=users["admin"], data=tickets.TicketInput(party=other))


# --- the clocks ------------------------------------------------------------------------------


def test_wednesday_1655_counts_from_thursday_morning_and_skips_friday(open_ticket, users):
    SlaPolicy.objects.filter(priority__isnull=True).update(first_response_minutes=240, resolution_minutes=480)
    # Wednesday 9 December 2026 (1405/09/18); the default day ends at 16:00, so a ticket
    # opened at 16:55 starts its clocks on Thursday at 08:00 (a half day, to 13:00).
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 9, 16, 55)):
        ticket = open_ticket()
    assert ticket.first_response_due == at(2026, 12, 10, 12, 0)
    # Eight hours: five on Thursday, Friday off, three on Saturday.
    assert ticket.resolution_due == at(2026, 12, 12, 11, 0)


def test_five_minutes_before_closing_count_before_the_weekend(open_ticket, users):
    SlaPolicy.objects.filter(priority__isnull=True).update(first_response_minutes=240)
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 9, 15, 55)):
        ticket = open_ticket()
    # 5 minutes on Wednesday, then 3 h 55 min on Thursday morning.
    assert ticket.first_response_due == at(2026, 12, 10, 11, 55)


def test_waiting_on_the_customer_pauses_the_resolution_clock_and_answering_resumes_it(open_ticket, users):
    SlaPolicy.objects.filter(priority__isnull=True).update(resolution_minutes=480)
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 6, 9, 0)):  # Sunday
        ticket = open_ticket()
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 6, 11, 0)):
        tickets.ticket_update(
            ticket=ticket, actor=users["support"], data=tickets.TicketInput(status=Status.WAITING_CUSTOMER)
        )
    ticket.refresh_from_db()
    assert ticket.resolution_due is None and ticket.sla_used_minutes == 120
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 7, 9, 0)):  # Monday
        tickets.ticket_update(
            ticket=ticket, actor=users["support"], data=tickets.TicketInput(status=Status.OPEN)
        )
    ticket.refresh_from_db()
    assert ticket.resolution_due == at(2026, 12, 7, 15, 0)  # the six hours left


def test_resolving_late_records_the_breach_and_reopening_runs_what_is_left(open_ticket, users):
    SlaPolicy.objects.filter(priority__isnull=True).update(resolution_minutes=60)
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 6, 9, 0)):
        ticket = open_ticket()
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 6, 11, 0)):
        tickets.ticket_update(
            ticket=ticket, actor=users["support"], data=tickets.TicketInput(status=Status.RESOLVED)
        )
    ticket.refresh_from_db()
    assert ticket.resolved_at == at(2026, 12, 6, 11, 0)
    assert ticket.sla_events.get().kind == "breach"
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 6, 12, 0)):
        tickets.ticket_update(
            ticket=ticket, actor=users["support"], data=tickets.TicketInput(status=Status.OPEN)
        )
    ticket.refresh_from_db()
    assert ticket.resolved_at is None and ticket.status == Status.OPEN
    assert ticket.resolution_due == at(2026, 12, 6, 12, 0)  # nothing left: due at once


def test_a_new_priority_brings_its_policy_from_the_minutes_already_used(open_ticket, users):
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 6, 9, 0)):
        ticket = open_ticket()
    assert ticket.sla_policy.priority is None
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 12, 6, 10, 0)):
        tickets.ticket_update(
            ticket=ticket, actor=users["support"], data=tickets.TicketInput(priority=Priority.URGENT)
        )
    ticket.refresh_from_db()
    urgent = SlaPolicy.objects.get(priority=Priority.URGENT)
    assert ticket.sla_policy == urgent
    assert ticket.first_response_due == at(2026, 12, 6, 10, 0)  # an hour from opening
    assert ticket.sla_used_minutes == 60
    # Eight hours less the hour used: six more on Sunday (to 16:00), the seventh on Monday.
    assert ticket.resolution_due == at(2026, 12, 7, 9, 0)


def test_no_policy_no_due_times(open_ticket):
    SlaPolicy.objects.update(active=False)
    ticket = open_ticket()
    assert ticket.sla_policy is None and ticket.first_response_due is None and ticket.resolution_due is None


def test_timezone_is_respected_for_the_policy_calendar(open_ticket):
    ticket = open_ticket()
    assert timezone.is_aware(ticket.first_response_due)


def test_a_complaints_cause_order_compensation_and_outcome(open_ticket, users, customer):
    from decimal import Decimal

    from peyvand.sales.models import Order
    from peyvand.service.models import Cause

    ticket = open_ticket(kind="complaint")
    order = Order.objects.create(
        number="O-000007",
        party=customer,
        owner=users["sales"],
        currency="IRR",
        ordered_on=timezone.localdate(),
    )
    cause = Cause.objects.get(name="تأخیر در ارسال")
    data = tickets.TicketInput(
        cause=cause,
        order=order,
        compensation="ارسال رایگان",
        compensation_amount="۱۵۰٬۰۰۰",
        customer_stayed=True,
    )
    tickets.ticket_update(ticket=ticket, actor=users["support"], data=data)
    ticket.refresh_from_db()
    assert (ticket.cause, ticket.order, ticket.compensation) == (cause, order, "ارسال رایگان")
    assert ticket.compensation_amount == Decimal("150000") and ticket.customer_stayed is True


def test_a_complaint_may_not_name_another_customers_order(open_ticket, users, make_person):
    from peyvand.sales.models import Order

    ticket = open_ticket(kind="complaint")
    other = make_person(first_name="دیگری")
    order = Order.objects.create(
        number="O-000008", party=other, owner=users["sales"], currency="IRR", ordered_on=timezone.localdate()
    )
    with pytest.raises(ValidationError) as caught:
        tickets.ticket_update(ticket=ticket, actor=users["support"], data=tickets.TicketInput(order=order))
    assert "order" in caught.value.message_dict


def test_a_policy_for_a_customer_tier_applies_to_customers_with_its_tag(open_ticket, customer):
    from peyvand.customers.services.tags import tag_get_or_create, tags_attach

    vip = tag_get_or_create("مشتري ويژه")  # Arabic letters: the same tag as «مشتری ویژه»
    gold = SlaPolicy.objects.create(
        name="ویژه", calendar=SlaPolicy.objects.first().calendar, tag=vip, first_response_minutes=15,
        resolution_minutes=120, order=0,
    )  # fmt: skip
    assert open_ticket().sla_policy != gold  # not tagged yet
    tags_attach([customer.pk], ["مشتری ویژه"])
    assert open_ticket().sla_policy == gold
