"""What a customer does in the portal: open a ticket, answer one, download an invoice.

Tickets go through the service desk's own services (channel: portal), so routing, SLA
clocks and the agent's notification work as for any other channel; what the customer wrote
is an interaction on their timeline, and every action is audited on the customer with the
portal named as where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core.models import AuditEvent
from peyvand.core.services.audit import audit_log
from peyvand.core.text import clean_text
from peyvand.interactions.models import Channel as InteractionChannel
from peyvand.interactions.models import Direction
from peyvand.interactions.services.interactions import InteractionInput, interaction_record_system
from peyvand.sales.models import Invoice, Order
from peyvand.service.models import Channel, Kind, Message, Ticket
from peyvand.service.services.messages import customer_message
from peyvand.service.services.tickets import TicketInput

from ..models import PortalAccount
from ..selectors.records import owned

SUBJECT_MAX = 200
BODY_MAX = 10_000
KINDS = (Kind.QUESTION, Kind.REQUEST, Kind.INCIDENT, Kind.COMPLAINT)


@dataclass(frozen=True, kw_only=True)
class PortalTicketInput:
    subject: str
    body: str
    kind: str = Kind.QUESTION
    order: Order | None = None


def _text(errors: dict[str, list[str]], name: str, value: str, limit: int, *, lines: bool = False) -> str:
    value = (value or "").strip() if lines else clean_text(value)
    if not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > limit:
        errors[name] = [
            _("Use at most %(limit)d characters (this has %(count)d).")
            % {"limit": limit, "count": len(value)}
        ]
    return value


def _portal_mark(account: PortalAccount) -> dict[str, list[object]]:
    return {"portal": [None, account.party.display_name]}


@transaction.atomic
def portal_ticket_open(*, account: PortalAccount, data: PortalTicketInput) -> Ticket:
    errors: dict[str, list[str]] = {}
    subject = _text(errors, "subject", data.subject, SUBJECT_MAX)
    body = _text(errors, "body", data.body, BODY_MAX, lines=True)
    if data.kind not in KINDS:
        errors["kind"] = [_("Choose a valid type.")]
    if data.order is not None and not owned(account, Order.objects.filter(pk=data.order.pk)).exists():
        errors["order"] = [_("Choose one of your orders.")]
    if errors:
        raise ValidationError(errors)
    party = account.party
    interaction = interaction_record_system(
        party=party,
        data=InteractionInput(
            channel=InteractionChannel.WEBSITE, direction=Direction.INBOUND, subject=subject, body=body
        ),
    )
    opening = TicketInput(subject=subject, channel=Channel.PORTAL, kind=data.kind)
    message = customer_message(
        ticket=None,
        party=party,
        body=body,
        subject=subject,
        channel=Channel.PORTAL,
        interaction=interaction,
        opening=opening,
    )
    ticket = message.ticket
    ticket.contact = party
    ticket.order = data.order
    ticket.save(update_fields=["contact", "order"])
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.CREATE,
        obj=message,
        party_id=party.pk,
        changes={**_portal_mark(account), "ticket": [None, ticket.number]},
    )
    return ticket


@transaction.atomic
def portal_ticket_reply(*, account: PortalAccount, ticket: Ticket, body: str) -> Message:
    """The customer answers on their ticket (one ``selectors.ticket_get`` found for them)."""
    if not owned(account, Ticket.objects.filter(pk=ticket.pk)).exists():
        raise ValidationError(_("This request is not yours."))
    errors: dict[str, list[str]] = {}
    body = _text(errors, "body", body, BODY_MAX, lines=True)
    if errors:
        raise ValidationError(errors)
    interaction = interaction_record_system(
        party=ticket.party,
        data=InteractionInput(
            channel=InteractionChannel.WEBSITE, direction=Direction.INBOUND, subject=ticket.subject, body=body
        ),
    )
    message = customer_message(
        ticket=ticket,
        party=ticket.party,
        body=body,
        subject=ticket.subject,
        channel=Channel.PORTAL,
        interaction=interaction,
    )
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.CREATE,
        obj=message,
        party_id=ticket.party_id,
        changes={**_portal_mark(account), "ticket": [None, message.ticket.number]},
    )
    return message


def portal_invoice_downloaded(*, account: PortalAccount, invoice: Invoice) -> None:
    """Note on the customer's timeline that they took their invoice's PDF."""
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=account,
        party_id=invoice.party_id,
        changes={"portal_invoice_downloaded": [None, invoice.number]},
    )
