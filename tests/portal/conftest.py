"""Portal fixtures: customers with orders, invoices, payments and tickets (public replies and
internal notes), made through the services, and portal accounts signed in by a test client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from peyvand.core.models import User
from peyvand.customers.models import ContactPoint, Party
from peyvand.customers.services.memberships import membership_add
from peyvand.portal.models import PortalAccount
from peyvand.portal.refs import ref_for
from peyvand.portal.services import accounts, signin
from peyvand.portal.session import HASH_KEY, SESSION_KEY, _state_hash
from peyvand.sales.models import Invoice, Order, Quote
from peyvand.sales.services import billing, deals
from peyvand.service.models import Ticket
from peyvand.service.services import messages, tickets
from tests.portal.partners import make_partner, partner_world  # noqa: F401 - shared fixtures
from tests.sales.conftest import make_deal, pipeline, price_list, products  # noqa: F401 - shared fixtures

PASSWORD = "a-long-portal-passphrase-7"


@dataclass
class Records:
    """One customer's records: what their portal account may (or may not) reach."""

    party: Party
    order: Order
    invoice: Invoice
    ticket: Ticket
    quote: Quote  # sent, waiting for the customer's answer
    refs: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def make_records(users: dict[str, User], make_deal, products) -> Callable[[Party], Records]:  # noqa: F811
    def make(party: Party) -> Records:
        actor = users["admin"]
        deal = make_deal(party=party, amount=0)
        deals.deal_line_add(deal=deal, actor=actor, data={"product": products["crm"], "quantity": "1"})
        quote = billing.quote_create(deal=deal, actor=actor)
        order = billing.quote_accept(quote=quote, actor=actor)
        invoice = billing.invoice_create(
            order=order, actor=actor, due_on=timezone.localdate() + dt.timedelta(days=10)
        )
        billing.payment_record(invoice=invoice, actor=actor, amount="1000000")
        invoice.refresh_from_db()
        ticket = tickets.ticket_open(
            actor=actor,
            data=tickets.TicketInput(party=party, subject=f"سفارش {party.display_name}"),
            description="پرسش مشتری",
        )
        messages.ticket_reply(
            ticket=ticket, actor=actor, data=messages.ReplyInput(body="پاسخ عمومی به مشتری", to=_email(party))
        )
        messages.ticket_note(ticket=ticket, actor=actor, body="یادداشت داخلی محرمانه")
        offer = make_deal(party=party, amount=0)
        deals.deal_line_add(deal=offer, actor=actor, data={"product": products["support"], "quantity": "2"})
        sent = billing.quote_send(
            quote=billing.quote_create(deal=offer, actor=actor),
            actor=actor,
            pdf=b"%PDF-1.4 sent",
            language="fa",
        )
        refs = {
            "quote": ref_for("quote", sent.pk),
            "order": ref_for("order", order.pk),
            "invoice": ref_for("invoice", invoice.pk),
            "ticket": ref_for("ticket", ticket.pk),
        }
        return Records(party, order, invoice, ticket, sent, refs)

    return make


def _email(party: Party) -> str:
    point = party.contact_points.filter(kind=ContactPoint.Kind.EMAIL).first()
    return point.value if point else ""


@pytest.fixture
def person(make_person: Callable[..., Party]) -> Callable[[str, str], Party]:
    def make(name: str, email: str) -> Party:
        return make_person(
            first_name=name,
            last_name="مشتری",
            contacts=[{"kind": "email", "value": email}],
        )

    return make


@pytest.fixture
def world(users, person, make_org, make_records) -> dict[str, Any]:
    """Customers A and B (people), organisation O with two contacts: one without its
    records, one allowed them; every one of them with records of their own."""
    a = person("آرش", "arash@example.com")
    b = person("بهار", "bahar@example.com")
    org = make_org(name="شرکت اُمید", contacts=[{"kind": "email", "value": "info@omid.example"}])
    contact = person("کاوه", "kaveh@omid.example")
    manager = person("مینا", "mina@omid.example")
    for member in (contact, manager):
        membership_add(person=member, organisation=org, actor=users["admin"])
    records = {
        name: make_records(party) for name, party in {"a": a, "b": b, "o": org, "contact": contact}.items()
    }
    records["manager"] = make_records(manager)
    made = {}
    for name, party, org_rights in (
        ("a", a, False),
        ("b", b, False),
        ("contact", contact, False),
        ("manager", manager, True),
    ):
        made[name] = invite(users["sales"], party, can_see_organisation=org_rights)
    return {"accounts": made, "records": records, "org": org}


def invite(actor: User, party: Party, *, can_see_organisation: bool = False) -> PortalAccount:
    point = party.contact_points.get(kind=ContactPoint.Kind.EMAIL)
    accounts.portal_invite(
        actor=actor,
        party=party,
        data=accounts.InviteInput(contact=point, channel="email", can_see_organisation=can_see_organisation),
    )
    return PortalAccount.objects.get(party=party, revoked_at__isnull=True)


def portal_client(account: PortalAccount) -> Client:
    """A client signed in to the portal as ``account`` (its session as signing in makes it)."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = account.pk
    session[HASH_KEY] = _state_hash(account)
    session.save()
    return client


@pytest.fixture
def sign_in_as() -> Callable[[PortalAccount], Client]:
    return portal_client


__all__ = ["PASSWORD", "Records", "invite", "portal_client", "signin"]
