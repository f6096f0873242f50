"""Quotes, orders, invoices, payments, and a customer's sales summary over the API."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_out
from peyvand.core.apikit.errors import field_error
from peyvand.core.apikit.schemas import ERRORS, ApiDate, BodyId, Id, InputSchema, PageOut, PageQuery
from peyvand.customers import selectors as customer_selectors

from ..documents import render_quote_pdf
from ..models import Invoice, InvoiceStatus, Order, OrderStatus, Payment, PaymentMethod, Quote, QuoteStatus
from ..selectors import billing as selectors
from ..selectors import deals as deal_selectors
from ..services import billing as services
from .common import Amount, MoneyOut, PartyRef, QuantityOut, Reason

router = Router(tags=["quotes, orders and invoices"])


class LineOut(Schema):
    id: int
    product_id: int | None
    description: str
    quantity: QuantityOut
    unit_price: MoneyOut
    discount_percent: QuantityOut
    tax_rate: QuantityOut
    net: MoneyOut
    tax: MoneyOut
    total: MoneyOut


class OrderLineOut(LineOut):
    quantity_invoiced: QuantityOut


class QuoteSummaryOut(Schema):
    """A quote without its lines, as lists show it."""

    id: int
    number: str
    deal_id: int
    party: PartyRef
    status: str
    currency: str
    issued_on: dt.date
    valid_until: dt.date
    subtotal: MoneyOut
    discount_total: MoneyOut
    tax_total: MoneyOut
    total: MoneyOut
    sent_at: dt.datetime | None
    delivery_status: str = Field(description="`queued` until the email outbox delivers it")
    decided_at: dt.datetime | None
    decline_reason: str


class QuoteOut(QuoteSummaryOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Quote) -> list[Any]:
        return selectors.quote_lines(quote=obj)


class OrderOut(Schema):
    id: int
    number: str
    quote_id: int | None
    deal_id: int | None
    party: PartyRef
    status: str
    currency: str
    ordered_on: dt.date
    total: MoneyOut
    invoiced_total: MoneyOut
    imported: bool


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: Order) -> list[Any]:
        return selectors.order_lines(order=obj)


class PaymentOut(Schema):
    id: int
    invoice_id: int
    amount: MoneyOut
    currency: str
    paid_on: dt.date
    method: str
    reference: str


class InvoiceOut(Schema):
    id: int
    number: str
    order_id: int
    party: PartyRef
    status: str
    currency: str
    issued_on: dt.date
    due_on: dt.date
    subtotal: MoneyOut
    tax_total: MoneyOut
    total: MoneyOut
    paid: MoneyOut
    due: MoneyOut


class QuoteIn(InputSchema):
    valid_until: ApiDate | None = None
    notes: Annotated[str, Field(max_length=2000)] = ""


class QuoteSendIn(InputSchema):
    language: Literal["fa", "en"] = "fa"


class DeclineIn(InputSchema):
    reason: Reason = ""


class InvoiceLineIn(InputSchema):
    order_line_id: BodyId
    quantity: Amount


class InvoiceIn(InputSchema):
    lines: list[InvoiceLineIn] | None = Field(
        None,
        max_length=500,
        description="Quantities to invoice per order line; leave out to invoice all that is left",
    )
    issued_on: ApiDate | None = None
    due_on: ApiDate | None = None


class PaymentIn(InputSchema):
    amount: Amount
    paid_on: ApiDate | None = None
    method: PaymentMethod = PaymentMethod.TRANSFER
    reference: Annotated[str, Field(max_length=100)] = ""


class QuoteQuery(PageQuery):
    status: QuoteStatus | None = None
    party: Id | None = None
    deal: Id | None = None


class OrderQuery(PageQuery):
    status: OrderStatus | None = None
    party: Id | None = None
    imported: Literal["yes", "no"] | None = None


class InvoiceQuery(PageQuery):
    status: InvoiceStatus | Literal["overdue"] | None = None
    party: Id | None = None


class BalanceOut(Schema):
    currency: str
    invoiced: MoneyOut
    paid: MoneyOut
    due: MoneyOut
    overdue_invoices: int
    status: Literal["paid", "outstanding", "overdue"]


class SuggestionOut(Schema):
    product_id: int
    sku: str
    name: str
    buyers: int = Field(description="Customers who bought what this one did and also this product")
    peers: int = Field(description="Customers who bought any product this one did")


class SalesSummaryOut(Schema):
    balances: list[BalanceOut]
    open_deals: int
    open_pipeline: MoneyOut
    suggestions: list[SuggestionOut]


@router.post("/deals/{deal_id}/quotes", response={201: QuoteOut, **ERRORS}, summary="Quote a deal's lines")
def quote_create(request: HttpRequest, deal_id: Id, payload: QuoteIn) -> Status[Quote]:
    user = actor(request)
    deal = deal_selectors.deal_get(user=user, pk=deal_id)
    return Status(
        201,
        services.quote_create(deal=deal, actor=user, valid_until=payload.valid_until, notes=payload.notes),
    )


@router.get(
    "/deals/{deal_id}/quotes", response={200: list[QuoteSummaryOut], **ERRORS}, summary="A deal's quotes"
)
def deal_quotes(request: HttpRequest, deal_id: Id) -> list[Quote]:
    user = actor(request)
    deal = deal_selectors.deal_get(user=user, pk=deal_id)
    return selectors.deal_quotes(user=user, deal=deal)


@router.get("/quotes", response={200: PageOut[QuoteSummaryOut], **ERRORS}, summary="Quotes you may see")
def quote_list(request: HttpRequest, filters: Query[QuoteQuery]) -> dict[str, Any]:
    page = selectors.quote_list(
        user=actor(request), filters=filters.model_dump(), cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **ERRORS}, summary="One quote")
def quote_get(request: HttpRequest, quote_id: Id) -> Quote:
    return selectors.quote_get(user=actor(request), pk=quote_id)


@router.get("/quotes/{quote_id}/pdf", response={200: None, **ERRORS}, summary="The quote as a PDF")
def quote_pdf(request: HttpRequest, quote_id: Id, language: Literal["fa", "en"] = "fa") -> HttpResponse:
    quote = selectors.quote_get(user=actor(request), pk=quote_id)
    response = HttpResponse(render_quote_pdf(quote, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}-{language}.pdf"'
    return response


@router.post("/quotes/{quote_id}/send", response={200: QuoteOut, **ERRORS}, summary="Email the quote's PDF")
def quote_send(request: HttpRequest, quote_id: Id, payload: QuoteSendIn) -> Quote:
    user = actor(request)
    quote = selectors.quote_get(user=user, pk=quote_id)
    pdf = render_quote_pdf(quote, payload.language)
    return services.quote_send(quote=quote, actor=user, pdf=pdf, language=payload.language)


@router.post(
    "/quotes/{quote_id}/accept", response={200: OrderDetailOut, **ERRORS}, summary="Accept: make the order"
)
def quote_accept(request: HttpRequest, quote_id: Id) -> Order:
    user = actor(request)
    return services.quote_accept(quote=selectors.quote_get(user=user, pk=quote_id), actor=user)


@router.post("/quotes/{quote_id}/decline", response={200: QuoteOut, **ERRORS}, summary="Decline a quote")
def quote_decline(request: HttpRequest, quote_id: Id, payload: DeclineIn) -> Quote:
    user = actor(request)
    quote = selectors.quote_get(user=user, pk=quote_id)
    return services.quote_decline(quote=quote, actor=user, reason=payload.reason)


@router.get("/orders", response={200: PageOut[OrderOut], **ERRORS}, summary="Orders you may see")
def order_list(request: HttpRequest, filters: Query[OrderQuery]) -> dict[str, Any]:
    page = selectors.order_list(
        user=actor(request), filters=filters.model_dump(), cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)


@router.get(
    "/orders/{int:order_id}", response={200: OrderDetailOut, **ERRORS}, summary="One order with its lines"
)
def order_get(request: HttpRequest, order_id: Id) -> Order:
    return selectors.order_get(user=actor(request), pk=order_id)


@router.post("/orders/{order_id}/invoices", response={201: InvoiceOut, **ERRORS}, summary="Invoice an order")
def invoice_create(request: HttpRequest, order_id: Id, payload: InvoiceIn) -> Status[Invoice]:
    user = actor(request)
    order = selectors.order_get(user=user, pk=order_id)
    quantities = None
    if payload.lines is not None:
        quantities = {line.order_line_id: line.quantity for line in payload.lines}
        if len(quantities) != len(payload.lines):
            raise field_error("lines", _("Give each order line once."))
    invoice = services.invoice_create(
        order=order, actor=user, quantities=quantities, issued_on=payload.issued_on, due_on=payload.due_on
    )
    return Status(201, invoice)


@router.get("/invoices", response={200: PageOut[InvoiceOut], **ERRORS}, summary="Invoices you may see")
def invoice_list(request: HttpRequest, filters: Query[InvoiceQuery]) -> dict[str, Any]:
    page = selectors.invoice_list(
        user=actor(request), filters=filters.model_dump(), cursor=filters.cursor, limit=filters.limit
    )
    return page_out(page)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="One invoice")
def invoice_get(request: HttpRequest, invoice_id: Id) -> Invoice:
    return selectors.invoice_get(user=actor(request), pk=invoice_id)


@router.get(
    "/invoices/{invoice_id}/payments", response={200: list[PaymentOut], **ERRORS}, summary="Its payments"
)
def payment_list(request: HttpRequest, invoice_id: Id) -> list[Any]:
    invoice = selectors.invoice_get(user=actor(request), pk=invoice_id)
    return selectors.invoice_payments(invoice=invoice)


@router.post(
    "/invoices/{invoice_id}/payments", response={201: PaymentOut, **ERRORS}, summary="Record a payment"
)
def payment_record(request: HttpRequest, invoice_id: Id, payload: PaymentIn) -> Status[Payment]:
    user = actor(request)
    invoice = selectors.invoice_get(user=user, pk=invoice_id)
    payment = services.payment_record(
        invoice=invoice,
        actor=user,
        amount=payload.amount,
        paid_on=payload.paid_on,
        method=payload.method,
        reference=payload.reference,
    )
    return Status(201, payment)


@router.get(
    "/parties/{party_id}/sales", response={200: SalesSummaryOut, **ERRORS}, summary="Balance, deals, offers"
)
def party_sales(request: HttpRequest, party_id: Id) -> dict[str, Any]:
    user = actor(request)
    party = customer_selectors.parties.party_get(user=user, pk=party_id)
    deals = selectors.party_open_deals(user=user, party=party)
    return {
        "balances": [
            {
                "currency": b.currency,
                "invoiced": b.invoiced,
                "paid": b.paid,
                "due": b.due,
                "overdue_invoices": b.overdue,
                "status": b.status,
            }
            for b in selectors.party_balances(user=user, party=party)
        ],
        "open_deals": deals["count"],
        "open_pipeline": deals["total"],
        "suggestions": [
            {
                "product_id": s.product.pk,
                "sku": s.product.sku,
                "name": s.product.name,
                "buyers": s.buyers,
                "peers": s.peers,
            }
            for s in selectors.cross_sell(party=party)
        ],
    }
