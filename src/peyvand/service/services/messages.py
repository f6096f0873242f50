"""A ticket's thread: replies to the customer (through the outbox, by email or SMS), internal
notes, and what the customer writes back (threaded from inbound email)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import hooks, policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log
from peyvand.customers.models import Party
from peyvand.interactions.delivery.mail import message_id
from peyvand.interactions.models import Interaction, Purpose
from peyvand.interactions.services.messaging import Draft, email_send, sms_send
from peyvand.interactions.services.outbox import OutboundFile

from ..models import OPEN_STATUSES, Channel, Message, Status, Ticket
from . import knowledge, sla
from .mail import subject_of, support_inbox
from .tickets import TicketInput, _clean_body, status_moved, ticket_open_system

# A customer's email to a closed ticket reopens it within this many days; later it opens
# a new ticket that follows the old one.
REOPEN_DAYS = 14
NUMBER_IN_SUBJECT = re.compile(r"\[#\s*(T-\d{1,12})\s*\]", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class ReplyInput:
    """A reply to the customer. ``to`` is one of their email addresses or mobile numbers;
    ``seen`` the last message the agent saw (another agent's newer message stops the reply
    unless ``send_anyway``); ``status`` what the ticket becomes once it is sent."""

    body: str
    channel: str = Channel.EMAIL
    to: str = ""
    status: str = Status.WAITING_CUSTOMER
    seen: int | None = None
    send_anyway: bool = False
    attachments: tuple[OutboundFile, ...] = ()  # files that go with an email reply


@transaction.atomic
def ticket_reply(*, ticket: Ticket, actor: User, data: ReplyInput) -> Message:
    """Answer the customer through the outbox, once; a service reply is never held back by
    marketing consent (it is transactional)."""
    ticket = Ticket.objects.select_for_update().select_related("party").get(pk=ticket.pk)
    policy.require_change(actor, ticket)
    body = _clean_body(data.body)
    if data.status not in Status.values:
        raise ValidationError({"status": [_("Choose a valid status.")]})
    _check_collision(ticket, data)
    if data.attachments and data.channel != Channel.EMAIL:
        raise ValidationError({"attachments": [_("Files go with an email reply, not an SMS.")]})
    draft = Draft(
        to=data.to,
        body=body,
        subject=subject_of(ticket),
        purpose=Purpose.TRANSACTIONAL,
        attachments=data.attachments,
    )
    message = Message(
        ticket=ticket, kind=Message.Kind.REPLY, body=body, author=actor, created_by=actor, updated_by=actor
    )
    message.save()
    if data.channel == Channel.EMAIL:
        outbound = email_send(
            party=ticket.party,
            actor=actor,
            draft=draft,
            source=(message, "delivery_status"),
            reply_to=support_inbox(),
        )
        message.message_id = message_id(outbound.idempotency_key).strip("<>")
    elif data.channel == Channel.SMS:
        outbound = sms_send(party=ticket.party, actor=actor, draft=draft)
    else:
        raise ValidationError({"channel": [_("Reply by email or SMS.")]})
    message.outbound, message.interaction = outbound, outbound.interaction
    message.delivery_status = outbound.status
    message.save(update_fields=["outbound", "interaction", "delivery_status", "message_id"])
    knowledge.article_uses_record(message)
    now = timezone.now()
    sla.sla_replied(ticket, now)
    if data.status != ticket.status:
        old = ticket.status
        ticket.status = data.status
        status_moved(ticket, old, now)
    if ticket.assignee_id is None and policy.may_own(actor, Ticket, actor):
        ticket.assignee = actor  # whoever answers a ticket in the queue takes it
    ticket.last_message_at, ticket.updated_by = now, actor
    ticket.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=ticket,
        party_id=ticket.party_id,
        changes={"reply": [None, body[:500]]},
    )
    return message


def _check_collision(ticket: Ticket, data: ReplyInput) -> None:
    """Two agents answering at once: the later one sees the other's message first."""
    if data.send_anyway:
        return
    newer = Message.objects.filter(ticket=ticket).exclude(kind=Message.Kind.NOTE)
    if data.seen is not None:
        newer = newer.filter(pk__gt=data.seen)
    latest = newer.order_by("-id").select_related("author").first()
    if data.seen is not None and latest is not None:
        who = str(latest.author) if latest.author else ticket.party.display_name
        raise ValidationError(
            {"body": [_("%(who)s wrote on this ticket meanwhile: read it, then send.") % {"who": who}]}
        )


@transaction.atomic
def ticket_note(*, ticket: Ticket, actor: User, body: str) -> Message:
    """An internal note: seen by staff only, never by the customer."""
    policy.require_view(actor, ticket)
    policy.require_create(actor, Message)
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.NOTE,
        body=_clean_body(body),
        author=actor,
        created_by=actor,
        updated_by=actor,
    )
    audit_log(actor=actor, kind=AuditEvent.Kind.CREATE, obj=message, party_id=ticket.party_id)
    return message


