"""Opening tickets and changing them: their fields, status, team and assignee.

Every change is audited on the ticket and on its customer, so it shows on the customer's
timeline; the SLA clocks follow the status (services.sla).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import hooks, policy
from peyvand.core.custom_fields import Entity, custom_changes
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, Team, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.services.custom_fields import record_custom
from peyvand.core.text import clean_text
from peyvand.customers.models import Kind as PartyKind
from peyvand.customers.models import Party
from peyvand.sales import conf
from peyvand.sales.models import Order, Product
from peyvand.sales.money import check_money, to_decimal
from peyvand.sales.services.common import next_number

from ..language import language_of
from ..models import Category, Cause, Channel, Kind, Language, Message, Priority, Status, Ticket
from . import routing, sla, surveys

BODY_MAX_LENGTH = 50_000
NUMBER_PREFIX = "T"


@dataclass(frozen=True, kw_only=True)
class TicketInput:
    """A ticket's fields, as the form and the API give them. On a new ticket a field left
    UNSET takes its default (phone, a question, normal priority, new); on a change it stays."""

    party: Party | Unset = UNSET
    contact: Party | Unset | None = UNSET
    subject: str | Unset = UNSET
    channel: str | Unset = UNSET
    kind: str | Unset = UNSET
    category: Category | Unset | None = UNSET
    product: Product | Unset | None = UNSET
    priority: int | Unset = UNSET
    status: str | Unset = UNSET
    language: str | Unset = UNSET  # the customer's; guessed from what they wrote when not given
    team: Team | Unset | None = UNSET
    assignee: User | Unset | None = UNSET
    # A complaint's particulars.
    cause: Cause | Unset | None = UNSET
    order: Order | Unset | None = UNSET
    compensation: str | Unset = UNSET
    compensation_amount: object = UNSET  # typed in any digits; a Decimal once cleaned
    customer_stayed: bool | Unset | None = UNSET
    # Custom fields' values by key (``core.custom_fields``): the keys given replace, null
    # clears; on a new ticket None checks the required ones, UNSET (a channel's) does not.
    custom: Mapping[str, Any] | Unset | None = UNSET


FIELDS = tuple(f.name for f in fields(TicketInput) if f.name != "custom")
AUDITED = tuple(name for name in FIELDS if name != "party")


def _clean(data: TicketInput, *, actor: User, current: Ticket | None) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, object] = {}
    for name, value in given(data).items():
        if name == "custom":
            values = dict(current.custom or {}) if current is not None else None
            value = record_custom(Entity.TICKET, value, current=values, errors=errors)
        elif name == "party":
            if current is not None and value != current.party:
                errors[name] = [_("A ticket stays with its customer; merge the customers instead.")]
            elif not isinstance(value, Party) or not policy.can_view(actor, value):
                errors[name] = [_("Choose a customer you can see.")]
        elif name == "contact" and value is not None:
            if (
                not isinstance(value, Party)
                or value.kind != PartyKind.PERSON
                or not policy.can_view(actor, value)
            ):
                errors[name] = [_("Choose a person you can see.")]
        elif name == "subject":
            value = clean_text(value)
            if not value:
                errors[name] = [_("Enter a subject.")]
            elif len(value) > 200:
                errors[name] = [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": 200, "count": len(value)}
                ]
        elif name == "channel" and value not in Channel.values:
            errors[name] = [_("Choose a valid channel.")]
        elif name == "kind" and value not in Kind.values:
            errors[name] = [_("Choose a valid type.")]
        elif name == "priority" and value not in Priority.values:
            errors[name] = [_("Choose a valid priority.")]
        elif name == "status" and value not in Status.values:
            errors[name] = [_("Choose a valid status.")]
        elif name == "language" and value not in Language.values:
            errors[name] = [_("Choose Persian or English.")]
        elif name == "category" and value is not None and not (isinstance(value, Category) and value.active):
            errors[name] = [_("Choose an active category.")]
        elif name == "product" and value is not None and not (isinstance(value, Product) and value.active):
            errors[name] = [_("Choose an active product.")]
        elif name == "assignee" and value is not None:
            if not isinstance(value, User) or not value.is_active:
                errors[name] = [_("Choose an active user.")]
            elif not policy.may_own(actor, Ticket, value):
                errors[name] = [_("You may not give this ticket to that user.")]
        elif name == "assignee" and value is None and not policy.may_own(actor, Ticket, None):
            errors[name] = [_("You may not leave this ticket unassigned.")]
        elif name == "cause" and value is not None and not (isinstance(value, Cause) and value.active):
            errors[name] = [_("Choose an active cause.")]
        elif name == "order" and value is not None:
            party = cleaned.get("party", current.party if current else None)
            if (
                not isinstance(value, Order)
                or not policy.can_view(actor, value)
                or value.party_id != getattr(party, "pk", None)
            ):
                errors[name] = [_("Choose one of this customer's orders.")]
        elif name == "compensation":
            value = clean_text(value)
            if len(value) > 200:
                errors[name] = [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": 200, "count": len(value)}
                ]
        elif name == "compensation_amount" and value not in (None, ""):
            try:
                value = check_money(to_decimal(value, field=name), field=name, currency=conf.base_currency())
            except ValidationError as exc:
                errors.update(exc.message_dict)
        elif name == "compensation_amount":
            value = None
        elif name == "customer_stayed" and value not in (True, False, None):
            errors[name] = [_("Choose yes, no or unknown.")]
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def ticket_open(*, actor: User, data: TicketInput, description: str = "") -> Ticket:
    """Open a ticket for a customer; ``description`` is the first message of its thread (what
    the customer asked, as the agent took it down)."""
    policy.require_create(actor, Ticket)
    missing = [name for name in ("party", "subject") if getattr(data, name) is UNSET]
    if missing:
        raise ValidationError({name: [_("This field is required.")] for name in missing})
    cleaned = _clean(data, actor=actor, current=None)
    description = _clean_body(description, required=False)
    now = timezone.now()
    ticket = Ticket(
        number=next_number("ticket", NUMBER_PREFIX), created_by=actor, updated_by=actor, **cleaned
    )
    if "language" not in cleaned:
        ticket.language = language_of(ticket.subject, description)
    if "assignee" not in cleaned and not policy.may_own(actor, Ticket, None):
        ticket.assignee = actor  # one who may not leave it in the queue takes it
    if ticket.assignee is None:
        routing.ticket_route(ticket)  # the assignment rules, before the SLA (it may set the team)
    if ticket.status == Status.NEW and ticket.assignee is not None:
        ticket.status = Status.OPEN
    ticket.last_message_at = now
    sla.sla_start(ticket, now)
    ticket.save()
    if description:
        Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.CUSTOMER,
            body=description,
            author=actor,
            created_by=actor,
            updated_by=actor,
        )
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=ticket,
        party_id=ticket.party_id,
        changes={
            k: [None, v] for k, v in snapshot(ticket, ("number", *AUDITED)).items() if v not in (None, "")
        }
        | custom_changes({}, ticket.custom),
    )
    _tell_assignee(ticket, actor)
    return ticket


def ticket_open_system(
    *, party: Party, data: TicketInput, body: str, received: Message | None = None
) -> Ticket:
    """A ticket opened by what arrived without a user (an email, an SMS, the web form): given
    by the assignment rules, else left in the queue. The caller records what the customer
    wrote as its first message. ``data`` is trusted (the channel's own code fills it)."""
    now = timezone.now()
    subject = clean_text(data.subject if data.subject is not UNSET else "")[:200] or _("(no subject)")
    ticket = Ticket(
        number=next_number("ticket", NUMBER_PREFIX),
        party=party,
        subject=subject,
        channel=data.channel if data.channel is not UNSET else Channel.EMAIL,
        kind=data.kind if data.kind is not UNSET else Kind.QUESTION,
        priority=data.priority if data.priority is not UNSET else Priority.NORMAL,
        category=data.category if data.category is not UNSET else None,
        team=data.team if data.team is not UNSET else None,
        language=data.language if data.language is not UNSET else language_of(subject, body),
        last_message_at=now,
    )
    if routing.ticket_route(ticket) is not None:
        ticket.status = Status.OPEN
    sla.sla_start(ticket, now)
    ticket.save()
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.CREATE,
        obj=ticket,
        party_id=party.pk,
        changes={
            k: [None, v] for k, v in snapshot(ticket, ("number", *AUDITED)).items() if v not in (None, "")
        },
    )
    _tell_assignee(ticket, None)
    return ticket


