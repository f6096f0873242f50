"""The customer's pages: home (balance and what is due), orders, invoices and payments,
an invoice's PDF, quotes (their PDF, accepting or declining one), tickets, the knowledge
base. Every one takes the signed-in account from ``portal_required`` and reads through
``selectors.records``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.core.forms import add_service_errors
from peyvand.core.pagination import InvalidCursor
from peyvand.core.selectors.company import company_logo, company_profile
from peyvand.sales.documents import render_invoice_pdf, render_quote_pdf

from ..forms import (
    DeclineForm,
    DetailsForm,
    OrganisationAddressForm,
    PreferencesForm,
    RatingForm,
    ReplyForm,
    SearchForm,
    TicketForm,
)
from ..models import ChangeStatus, DetailChange, PortalAccount
from ..refs import ref_for
from ..selectors import details, records
from ..services import activity
from ..services import details as details_services
from ..session import portal_required


@portal_required
@require_GET
def home(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "nav": "home",
            "account": account,
            "balances": records.balances(account=account),
            "due": records.open_invoices(account=account),
            "tickets": records.ticket_list(account=account, cursor=None).items[:3],
        },
    )


@portal_required
@require_GET
def order_list(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    try:
        page = records.order_list(account=account, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("portal:orders")
    return render(request, "portal/order_list.html", {"nav": "orders", "account": account, "page": page})


@portal_required
@require_GET
def order_detail(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    order = records.order_get(account=account, ref=ref)
    return render(
        request,
        "portal/order_detail.html",
        {
            "nav": "orders",
            "account": account,
            "order": order,
            "lines": records.order_lines(order=order),
            "invoices": records.order_invoices(order=order),
        },
    )


@portal_required
@require_GET
def invoice_list(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    try:
        page = records.invoice_list(account=account, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("portal:invoices")
    return render(
        request,
        "portal/invoice_list.html",
        {
            "nav": "invoices",
            "account": account,
            "page": page,
            "balances": records.balances(account=account),
            "payments": records.payment_list(account=account),
        },
    )


@portal_required
@require_GET
def invoice_pdf(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    invoice = records.invoice_get(account=account, ref=ref)
    language = "en" if (get_language() or "fa").startswith("en") else "fa"
    pdf = render_invoice_pdf(invoice, language)
    activity.portal_invoice_downloaded(account=account, invoice=invoice)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}-{language}.pdf"'
    return response


@portal_required
@require_GET
def quote_list(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    try:
        page = records.quote_list(account=account, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("portal:quotes")
    return render(
        request,
        "portal/quote_list.html",
        {"nav": "quotes", "account": account, "page": page, "decline_form": DeclineForm()},
    )


@portal_required
@require_GET
def quote_pdf(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    quote = records.quote_get(account=account, ref=ref)
    language = "en" if (get_language() or "fa").startswith("en") else "fa"
    response = HttpResponse(render_quote_pdf(quote, language), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.number}-{language}.pdf"'
    return response


@portal_required
@require_POST
def quote_accept(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    quote = records.quote_get(account=account, ref=ref)
    try:
        activity.portal_quote_accept(account=account, quote=quote)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you: quote %(number)s is accepted.") % {"number": quote.number})
    return redirect("portal:quotes")


@portal_required
@require_POST
def quote_decline(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    quote = records.quote_get(account=account, ref=ref)
    form = DeclineForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        activity.portal_quote_decline(account=account, quote=quote, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Quote %(number)s is declined.") % {"number": quote.number})
    return redirect("portal:quotes")


@portal_required
@require_GET
def ticket_list(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    try:
        page = records.ticket_list(account=account, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("portal:tickets")
    return render(request, "portal/ticket_list.html", {"nav": "tickets", "account": account, "page": page})


@portal_required
@require_http_methods(["GET", "POST"])
def ticket_create(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    orders = records.customer_orders(account=account)
    form = TicketForm(request.POST if request.method == "POST" else None, orders=orders)
    if form.is_valid():
        data = activity.PortalTicketInput(
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            kind=form.cleaned_data["kind"],
            order=form.chosen_order(),
        )
        try:
            ticket = activity.portal_ticket_open(account=account, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("We received your request; its number is %(number)s.") % {"number": ticket.number}
            )
            return redirect("portal:ticket_detail", ref=ref_for("ticket", ticket.pk))
    return render(request, "portal/ticket_form.html", {"nav": "tickets", "account": account, "form": form})


@portal_required
@require_GET
def ticket_detail(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    ticket = records.ticket_get(account=account, ref=ref)
    return _ticket_page(request, account, ticket, ReplyForm())


@portal_required
@require_POST
def ticket_reply(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    ticket = records.ticket_get(account=account, ref=ref)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            message = activity.portal_ticket_reply(
                account=account, ticket=ticket, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your answer was added."))
            # An answer long after a ticket closed opens a new one that follows it.
            return redirect("portal:ticket_detail", ref=ref_for("ticket", message.ticket_id))
    return _ticket_page(request, account, ticket, form)


@portal_required
@require_POST
def ticket_rate(request: HttpRequest, account: PortalAccount, ref: str) -> HttpResponse:
    ticket = records.ticket_get(account=account, ref=ref)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            activity.portal_ticket_rate(account=account, ticket=ticket, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for rating our answer."))
            return redirect("portal:ticket_detail", ref=ref)
    return _ticket_page(request, account, ticket, ReplyForm(), rating_form=form)


def _ticket_page(
    request: HttpRequest,
    account: PortalAccount,
    ticket: Any,
    form: ReplyForm,
    *,
    rating_form: RatingForm | None = None,
) -> HttpResponse:
    rating = ticket.surveys.filter(kind="csat").first()
    may_rate = ticket.status in ("resolved", "closed") and (rating is None or rating.answered_at is None)
    return render(
        request,
        "portal/ticket_detail.html",
        {
            "nav": "tickets",
            "account": account,
            "ticket": ticket,
            "thread": records.ticket_thread(ticket=ticket),
            "form": form,
            "rating": rating if rating and rating.answered_at else None,
            "rating_form": (rating_form or RatingForm()) if may_rate else None,
        },
    )


@portal_required
@require_GET
def knowledge(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    return render(
        request,
        "portal/knowledge.html",
        {
            "nav": "knowledge",
            "account": account,
            "form": form,
            "articles": records.articles(query=query),
            "query": query,
        },
    )


@portal_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    party = account.party
    initial = {
        "language": account.language,
        "email_consent": party.email_consent,
        "sms_consent": party.sms_consent,
    }
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        data = activity.PreferencesInput(
            language=form.cleaned_data["language"],
            email_consent=form.cleaned_data["email_consent"],
            sms_consent=form.cleaned_data["sms_consent"],
        )
        try:
            account = activity.portal_preferences_save(account=account, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your preferences are saved."))
            response = redirect("portal:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, account.language, samesite="Lax")
            return response
    return _profile_page(request, account, preferences_form=form)


def _details_initial(account: PortalAccount) -> dict[str, Any]:
    """The person's details, with what is waiting for review in their place."""
    values = details.person_details(account.party)
    waiting = details.pending_change(account=account, party=account.party)
    if waiting is not None:
        values.update({name: after for name, (_before, after) in waiting.changes.items()})
    return {name.replace(":", "_"): value for name, value in values.items()}


