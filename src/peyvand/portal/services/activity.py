"""What a customer does in the portal: open a ticket, answer one, download an invoice,
accept or decline a quote, choose their language and their consent per channel.

Tickets go through the service desk's own services (channel: portal), so routing, SLA
clocks and the agent's notification work as for any other channel; what the customer wrote
is an interaction on their timeline, and every action is audited on the customer with the
portal named as where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from peyvand.core import hooks
from peyvand.core.models import AuditEvent
from peyvand.core.services.audit import audit_log
from peyvand.core.text import clean_text
from peyvand.customers.rules import PartyInput
from peyvand.customers.services.parties import party_update
from peyvand.interactions.models import Channel as InteractionChannel
from peyvand.interactions.models import Direction
from peyvand.interactions.services.interactions import InteractionInput, interaction_record_system
from peyvand.interactions.system import system_actor
from peyvand.sales.models import Invoice, Order, Quote, QuoteStatus
from peyvand.sales.services.billing import quote_accept, quote_decline
from peyvand.service.models import Channel, Kind, Message, Survey, Ticket
from peyvand.service.services.messages import customer_message
from peyvand.service.services.surveys import survey_rate
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


# --- quotes -------------------------------------------------------------------------------


def _quote_decided(account: PortalAccount, quote: Quote, status: str, reason: str = "") -> None:
    changes: dict[str, list[object]] = {**_portal_mark(account), "status": [QuoteStatus.SENT, status]}
    if reason:
        changes["decline_reason"] = [None, reason]
    audit_log(actor=None, kind=AuditEvent.Kind.UPDATE, obj=quote, party_id=quote.party_id, changes=changes)
    if quote.owner is not None and quote.owner.is_active:
        hooks.notify(
            recipient=quote.owner,
            kind="portal_quote_decided",
            key=f"portal_quote:{quote.pk}",
            party_id=quote.party_id,
            url=reverse("sales:quote_detail", args=[quote.pk]),
            data={"number": quote.number, "party": quote.party.display_name, "status": status},
        )


def _sent_quote(account: PortalAccount, quote: Quote) -> Quote:
    found = owned(account, Quote.objects.select_for_update(of=("self",)).filter(pk=quote.pk)).first()
    if found is None:
        raise ValidationError(_("This quote is not yours."))
    if found.status != QuoteStatus.SENT:
        raise ValidationError(_("This quote has been decided already."))
    return found


@transaction.atomic
def portal_quote_accept(*, account: PortalAccount, quote: Quote) -> Order:
    """The customer says yes: sales turns the quote into an order, as when a salesperson
    records it; sales' own audit names the installation's system user, and the portal's
    event says the customer did it."""
    quote = _sent_quote(account, quote)
    order = quote_accept(quote=quote, actor=system_actor())
    _quote_decided(account, quote, QuoteStatus.ACCEPTED)
    return order


@transaction.atomic
def portal_quote_decline(*, account: PortalAccount, quote: Quote, reason: str = "") -> Quote:
    quote = _sent_quote(account, quote)
    reason = clean_text(reason)
    if len(reason) > 500:
        raise ValidationError(
            {
                "reason": [
                    _("Use at most %(limit)d characters (this has %(count)d).")
                    % {"limit": 500, "count": len(reason)}
                ]
            }
        )
    quote = quote_decline(quote=quote, actor=system_actor(), reason=reason)
    _quote_decided(account, quote, QuoteStatus.DECLINED, reason)
    return quote


# --- the customer's preferences -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PreferencesInput:
    language: str
    email_consent: bool
    sms_consent: bool


@transaction.atomic
def portal_preferences_save(*, account: PortalAccount, data: PreferencesInput) -> PortalAccount:
    """The customer's language (of the portal and of what it sends them) and their consent
    per channel; a change of consent goes through the customers' own service (stamped with
    its time and "portal" as its source), as an unsubscribe link's does."""
    if data.language not in ("fa", "en"):
        raise ValidationError({"language": [_("Choose Persian or English.")]})
    account = PortalAccount.objects.select_for_update().select_related("party").get(pk=account.pk)
    party = account.party
    changes: dict[str, object] = {}
    if data.email_consent != party.email_consent:
        changes.update(email_consent=data.email_consent, email_consent_source="portal")
    if data.sms_consent != party.sms_consent:
        changes.update(sms_consent=data.sms_consent, sms_consent_source="portal")
    if changes:
        party_update(party=party, actor=system_actor(), data=PartyInput(**changes))  # type: ignore[arg-type]
    if data.language != account.language:
        before = account.language
        account.language = data.language
        account.save(update_fields=["language"])
        audit_log(
            actor=None,
            kind=AuditEvent.Kind.UPDATE,
            obj=account,
            party_id=account.party_id,
            changes={**_portal_mark(account), "language": [before, data.language]},
        )
    return account


@transaction.atomic
def portal_ticket_rate(*, account: PortalAccount, ticket: Ticket, score: int, comment: str = "") -> Survey:
    """The customer rates their resolved request (1 to 5, a comment), once."""
    if not owned(account, Ticket.objects.filter(pk=ticket.pk)).exists():
        raise ValidationError(_("This request is not yours."))
    survey = survey_rate(ticket=ticket, score=score, comment=comment)
    audit_log(
        actor=None,
        kind=AuditEvent.Kind.UPDATE,
        obj=ticket,
        party_id=ticket.party_id,
        changes={**_portal_mark(account), "rating": [None, score]},
    )
    return survey
