"""A ticket's thread: replies through the outbox, notes, collisions between agents, and the
customer's emails threaded back onto their ticket (or opening one)."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import formataddr
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peyvand.interactions.models import OutboundMessage
from peyvand.interactions.services import inbound
from peyvand.service.models import Message, Status, Ticket
from peyvand.service.services import messages as thread
from peyvand.service.services import tickets

from .conftest import EMAIL, MOBILE

pytestmark = pytest.mark.django_db


def reply(ticket, user, body="سفارش شما فردا می‌رسد.", **kwargs):
    return thread.ticket_reply(
        ticket=ticket, actor=user, data=thread.ReplyInput(body=body, to=EMAIL, **kwargs)
    )


def email(subject, *, in_reply_to="", references="", message_id="<c1@mail.example.com>", body="ممنون، رسید."):
    message = EmailMessage()
    message["From"] = formataddr(("مریم احمدی", EMAIL))
    message["To"] = "support@zarrindaneh.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message.set_content(body)
    return inbound.email_receive(raw=message.as_bytes(), source="test")


@pytest.fixture(autouse=True)
def mail_dirs(settings, tmp_path):
    settings.PEYVAND_ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.PEYVAND_SUPPORT_EMAIL = "support@zarrindaneh.example"


def test_a_reply_goes_out_once_through_the_outbox_threaded_by_its_number(open_ticket, users, settings):
    ticket = open_ticket()
    message = reply(ticket, users["support"])
    outbound = OutboundMessage.objects.get()
    assert outbound.to_address == EMAIL and outbound.subject == f"[#{ticket.number}] سفارش نرسیده"
    assert outbound.reply_to == "support@zarrindaneh.example"  # answers come back to the desk
    assert outbound.purpose == "transactional"  # a service reply never waits on marketing consent
    assert message.outbound == outbound and message.interaction == outbound.interaction
    assert message.message_id == f"{outbound.idempotency_key}@{settings.PEYVAND_MESSAGE_ID_DOMAIN}"
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.status == Status.WAITING_CUSTOMER and ticket.resolution_due is None  # paused
    assert ticket.assignee == users["support"]  # answering a queued ticket takes it


def test_a_reply_by_sms_goes_to_the_mobile(open_ticket, users):
    ticket = open_ticket()
    thread.ticket_reply(
        ticket=ticket,
        actor=users["support"],
        data=thread.ReplyInput(body="ارسال شد", channel="sms", to=MOBILE),
    )
    assert OutboundMessage.objects.get().channel == "sms"


def test_files_go_only_with_an_email_reply(open_ticket, users):
    from peyvand.interactions.services.outbox import OutboundFile

    ticket = open_ticket()
    with pytest.raises(ValidationError) as error:
        thread.ticket_reply(
            ticket=ticket,
            actor=users["support"],
            data=thread.ReplyInput(
                body="پیوست", channel="sms", to=MOBILE, attachments=(OutboundFile("a.pdf", b"%PDF"),)
            ),
        )
    assert "attachments" in error.value.message_dict
    assert not OutboundMessage.objects.exists()


def test_a_reply_to_an_address_that_is_not_the_customers_is_refused_and_nothing_is_sent(open_ticket, users):
    ticket = open_ticket()
    with pytest.raises(ValidationError) as caught:
        thread.ticket_reply(
            ticket=ticket, actor=users["support"], data=thread.ReplyInput(body="x", to="someone@else.example")
        )
    assert "to" in caught.value.message_dict
    assert not OutboundMessage.objects.exists()
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_two_agents_answering_at_once_the_later_sees_the_other_reply_first(open_ticket, users):
    ticket = open_ticket(actor="admin", assignee=users["support"])
    seen = ticket.messages.get().pk
    reply(ticket, users["support"], seen=seen)
    with pytest.raises(ValidationError) as caught:
        reply(ticket, users["manager"], body="من هم جواب دادم", seen=seen)
    assert str(users["support"]) in caught.value.message_dict["body"][0]
    assert OutboundMessage.objects.count() == 1
    reply(ticket, users["manager"], body="من هم جواب دادم", seen=seen, send_anyway=True)
    assert OutboundMessage.objects.count() == 2


def test_a_note_is_internal_and_readonly_users_may_not_reply(open_ticket, users):
    ticket = open_ticket()
    thread.ticket_note(ticket=ticket, actor=users["support"], body="مشتری ویژه است")
    assert ticket.messages.filter(kind=Message.Kind.NOTE).count() == 1
    assert not OutboundMessage.objects.exists()
    with pytest.raises(PermissionDenied):
        reply(ticket, users["readonly"])


def test_the_customers_answer_threads_onto_the_ticket_by_message_id_and_reopens_the_clock(open_ticket, users):
    ticket = open_ticket()
    sent = reply(ticket, users["support"])
    email("Re: سفارش", in_reply_to=f"<{sent.message_id}>")
    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1
    customer_says = ticket.messages.filter(kind=Message.Kind.CUSTOMER).order_by("-id").first()
    assert customer_says.body.strip() == "ممنون، رسید." and customer_says.interaction is not None
    assert ticket.status == Status.OPEN and ticket.resolution_due is not None
    assert ticket.next_response_due is not None  # they wait for the next answer
    assert users["support"].notifications.filter(kind="ticket_reply").count() == 1


def test_the_number_in_the_subject_threads_too_but_only_the_customers_own_ticket(
    open_ticket, make_person, users
):
    ticket = open_ticket()
    email(f"پیگیری [#{ticket.number}]", message_id="<c2@mail.example.com>")
    assert ticket.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2
    stranger = make_person(first_name="ناشناس", contacts=[{"kind": "email", "value": "x@y.example"}])
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = (
        "x@y.example",
        f"[#{ticket.number}]",
        "<c3@y>",
    )
    message.set_content("سلام")
    inbound.email_receive(raw=message.as_bytes(), source="test")
    assert Ticket.objects.count() == 2 and Ticket.objects.exclude(pk=ticket.pk).get().party == stranger


def test_an_email_about_nothing_opens_a_ticket_in_the_queue_unless_the_inbox_is_not_the_desks(
    settings, customer
):
    email("سوال درباره ارسال")
    ticket = Ticket.objects.get()
    assert ticket.party == customer and ticket.channel == "email" and ticket.assignee is None
    assert ticket.subject == "سوال درباره ارسال"
    settings.PEYVAND_TICKETS_FROM_EMAIL = False
    email("سوال دیگر", message_id="<other@mail.example.com>")
    assert Ticket.objects.count() == 1


def test_a_reply_to_a_closed_ticket_reopens_it_within_two_weeks_and_later_opens_a_follower(
    open_ticket, users
):
    ticket = open_ticket()
    sent = reply(ticket, users["support"])
    tickets.ticket_update(
        ticket=ticket, actor=users["support"], data=tickets.TicketInput(status=Status.CLOSED)
    )
    email("Re", in_reply_to=f"<{sent.message_id}>", message_id="<late1@x>")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.closed_at is None
    tickets.ticket_update(
        ticket=ticket, actor=users["support"], data=tickets.TicketInput(status=Status.CLOSED)
    )
    later = timezone.now() + dt.timedelta(days=thread.REOPEN_DAYS + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        email("Re", in_reply_to=f"<{sent.message_id}>", message_id="<late2@x>")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    follower = Ticket.objects.exclude(pk=ticket.pk).get()
    assert follower.follows == ticket and follower.status == Status.NEW


def test_an_sms_answer_threads_onto_the_ticket_answered_by_sms_and_an_opt_out_does_not(
    open_ticket, users, settings
):
    ticket = open_ticket()
    thread.ticket_reply(
        ticket=ticket,
        actor=users["support"],
        data=thread.ReplyInput(body="ارسال شد", channel="sms", to=MOBILE),
    )
    inbound.sms_receive(sender="09121234567", text="رسید، ممنون", key="g1")
    assert ticket.messages.filter(kind=Message.Kind.CUSTOMER, body="رسید، ممنون").exists()
    inbound.sms_receive(sender="09121234567", text="لغو", key="g2")
    assert not ticket.messages.filter(body="لغو").exists()
    assert Ticket.objects.count() == 1


def test_an_sms_about_nothing_opens_a_ticket_only_when_the_desk_takes_them(customer, settings):
    inbound.sms_receive(sender="09121234567", text="سفارشم کجاست؟", key="s1")
    assert not Ticket.objects.exists()
    settings.PEYVAND_TICKETS_FROM_SMS = True
    inbound.sms_receive(sender="09121234567", text="سفارشم کجاست؟ دوباره", key="s2")
    assert Ticket.objects.get().channel == "sms"