def _profile_page(
    request: HttpRequest,
    account: PortalAccount,
    *,
    preferences_form: PreferencesForm | None = None,
    details_form: DetailsForm | None = None,
    organisation_form: OrganisationAddressForm | None = None,
) -> HttpResponse:
    party = account.party
    if preferences_form is None:
        preferences_form = PreferencesForm(
            initial={
                "language": account.language,
                "email_consent": party.email_consent,
                "sms_consent": party.sms_consent,
            }
        )
    if details_form is None:
        details_form = DetailsForm(initial=_details_initial(account), memberships=details.memberships(party))
    organisations = details.editable_organisations(account)
    if organisation_form is None and organisations:
        first = organisations[0]
        organisation_form = OrganisationAddressForm(
            initial={"organisation": str(first.pk), **details.address_of(first)}, organisations=organisations
        )
    waiting = list(account.detail_changes.filter(status=ChangeStatus.PENDING).select_related("party"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "portal/profile.html",
        {
            "nav": "profile",
            "account": account,
            "form": preferences_form,
            "details_form": details_form,
            "organisation_form": organisation_form if organisations else None,
            "waiting": waiting,
        },
        status=status,
    )


def _saved(request: HttpRequest, change: DetailChange | None) -> HttpResponse:
    if change is None:
        messages.info(request, _("Nothing changed."))
    elif change.status == ChangeStatus.PENDING:
        messages.success(request, _("Thank you: we will review your changes and apply them shortly."))
    else:
        messages.success(request, _("Your details are saved."))
    return redirect("portal:profile")


@portal_required
@require_POST
def details_save(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    form = DetailsForm(request.POST, memberships=details.memberships(account.party))
    if form.is_valid():
        data = details_services.DetailsInput(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            address=details_services.AddressInput(
                **{name: form.cleaned_data[name] for name in details.ADDRESS_PARTS}
            ),
            titles=form.titles(),
        )
        try:
            change = details_services.portal_details_change(account=account, data=data)
        except ValidationError as error:
            add_service_errors(form, error, form.aliases())
        else:
            return _saved(request, change)
    return _profile_page(request, account, details_form=form)


@portal_required
@require_POST
def organisation_address_save(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    organisations = details.editable_organisations(account)
    if not organisations:
        raise Http404  # no organisation rights: as if the page did not exist
    form = OrganisationAddressForm(request.POST, organisations=organisations)
    if form.is_valid():
        data = details_services.AddressInput(
            **{name: form.cleaned_data[name] for name in details.ADDRESS_PARTS}
        )
        try:
            change = details_services.portal_organisation_address_change(
                account=account, organisation=form.chosen(), data=data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, change)
    return _profile_page(request, account, organisation_form=form)


@require_GET
def logo(request: HttpRequest) -> HttpResponse:
    """The company's logo at the top of every portal page, the sign-in page too: the one file
    of the company profile a visitor may fetch (it is on the page they are shown anyway)."""
    found = company_logo(company_profile())
    if found is None:
        raise Http404
    content, content_type = found
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
