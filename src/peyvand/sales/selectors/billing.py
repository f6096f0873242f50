from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from peyvand.core import policy
from peyvand.core.converters import choice_id
from peyvand.core.models import Scope, User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.policy import get_visible
from peyvand.customers.models import Party

from ..models import (
    Deal,
    Invoice,
    InvoiceStatus,
    Order,
    OrderLine,
    OrderStatus,
    Outcome,
    Product,
    Quote,
    QuoteStatus,
)


def quote_get(*, user: User, pk: Any) -> Quote:
    return get_visible(user, Quote.objects.select_related("deal", "party", "owner"), pk)


def quote_list(*, user: User, filters: Mapping[str, Any], cursor: str | None, limit: int = 50) -> Page[Quote]:
    queryset = policy.visible(user, Quote.objects.select_related("party"))
    if filters.get("status") in QuoteStatus.values:
        queryset = queryset.filter(status=filters["status"])
    if (party_id := choice_id(filters.get("party"))) is not None:
        queryset = queryset.filter(party_id=party_id)
    if (deal_id := choice_id(filters.get("deal"))) is not None:
        queryset = queryset.filter(deal_id=deal_id)
    return keyset_page(queryset, order=["-id"], cursor=cursor, limit=limit)


def deal_quotes(*, user: User, deal: Deal) -> list[Quote]:
    return list(policy.visible(user, Quote.objects.filter(deal=deal).select_related("party")).order_by("-id"))


def quote_lines(*, quote: Quote) -> list[Any]:
    return list(quote.lines.select_related("product").order_by("position", "id"))


def order_list(*, user: User, filters: Mapping[str, Any], cursor: str | None, limit: int = 50) -> Page[Order]:
    queryset = policy.visible(user, Order.objects.select_related("party", "owner"))
    if filters.get("status") in OrderStatus.values:
        queryset = queryset.filter(status=filters["status"])
    if (party_id := choice_id(filters.get("party"))) is not None:
        queryset = queryset.filter(party_id=party_id)
    if filters.get("imported") in ("yes", "no"):
        queryset = queryset.filter(imported=filters["imported"] == "yes")
    return keyset_page(queryset, order=["-ordered_on", "-id"], cursor=cursor, limit=limit)


def order_get(*, user: User, pk: Any) -> Order:
    return get_visible(user, Order.objects.select_related("party", "owner", "quote", "deal"), pk)


def order_lines(*, order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product").order_by("position", "id"))


def invoice_list(
    *, user: User, filters: Mapping[str, Any], cursor: str | None, limit: int = 50
) -> Page[Invoice]:
    queryset = policy.visible(user, Invoice.objects.select_related("party", "order", "owner"))
    if filters.get("status") in InvoiceStatus.values:
        queryset = queryset.filter(status=filters["status"])
    if filters.get("status") == "overdue":
        queryset = queryset.filter(
            status__in=(InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID), due_on__lt=timezone.localdate()
        )
    if (party_id := choice_id(filters.get("party"))) is not None:
        queryset = queryset.filter(party_id=party_id)
    return keyset_page(queryset, order=["-issued_on", "-id"], cursor=cursor, limit=limit)


def invoice_get(*, user: User, pk: Any) -> Invoice:
    return get_visible(user, Invoice.objects.select_related("party", "order", "owner"), pk)


def invoice_lines(*, invoice: Invoice) -> list[Any]:
    return list(invoice.lines.select_related("order_line", "order_line__product").order_by("id"))


def invoice_payments(*, invoice: Invoice) -> list[Any]:
    return list(invoice.payments.select_related("created_by").order_by("paid_on", "id"))


# --- the customer's financial status ------------------------------------------------------


@dataclass
class Balance:
    currency: str
    invoiced: Decimal
    paid: Decimal
    overdue: int

    @property
    def due(self) -> Decimal:
        return self.invoiced - self.paid

    @property
    def status(self) -> str:
        if self.overdue:
            return "overdue"
        return "outstanding" if self.due > 0 else "paid"


def party_balances(*, user: User, party: Party) -> list[Balance]:
    """What the customer was invoiced, paid and owes, per currency, in one query."""
    today = timezone.localdate()
    open_states = (InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID)
    rows = (
        policy.visible(user, Invoice.objects.filter(party=party))
        .exclude(status=InvoiceStatus.CANCELLED)
        .order_by()
        .values("currency")
        .annotate(
            invoiced=Sum("total"),
            paid=Sum("paid"),
            overdue=Count("id", filter=Q(status__in=open_states, due_on__lt=today)),
        )
        .order_by("currency")
    )
    return [
        Balance(r["currency"], r["invoiced"] or Decimal(0), r["paid"] or Decimal(0), r["overdue"])
        for r in rows
    ]


def party_open_deals(*, user: User, party: Party) -> dict[str, Any]:
    row = policy.visible(user, Deal.objects.filter(party=party, status=Outcome.OPEN)).aggregate(
        n=Count("id"), total=Sum("amount_base")
    )
    return {"count": row["n"], "total": row["total"] or Decimal(0)}


def may_see_sales(user: User) -> bool:
    return policy.scope(user, "deal", "view") != Scope.NONE


@dataclass
class Suggestion:
    product: Product
    buyers: int  # customers who bought what this one did, and also this product
    peers: int  # customers who bought any of what this one did

    @property
    def share(self) -> int:
        return round(100 * self.buyers / self.peers) if self.peers else 0


def cross_sell(*, party: Party, limit: int = 5) -> list[Suggestion]:
    """Products this customer has not bought that buyers of the same products bought most,
    counted by the database (co-occurrence of products across customers' orders)."""
    alive = Q(order__deleted_at__isnull=True) & ~Q(order__status=OrderStatus.CANCELLED)
    mine = OrderLine.objects.filter(alive, order__party=party, product__isnull=False).values("product_id")
    peers = (
        Order.objects.filter(lines__product_id__in=mine, deleted_at__isnull=True)
        .exclude(party=party)
        .exclude(status=OrderStatus.CANCELLED)
        .values("party_id")
    )
    rows = list(
        OrderLine.objects.filter(
            alive, order__party_id__in=peers, product__active=True, product__deleted_at__isnull=True
        )
        .exclude(product_id__in=mine)
        .values("product_id")
        .annotate(buyers=Count("order__party_id", distinct=True))
        .order_by("-buyers", "product_id")[:limit]
    )
    if not rows:
        return []
    peer_count = peers.order_by().values("party_id").distinct().count()
    products = Product.objects.in_bulk([r["product_id"] for r in rows])
    return [
        Suggestion(products[r["product_id"]], r["buyers"], peer_count)
        for r in rows
        if r["product_id"] in products
    ]