# --- what the customer writes ---------------------------------------------------------------


def ticket_for_email(*, party: Party, interaction: Interaction, details: dict[str, object]) -> Message | None:
    """Thread a received email onto its ticket: by the Message-IDs it answers, else by the
    ticket number in its subject. A reply to a closed ticket reopens it within REOPEN_DAYS,
    else opens a new one that follows it; an email that answers no ticket opens one when the
    inbox takes tickets (PEYVAND_TICKETS_FROM_EMAIL). None when it is not the desk's."""
    answered = [*_ids(details.get("in_reply_to")), *_ids(details.get("references"))]
    ticket = _ticket_answered(answered) or _ticket_named(str(details.get("subject") or ""), party)
    if ticket is None and not settings.PEYVAND_TICKETS_FROM_EMAIL:
        return None
    return customer_message(
        ticket=ticket,
        party=party,
        body=interaction.body,
        subject=interaction.subject,
        channel=Channel.EMAIL,
        interaction=interaction,
        message_id=str(details.get("message_id") or ""),
    )


def ticket_for_sms(*, party: Party, interaction: Interaction, opt_out: bool) -> Message | None:
    """Thread a received SMS onto the customer's open ticket last answered by SMS; with none,
    it opens a ticket when the desk takes them from SMS (PEYVAND_TICKETS_FROM_SMS). An opt-out
    («لغو», STOP) is about consent, not a request: it goes on no ticket."""
    if opt_out:
        return None
    answered = (
        Message.objects.filter(
            ticket__party=party,
            ticket__status__in=OPEN_STATUSES,
            kind=Message.Kind.REPLY,
            outbound__channel="sms",
        )
        .select_related("ticket")
        .order_by("-id")
        .first()
    )
    if answered is None and not settings.PEYVAND_TICKETS_FROM_SMS:
        return None
    return customer_message(
        ticket=answered.ticket if answered else None,
        party=party,
        body=interaction.body,
        subject=interaction.subject,
        channel=Channel.SMS,
        interaction=interaction,
    )


def customer_message(
    *,
    ticket: Ticket | None,
    party: Party,
    body: str,
    subject: str,
    channel: str,
    interaction: Interaction | None = None,
    message_id: str = "",
    opening: TicketInput | None = None,
) -> Message:
    """Record what the customer wrote on ``ticket`` (None: a new ticket, with the fields of
    ``opening`` when given), reopening it or following it with a new one as its age says."""
    now = timezone.now()
    if ticket is not None:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.merged_into_id is not None:
            ticket = Ticket.objects.select_for_update().get(pk=ticket.merged_into_id)
    follows = None
    if ticket is not None and not ticket.is_open:
        finished = ticket.closed_at or ticket.resolved_at or ticket.updated_at
        if now - finished > dt.timedelta(days=REOPEN_DAYS):
            follows, ticket = ticket, None
    opened = ticket is None
    if ticket is None:
        ticket = ticket_open_system(
            party=party, data=opening or TicketInput(subject=subject, channel=channel), body=body
        )
        if follows is not None:
            ticket.follows = follows
            ticket.save(update_fields=["follows"])
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.CUSTOMER,
        body=body[:50_000] or subject,
        interaction=interaction,
        message_id=message_id[:255],
    )
    old = ticket.status
    if ticket.status in (Status.WAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED):
        ticket.status = Status.OPEN if ticket.assignee_id else Status.NEW
        if ticket.status != old:
            status_moved(ticket, old, now)
    sla.sla_customer_waiting(ticket, now)
    ticket.last_message_at = now
    ticket.save()
    if not opened and (ticket.status != old or old in OPEN_STATUSES):
        _tell_reply(ticket, message)  # a new ticket's assignee heard of it as theirs
    return message


def _ids(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def _ticket_answered(message_ids: list[str]) -> Ticket | None:
    if not message_ids:
        return None
    found = (
        Message.objects.filter(message_id__in=message_ids).select_related("ticket").order_by("-id").first()
    )
    return found.ticket if found is not None else None


def _ticket_named(subject: str, party: Party) -> Ticket | None:
    match = NUMBER_IN_SUBJECT.search(subject)
    if match is None:
        return None
    # Only the customer's own ticket: a number typed into a stranger's email opens nothing.
    return Ticket.objects.filter(number=match.group(1).upper(), party=party).first()


def _tell_reply(ticket: Ticket, message: Message) -> None:
    if ticket.assignee is None or not ticket.assignee.is_active:
        return
    hooks.notify(
        recipient=ticket.assignee,
        kind="ticket_reply",
        key=f"ticket_reply:{message.pk}",
        party_id=ticket.party_id,
        url=ticket.get_absolute_url(),
        data={"number": ticket.number, "subject": ticket.subject, "party": ticket.party.display_name},
    )