@transaction.atomic
def ticket_update(*, ticket: Ticket, actor: User, data: TicketInput) -> Ticket:
    """Change a ticket's fields; a new status moves its SLA clocks (paused while it waits on
    the customer, stopped when resolved)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    policy.require_change(actor, ticket)
    cleaned = _clean(data, actor=actor, current=ticket)
    before, custom_before = snapshot(ticket, AUDITED), dict(ticket.custom or {})
    old_status, old_assignee = ticket.status, ticket.assignee_id
    for name, value in cleaned.items():
        setattr(ticket, name, value)
    if ticket.status == Status.NEW and ticket.assignee_id is not None:
        ticket.status = Status.OPEN
    now = timezone.now()
    if ticket.status != old_status:
        status_moved(ticket, old_status, now)
    if {"priority", "kind", "team"} & cleaned.keys():
        sla.sla_policy_changed(ticket, now)
    changes = changes_between(before, snapshot(ticket, AUDITED))
    changes |= custom_changes(custom_before, ticket.custom)
    if changes:
        ticket.updated_by = actor
        ticket.save()
        audit_log(
            actor=actor, kind=AuditEvent.Kind.UPDATE, obj=ticket, party_id=ticket.party_id, changes=changes
        )
    if ticket.assignee_id != old_assignee:
        _tell_assignee(ticket, actor)
    return ticket


BULK_FIELDS = ("assignee", "status", "priority", "team")
BULK_MAX = 500


@dataclass(frozen=True)
class BulkResult:
    changed: int
    skipped: int


@transaction.atomic
def ticket_bulk_update(*, actor: User, ticket_ids: Sequence[int], data: TicketInput) -> BulkResult:
    """Change the assignee, status, priority or team of every chosen ticket the actor may
    change, as one change each (SLA clocks, audit, notifications); the others are counted as
    skipped. An invalid value refuses them all and writes nothing."""
    values = given(data)
    if not values or set(values) - set(BULK_FIELDS):
        raise ValidationError(_("Choose an assignee, a status, a priority or a team to set."))
    ids = sorted(set(ticket_ids))
    if not ids:
        raise ValidationError({"ids": [_("Choose at least one ticket.")]})
    if len(ids) > BULK_MAX:
        raise ValidationError({"ids": [_("Choose at most %(limit)d tickets at once.") % {"limit": BULK_MAX}]})
    _clean(data, actor=actor, current=None)  # the same refusal for every ticket: said once
    chosen = policy.changeable(actor, Ticket.objects.filter(pk__in=ids, merged_into__isnull=True))
    changed = 0
    for ticket in chosen.order_by("pk"):
        ticket_update(ticket=ticket, actor=actor, data=data)
        changed += 1
    return BulkResult(changed=changed, skipped=len(ids) - changed)


def status_moved(ticket: Ticket, old: str, now: dt.datetime) -> None:
    """What a new status sets going: the SLA clocks, and once resolved, the satisfaction
    survey (once per ticket, when the desk sends them)."""
    sla.sla_status_changed(ticket, old, now)
    if ticket.status == Status.RESOLVED and settings.PEYVAND_SURVEY_AFTER_RESOLVED and ticket.pk:
        surveys.survey_send(ticket=ticket)


@transaction.atomic
def ticket_delete(*, ticket: Ticket, actor: User) -> None:
    policy.require_change(actor, ticket)
    soft_delete_record(
        ticket, actor=actor, party_id=ticket.party_id, changes={"subject": [ticket.subject, None]}
    )


def _clean_body(body: str, *, required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationError({"body": [_("Write the message.")]})
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            {
                "body": [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": BODY_MAX_LENGTH, "count": len(body)}
                ]
            }
        )
    return body


def _tell_assignee(ticket: Ticket, actor: User | None) -> None:
    if ticket.assignee is None or (actor is not None and ticket.assignee_id == actor.pk):
        return
    hooks.notify(
        recipient=ticket.assignee,
        kind="ticket_assigned",
        key=f"ticket_assigned:{ticket.pk}:{ticket.assignee_id}:{ticket.updated_at.timestamp():.0f}",
        actor=actor,
        party_id=ticket.party_id,
        url=ticket.get_absolute_url(),
        data={"number": ticket.number, "subject": ticket.subject, "actor": str(actor or "")},
    )
