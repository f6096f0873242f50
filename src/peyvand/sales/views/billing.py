from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import list_headers, request_user, show_errors
from peyvand.core.jalali import local_digits
from peyvand.core.list_columns import Column, add_column
from peyvand.core.pagination import InvalidCursor
from peyvand.core.selectors.saved_views import chosen_columns
from peyvand.core.views.saved import keeps_views

from ..documents import render_invoice_pdf, render_quote_pdf
from ..forms import InvoiceForm, PaymentForm
from ..models import InvoiceStatus, OrderStatus, Outcome
from ..selectors import billing as selectors
from ..services import billing, imports

INVOICES = "sales:invoice_list"
# The invoices list's columns, in their default order; those not shown are there to be chosen.
for _column in (
    Column("number", gettext_lazy("Number"), "sales/columns/invoice_number.html"),
    Column("customer", gettext_lazy("Customer"), "sales/columns/invoice_customer.html"),
    Column("issued", gettext_lazy("Date"), "sales/columns/invoice_issued.html"),
    Column("due_on", gettext_lazy("Due date"), "sales/columns/invoice_due_on.html"),
    Column("status", gettext_lazy("Status"), "sales/columns/invoice_status.html"),
    Column("total", gettext_lazy("Total"), "sales/columns/invoice_total.html", css="numeric"),
    Column("due", gettext_lazy("Due"), "sales/columns/invoice_due.html", css="numeric"),
    Column("order", gettext_lazy("Order"), "sales/columns/invoice_order.html", shown=False),
    Column("owner", gettext_lazy("Owner"), "sales/columns/invoice_owner.html", shown=False),
    Column(
        "subtotal",
        gettext_lazy("Subtotal"),
        "sales/columns/invoice_subtotal.html",
        css="numeric",
        shown=False,
    ),
    Column(
        "discount",
        gettext_lazy("Discount"),
        "sales/columns/invoice_discount.html",
        css="numeric",
        shown=False,
    ),
    Column("tax", gettext_lazy("Tax"), "sales/columns/invoice_tax.html", css="numeric", shown=False),
    Column("paid", gettext_lazy("Paid"), "sales/columns/invoice_paid.html", css="numeric", shown=False),
    Column("created", gettext_lazy("Created"), "sales/columns/invoice_created.html", shown=False),
):
    add_column(INVOICES, _column)


@login_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    quote = selectors.quote_get(user=user, pk=pk)
    order = getattr(quote, "order", None) if quote.status == "accepted" else None
    return render(
        request,
        "sales/quote_detail.html",
        {
            "nav": "deals",
            "quote": quote,
            "lines": selectors.quote_lines(quote=quote),
            "order": order,
            "can_change": policy.can_change(user, quote),
            # Accepting is refused for these (the service says why); the page does not offer it.
            "expired": quote.valid_until < timezone.localdate(),
            "deal_lost": quote.deal.status == Outcome.LOST,
        },
    )


@login_required
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(user=request_user(request), pk=pk)
    language = "en" if request.GET.get("language") == "en" else "fa"
    response = HttpResponse(render_quote_pdf(quote, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}-{language}.pdf"'
    return response


@login_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(user=request_user(request), pk=pk)
    language = "en" if request.GET.get("language") == "en" else "fa"
    response = HttpResponse(render_invoice_pdf(invoice, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}-{language}.pdf"'
    return response


@login_required
def quote_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The PDF that was sent, as it was sent, to whoever may see the quote."""
    quote = selectors.quote_get(user=request_user(request), pk=pk)
    if not quote.pdf:
        raise Http404
    return FileResponse(
        quote.pdf.open("rb"), content_type="application/pdf", filename=str(quote.pdf.name).rsplit("/", 1)[-1]
    )


@login_required
@require_POST
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request_user(request)
    quote = selectors.quote_get(user=user, pk=pk)
    try:
        if action == "send":
            language = "en" if request.POST.get("language") == "en" else "fa"
            billing.quote_send(
                quote=quote, actor=user, pdf=render_quote_pdf(quote, language), language=language
            )
            messages.success(request, _("The quote was attached and queued for email."))
        elif action == "accept":
            order = billing.quote_accept(quote=quote, actor=user)
            messages.success(request, _("Accepted: order %(number)s was made.") % {"number": order.number})
            return redirect("sales:order_detail", order.pk)
        elif action == "decline":
            billing.quote_decline(quote=quote, actor=user, reason=request.POST.get("reason", "")[:500])
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("sales:quote_detail", quote.pk)


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = {name: request.GET.get(name, "") for name in ("status", "imported")}
    try:
        page = selectors.order_list(user=user, filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("sales:order_list")
    return render(
        request,
        "sales/order_list.html",
        {
            "nav": "billing",
            "page": page,
            "filters": filters,
            "statuses": OrderStatus.choices,
            "count": None,
            "can_import": imports.may_import_orders(user),
        },
    )


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    order = selectors.order_get(user=user, pk=pk)
    return render(
        request,
        "sales/order_detail.html",
        {
            "nav": "billing",
            "order": order,
            "lines": selectors.order_lines(order=order),
            "invoices": list(order.invoices.order_by("issued_on", "id")),
            "form": InvoiceForm(),
            "can_change": policy.can_change(user, order),
        },
    )


@login_required
@require_POST
def invoice_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    order = selectors.order_get(user=user, pk=pk)
    form = InvoiceForm(request.POST)
    quantities: dict[int, Any] = {}
    for line in selectors.order_lines(order=order):
        value = request.POST.get(f"quantity_{line.pk}", "").strip()
        if value:
            quantities[line.pk] = value
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("sales:order_detail", order.pk)
    try:
        invoice = billing.invoice_create(
            order=order,
            actor=user,
            quantities=quantities or None,
            issued_on=form.cleaned_data["issued_on"],
            due_on=form.cleaned_data["due_on"],
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("sales:order_detail", order.pk)
    messages.success(request, _("Invoice %(number)s was made.") % {"number": invoice.number})
    return redirect("sales:invoice_detail", invoice.pk)


@keeps_views
@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = {"status": request.GET.get("status", "")}
    try:
        page = selectors.invoice_list(user=user, filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("sales:invoice_list")
    statuses = [*InvoiceStatus.choices, ("overdue", _("Overdue"))]
    shown = chosen_columns(
        user=user, list_name=INVOICES, page=request.path, requested=request.GET.get("columns")
    )
    return render(
        request,
        "sales/invoice_list.html",
        {
            "nav": "billing",
            "page": page,
            "filters": filters,
            "statuses": statuses,
            "count": None,
            "columns": list_headers(shown, ""),
            "shown": shown,
        },
    )


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    invoice = selectors.invoice_get(user=user, pk=pk)
    due = format(invoice.due.normalize(), "f") if invoice.due else ""
    form = PaymentForm(request.POST or None, initial={"amount": local_digits(due)})
    if request.method == "POST":
        policy.require_change(user, invoice)
        if form.is_valid():
            try:
                billing.payment_record(invoice=invoice, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The payment was recorded."))
                return redirect("sales:invoice_detail", invoice.pk)
    return render(
        request,
        "sales/invoice_detail.html",
        {
            "nav": "billing",
            "invoice": invoice,
            "lines": selectors.invoice_lines(invoice=invoice),
            "payments": selectors.invoice_payments(invoice=invoice),
            "form": form,
            "can_change": policy.can_change(user, invoice),
        },
    )
