"""What a signed-in customer may read: every portal query starts from ``scope``.

A portal account sees its own person's records, and those of the organisations the person
belongs to (a live membership) when staff allowed it for that contact. A record is found by
its reference (``refs``) and then only within that scope; anything else is not found (404),
exactly as if it did not exist. Internal notes never leave ``ticket_thread``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from peyvand.core.pagination import Page, keyset_page
from peyvand.customers.models import Membership
from peyvand.sales.models import Invoice, InvoiceStatus, Order, Payment, Quote, QuoteStatus
from peyvand.service.models import Article, Message, Ticket
from peyvand.service.selectors.knowledge import article_public_search

from ..models import PortalAccount
from ..refs import pk_from

M = TypeVar("M", bound=models.Model)
PAGE = 20


def scope(account: PortalAccount) -> list[int]:
    """The customers whose records ``account`` sees: its person, and where allowed the
    organisations that person belongs to."""
    cached = getattr(account, "_portal_scope", None)
    if cached is not None:
        return cached
    ids = [account.party_id]
    if account.can_see_organisation:
        ids += list(
            Membership.objects.filter(
                person_id=account.party_id, deleted_at__isnull=True, organisation__deleted_at__isnull=True
            ).values_list("organisation_id", flat=True)
        )
    account._portal_scope = ids  # type: ignore[attr-defined]
    return ids


def owned(account: PortalAccount, queryset: models.QuerySet[M], path: str = "party_id") -> models.QuerySet[M]:
    """``queryset`` limited to the records of ``account``'s customers."""
    return queryset.filter(**{f"{path}__in": scope(account)})


def _get(account: PortalAccount, queryset: models.QuerySet[M], kind: str, ref: Any) -> M:
    pk = pk_from(kind, ref)
    found = owned(account, queryset).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


# --- money --------------------------------------------------------------------------------


@dataclass
class Balance:
    currency: str
    invoiced: Decimal
    paid: Decimal
    overdue: Decimal
    next_due_on: dt.date | None

    @property
    def due(self) -> Decimal:
        return self.invoiced - self.paid


OPEN_INVOICES = (InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID)


def balances(*, account: PortalAccount) -> list[Balance]:
    """What the customer was invoiced, paid, owes and owes late, per currency, in one query."""
    today = timezone.localdate()
    late = Q(status__in=OPEN_INVOICES, due_on__lt=today)
    rows = (
        owned(account, Invoice.objects.exclude(status=InvoiceStatus.CANCELLED))
        .order_by()
        .values("currency")
        .annotate(
            invoiced_sum=Sum("total"),
            paid_sum=Sum("paid"),
            late_total=Sum("total", filter=late),
            late_paid=Sum("paid", filter=late),
            next_due=models.Min("due_on", filter=Q(status__in=OPEN_INVOICES, due_on__gte=today)),
        )
        .order_by("currency")
    )
    return [
        Balance(
            r["currency"],
            r["invoiced_sum"] or Decimal(0),
            r["paid_sum"] or Decimal(0),
            (r["late_total"] or Decimal(0)) - (r["late_paid"] or Decimal(0)),
            r["next_due"],
        )
        for r in rows
    ]


def open_invoices(*, account: PortalAccount, limit: int = 5) -> list[Invoice]:
    """What is due, soonest first."""
    return list(
        owned(account, Invoice.objects.filter(status__in=OPEN_INVOICES)).order_by("due_on", "id")[:limit]
    )


def order_list(*, account: PortalAccount, cursor: str | None) -> Page[Order]:
    queryset = owned(account, Order.objects.select_related("party").annotate(line_count=Count("lines")))
    return keyset_page(queryset, order=["-ordered_on", "-id"], cursor=cursor, limit=PAGE)


def order_get(*, account: PortalAccount, ref: Any) -> Order:
    return _get(account, Order.objects.select_related("party"), "order", ref)


def order_lines(*, order: Order) -> list[Any]:
    return list(order.lines.select_related("product").order_by("position", "id"))


def order_invoices(*, order: Order) -> list[Invoice]:
    return list(order.invoices.order_by("-issued_on", "-id"))


def invoice_list(*, account: PortalAccount, cursor: str | None) -> Page[Invoice]:
    queryset = owned(account, Invoice.objects.select_related("order", "party"))
    return keyset_page(queryset, order=["-issued_on", "-id"], cursor=cursor, limit=PAGE)


def invoice_get(*, account: PortalAccount, ref: Any) -> Invoice:
    return _get(account, Invoice.objects.select_related("party", "order"), "invoice", ref)


def payment_list(*, account: PortalAccount, limit: int = PAGE) -> list[Payment]:
    queryset = owned(account, Payment.objects.select_related("invoice"))
    return list(queryset.order_by("-paid_on", "-id")[:limit])


# --- quotes -------------------------------------------------------------------------------

# A draft is the company's own until it is sent.
SHOWN_QUOTES = (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED)


def quote_list(*, account: PortalAccount, cursor: str | None) -> Page[Quote]:
    queryset = owned(account, Quote.objects.filter(status__in=SHOWN_QUOTES).select_related("party"))
    return keyset_page(queryset, order=["-issued_on", "-id"], cursor=cursor, limit=PAGE)


def quote_get(*, account: PortalAccount, ref: Any) -> Quote:
    return _get(
        account, Quote.objects.filter(status__in=SHOWN_QUOTES).select_related("party", "deal"), "quote", ref
    )


# --- tickets ------------------------------------------------------------------------------


def ticket_list(*, account: PortalAccount, cursor: str | None) -> Page[Ticket]:
    alive = Ticket.objects.filter(deleted_at__isnull=True, merged_into__isnull=True)
    queryset = owned(account, alive.select_related("party"))
    return keyset_page(queryset, order=["-created_at", "-id"], cursor=cursor, limit=PAGE)


def ticket_get(*, account: PortalAccount, ref: Any) -> Ticket:
    ticket = _get(
        account, Ticket.objects.filter(deleted_at__isnull=True).select_related("party"), "ticket", ref
    )
    if ticket.merged_into_id is not None:
        raise Http404  # merged away: its thread lives on the other ticket
    return ticket


def ticket_thread(*, ticket: Ticket) -> list[Message]:
    """The thread a customer may read: what they wrote and the replies sent to them, never
    internal notes."""
    kinds = (Message.Kind.CUSTOMER, Message.Kind.REPLY)
    return list(ticket.messages.filter(kind__in=kinds).order_by("created_at", "id"))


def customer_orders(*, account: PortalAccount) -> list[Order]:
    """The orders a new ticket may be about."""
    return list(owned(account, Order.objects.all()).order_by("-ordered_on", "-id")[:50])


def articles(*, query: str | None) -> list[Article]:
    return article_public_search(query=query)
