"""Merging two tickets of a customer, and splitting what the customer wrote off into a new one.

Nothing is lost in a merge: the other ticket's thread, SLA warnings and breaches and surveys
move to the one kept (a survey or SLA record the kept ticket already has of the same kind
stays on the other, which is closed, not deleted, and points at the kept one); notes on both
say what happened, and the audit log records it on the customer's timeline. A customer's
later email to the merged ticket lands on the kept one (services.messages).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_event, audit_log, audit_log_many
from peyvand.core.text import clean_text

from ..models import ArticleUse, Message, SlaEvent, Status, Survey, Ticket
from . import sla
from .tickets import TicketInput, status_moved, ticket_open


def _note(ticket: Ticket, actor: User, text: str) -> Message:
    return Message.objects.create(
        ticket=ticket, kind=Message.Kind.NOTE, body=text, author=actor, created_by=actor, updated_by=actor
    )


def _language(actor: User) -> str:
    """The notes are read by the desk: in the language of who wrote them, else the installation's."""
    return actor.language or settings.LANGUAGE_CODE


@transaction.atomic
def ticket_merge(*, ticket: Ticket, other: Ticket, actor: User) -> Ticket:
    """Merge ``other`` into ``ticket`` (kept); returns the kept ticket."""
    if ticket.pk == other.pk:
        raise ValidationError({"other": [_("Choose another ticket to merge with this one.")]})
    # Both rows locked in id order, so two opposite merges cannot deadlock.
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update().filter(pk__in=[ticket.pk, other.pk]).order_by("pk")
    }
    if len(locked) != 2:
        raise Ticket.DoesNotExist
    ticket, other = locked[ticket.pk], locked[other.pk]
    policy.require_change(actor, ticket)
    policy.require_change(actor, other)
    if other.merged_into_id is not None or ticket.merged_into_id is not None:
        raise ValidationError({"other": [_("A ticket merged before cannot be merged again.")]})
    if ticket.party_id != other.party_id:
        raise ValidationError(
            {"other": [_("Only tickets of the same customer can be merged; merge the customers first.")]}
        )
    now = timezone.now()
    moved = {"messages": Message.all_objects.filter(ticket=other).update(ticket=ticket)}
    kept = set(SlaEvent.objects.filter(ticket=ticket).values_list("metric", "kind", "due_at"))
    movable = [
        pk
        for pk, metric, kind, due in SlaEvent.objects.filter(ticket=other).values_list(
            "pk", "metric", "kind", "due_at"
        )
        if (metric, kind, due) not in kept
    ]
    moved["sla_events"] = SlaEvent.objects.filter(pk__in=movable).update(ticket=ticket)
    asked = Survey.objects.filter(ticket=ticket).values_list("kind", flat=True)
    moved["surveys"] = Survey.objects.filter(ticket=other).exclude(kind__in=list(asked)).update(ticket=ticket)
    moved["merged"] = Ticket.all_objects.filter(merged_into=other).update(merged_into=ticket)
    moved["articles"] = ArticleUse.objects.filter(ticket=other).update(ticket=ticket)

    # The kept ticket carries on the other's request: reopened if only the other was open.
    if other.is_open and not ticket.is_open:
        old, ticket.status = ticket.status, Status.OPEN if ticket.assignee_id else Status.NEW
        status_moved(ticket, old, now)
    ticket.last_message_at = max(filter(None, (ticket.last_message_at, other.last_message_at)), default=now)
    ticket.updated_by = actor
    ticket.save()
    # The other is closed as it stands: no resolution is recorded, and its clocks stop.
    old_status = other.status
    sla.sla_stop(other, now)
    other.status, other.closed_at, other.merged_into, other.updated_by = Status.CLOSED, now, ticket, actor
    other.save()
    with translation.override(_language(actor)):
        _note(ticket, actor, _("Ticket %(number)s was merged into this one.") % {"number": other.number})
        _note(other, actor, _("This ticket was merged into %(number)s.") % {"number": ticket.number})
    audit_log_many(
        [
            audit_event(
                actor=actor,
                kind=AuditEvent.Kind.MERGE,
                obj=ticket,
                party_id=ticket.party_id,
                changes={"merged": [other.number, ticket.number], "moved": [None, moved]},
                at=now,
            ),
            audit_event(
                actor=actor,
                kind=AuditEvent.Kind.MERGE,
                obj=other,
                party_id=other.party_id,
                changes={"merged_into": [None, ticket.number], "status": [old_status, Status.CLOSED]},
                at=now,
            ),
        ]
    )
    return ticket


@transaction.atomic
def ticket_split(*, message: Message, actor: User, subject: str = "") -> Ticket:
    """Open a new ticket for the same customer with one message the customer wrote, moved off
    its ticket; the new one follows the old. ``subject`` defaults to the message's first line."""
    ticket = Ticket.objects.select_for_update().get(pk=message.ticket_id)
    policy.require_change(actor, ticket)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if ticket.merged_into_id is not None:
        raise ValidationError({"message": [_("A merged ticket cannot be split; split the one it went to.")]})
    if message.kind != Message.Kind.CUSTOMER:
        raise ValidationError(
            {"message": [_("Only what the customer wrote can be split off into a new ticket.")]}
        )
    if not Message.objects.filter(ticket=ticket).exclude(pk=message.pk).exists():
        raise ValidationError(
            {"message": [_("This is the ticket's only message: change the ticket instead.")]}
        )
    subject = (
        clean_text(subject) or clean_text(message.body.strip().split("\n", 1)[0])[:200] or ticket.subject
    )
    data = TicketInput(
        party=ticket.party,
        contact=ticket.contact,
        subject=subject,
        channel=ticket.channel,
        kind=ticket.kind,
        priority=ticket.priority,
        language=ticket.language,
        category=ticket.category if ticket.category and ticket.category.active else None,
        product=ticket.product if ticket.product and ticket.product.active else None,
        team=ticket.team,
    )
    new = ticket_open(actor=actor, data=data)
    new.follows, new.last_message_at = ticket, message.created_at
    new.save(update_fields=["follows", "last_message_at"])
    message.ticket = new
    message.save(update_fields=["ticket"])
    with translation.override(_language(actor)):
        _note(ticket, actor, _("A message was split off into %(number)s.") % {"number": new.number})
        _note(new, actor, _("Split off from %(number)s.") % {"number": ticket.number})
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        obj=ticket,
        party_id=ticket.party_id,
        changes={"split": [None, new.number]},
    )
    return new
