"""The partner's pages under /portal/partner/: their targets and results, registering a lead
or a deal, the deals and customers assigned to them, their commissions and price list.

Every page first asks whether the signed-in account is a partner's user (``partner_of``);
for anyone else it is not found, as if it did not exist. Records are found by their
reference and within the partner's own only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peyvand.core.forms import add_service_errors
from peyvand.core.pagination import InvalidCursor

from ..models import Partner, PortalAccount
from ..partner_forms import DealFilterForm, PartnerDealForm, RegistrationForm
from ..refs import ref_for
from ..selectors import partners as selectors
from ..services import partners as services
from ..session import portal_required


def partner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A partner page: a portal account that is not a partner's user finds nothing here."""

    @portal_required
    @wraps(view)
    def wrapped(request: HttpRequest, account: PortalAccount, *args: Any, **kwargs: Any) -> HttpResponse:
        partner = selectors.partner_of(account)
        if partner is None:
            raise Http404
        return view(request, account, partner, *args, **kwargs)

    return wrapped


def _context(account: PortalAccount, partner: Partner, nav: str, **more: Any) -> dict[str, Any]:
    return {"nav": "partner", "partner_nav": nav, "account": account, "partner": partner, **more}


@partner_required
@require_GET
def home(request: HttpRequest, account: PortalAccount, partner: Partner) -> HttpResponse:
    rows, total = selectors.commissions(partner=partner)
    return render(
        request,
        "portal/partner_home.html",
        _context(
            account,
            partner,
            "home",
            targets=selectors.targets(partner=partner),
            commission_total=total,
            won_count=len(rows),
        ),
    )


@partner_required
@require_GET
def registration_list(request: HttpRequest, account: PortalAccount, partner: Partner) -> HttpResponse:
    try:
        page = selectors.registration_list(partner=partner, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("portal:partner_registrations")
    return render(
        request, "portal/partner_registrations.html", _context(account, partner, "registrations", page=page)
    )


@partner_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, account: PortalAccount, partner: Partner) -> HttpResponse:
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = services.RegistrationInput(**form.cleaned_data)
        try:
            services.registration_create(account=account, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Thank you: your registration is waiting for the channel manager's approval.")
            )
            return redirect("portal:partner_registrations")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "portal/partner_register.html",
        _context(account, partner, "registrations", form=form),
        status=status,
    )


@partner_required
@require_GET
def deal_list(request: HttpRequest, account: PortalAccount, partner: Partner) -> HttpResponse:
    form = DealFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_valid() else None
    try:
        page = selectors.deal_list(partner=partner, status=status or None, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("portal:partner_deals")
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "portal/partner_deals.html",
        _context(account, partner, "deals", page=page, form=form, query=query.urlencode()),
    )


def _deal_page(
    request: HttpRequest, account: PortalAccount, partner: Partner, link: Any, form: PartnerDealForm
) -> HttpResponse:
    return render(
        request,
        "portal/partner_deal.html",
        _context(account, partner, "deals", link=link, deal=link.deal, form=form),
        status=400 if request.method == "POST" else 200,
    )


@partner_required
@require_GET
def deal_detail(request: HttpRequest, account: PortalAccount, partner: Partner, ref: str) -> HttpResponse:
    link = selectors.deal_get(partner=partner, ref=ref)
    form = PartnerDealForm(
        initial={"stage": link.deal.stage_id, "next_step": link.next_step},
        stages=selectors.deal_stages(link=link),
    )
    return _deal_page(request, account, partner, link, form)


@partner_required
@require_POST
def deal_update(request: HttpRequest, account: PortalAccount, partner: Partner, ref: str) -> HttpResponse:
    link = selectors.deal_get(partner=partner, ref=ref)
    form = PartnerDealForm(request.POST, stages=selectors.deal_stages(link=link))
    if form.is_valid():
        data = services.PartnerDealInput(
            stage=form.chosen_stage(),
            lost_reason=form.cleaned_data["lost_reason"],
            next_step=form.cleaned_data["next_step"],
            note=form.cleaned_data["note"],
        )
        try:
            services.partner_deal_update(account=account, link=link, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The deal is updated."))
            return redirect("portal:partner_deal", ref=ref_for("partner_deal", link.pk))
    return _deal_page(request, account, partner, link, form)


@partner_required
@require_GET
def customer_list(request: HttpRequest, account: PortalAccount, partner: Partner) -> HttpResponse:
    try:
        page = selectors.customer_list(partner=partner, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("portal:partner_customers")
    return render(
        request, "portal/partner_customers.html", _context(account, partner, "customers", page=page)
    )


@partner_required
@require_GET
def customer_detail(request: HttpRequest, account: PortalAccount, partner: Partner, ref: str) -> HttpResponse:
    party = selectors.customer_get(partner=partner, ref=ref)
    return render(
        request,
        "portal/partner_customer.html",
        _context(
            account,
            partner,
            "customers",
            party=party,
            links=selectors.customer_deals(partner=partner, party=party),
        ),
    )


@partner_required
@require_GET
def commission_list(request: HttpRequest, account: PortalAccount, partner: Partner) -> HttpResponse:
    rows, total = selectors.commissions(partner=partner)
    return render(
        request,
        "portal/partner_commissions.html",
        _context(account, partner, "commissions", rows=rows, total=total),
    )


@partner_required
@require_GET
def price_list(request: HttpRequest, account: PortalAccount, partner: Partner) -> HttpResponse:
    return render(
        request,
        "portal/partner_prices.html",
        _context(account, partner, "prices", prices=selectors.price_list_items(partner=partner)),
    )
