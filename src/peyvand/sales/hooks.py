"""The sales app's registrations: its rows of the permission matrix, its menu items, the
customer page's "Sales" card and how amounts and stages read in the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from peyvand.core import policy
from peyvand.core.custom_fields import Entity
from peyvand.core.hooks import (
    NavGroup,
    NavItem,
    Panel,
    SearchHit,
    SearchSource,
    SetupStep,
    register_nav,
    register_nav_group,
    register_panel,
    register_search,
    register_setup_step,
    register_value_display,
)
from peyvand.core.http import request_user
from peyvand.core.models import Role, Scope
from peyvand.core.selectors import search
from peyvand.core.selectors.custom_fields import register_entity
from peyvand.core.selectors.setup import changed_by_someone
from peyvand.core.services.site import site_setting
from peyvand.core.text import to_ascii_digits
from peyvand.customers.selectors.parties import parties_matching

from . import conf, importers, tasks
from . import models as m
from .money import format_money
from .periods import duration_words
from .selectors import billing, home

# Support answers customers but does not sell: it sees its team's leads and deals only.
_SUPPORT_DOES_NOT_SELL: dict[str, dict[str, Scope]] = {
    Role.SUPPORT: {"view": Scope.TEAM, "change": Scope.NONE}
}


def _sees(resource: str) -> Any:
    return lambda user: policy.scope(user, resource, "view") != Scope.NONE


def _panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    user = request_user(request)
    if not billing.may_see_sales(user):
        return None
    return {
        "balances": billing.party_balances(user=user, party=party),
        "deals": billing.party_open_deals(user=user, party=party),
        "suggestions": billing.cross_sell(party=party),
        "can_create_deal": policy.can_create(user, m.Deal),
    }


def _home_pipeline(request: HttpRequest, _obj: Any) -> dict[str, Any] | None:
    card = home.pipeline_card(user=request_user(request))
    return {"card": card} if card is not None else None


def _home_target(request: HttpRequest, _obj: Any) -> dict[str, Any] | None:
    card = home.target_card(user=request_user(request), language=get_language())
    return {"card": card} if card is not None else None


def _by_number(model: type[Any], url_name: str) -> Callable[[Any, str, int], list[SearchHit]]:
    """Quotes, orders and invoices: by their number, or their customer's name."""

    def find(user: Any, query: str, limit: int) -> list[SearchHit]:
        text = to_ascii_digits(query).strip()
        by = Q(number__icontains=text) | Q(party__in=parties_matching(query).values("pk"))
        found = search.hits(
            user,
            model.objects.filter(by).prefetch_related("party"),
            limit,
            url=lambda obj: reverse(url_name, args=[obj.pk]),
            title=lambda obj: obj.number,
            detail=lambda obj: obj.party.display_name,
        )
        return found

    return find


def _searchable(model: type[Any], url_name: str) -> Callable[[Any, str, int], list[SearchHit]]:
    def find(user: Any, query: str, limit: int) -> list[SearchHit]:
        return search.hits(
            user,
            search.matching(model.objects.all(), query),
            limit,
            url=lambda obj: reverse(url_name, args=[obj.pk]),
        )

    return find


def _more(list_name: str) -> Callable[[str], str]:
    return lambda query: f"{reverse(list_name)}?{urlencode({'q': query})}"


def register() -> None:
    tasks.register_jobs()
    for key, label, icon, find, order, more in (
        (
            "lead",
            _("Leads"),
            "bi-funnel",
            _searchable(m.Lead, "sales:lead_detail"),
            20,
            _more("sales:lead_list"),
        ),
        (
            "deal",
            _("Deals"),
            "bi-briefcase",
            _searchable(m.Deal, "sales:deal_detail"),
            21,
            _more("sales:deal_list"),
        ),
        ("quote", _("Quotes"), "bi-file-earmark-text", _by_number(m.Quote, "sales:quote_detail"), 22, None),
        ("order", _("Orders"), "bi-bag", _by_number(m.Order, "sales:order_detail"), 23, None),
        ("invoice", _("Invoices"), "bi-receipt", _by_number(m.Invoice, "sales:invoice_detail"), 24, None),
    ):
        register_search(SearchSource(key, label, icon, find, order=order, more=more))
    importers.register()
    policy.register_resource("lead", _("Leads"), order=40, defaults=_SUPPORT_DOES_NOT_SELL)
    policy.register_resource(
        "deal", _("Deals, quotes, orders and invoices"), order=50, defaults=_SUPPORT_DOES_NOT_SELL
    )
    policy.register(m.Lead, resource="lead", owner="owner_id")
    # Custom fields; a filterable one's index ends with the list's default order.
    register_entity(Entity.LEAD, m.Lead, order=("score", "id"))
    register_entity(Entity.DEAL, m.Deal, order=("expected_close", "id"))
    register_entity(Entity.PRODUCT, m.Product, order=("sku", "id"))
    policy.register(m.LeadTouch, resource="lead", owner="lead__owner_id")
    # Everything that follows from a deal belongs to whoever owns the deal (copied onto
    # each document, so an order without a deal, such as an imported one, has one too).
    policy.register(m.Deal, resource="deal", owner="owner_id")
    policy.register(m.DealLine, resource="deal", owner="deal__owner_id")
    policy.register(m.Quote, resource="deal", owner="owner_id")
    policy.register(m.Order, resource="deal", owner="owner_id")
    policy.register(m.Invoice, resource="deal", owner="owner_id")
    policy.register(m.Payment, resource="deal", owner="invoice__owner_id")

    items = [
        ("leads", _("Leads"), "sales:lead_list", "bi-funnel", 30, "lead"),
        ("deals", _("Deals"), "sales:deal_board", "bi-kanban", 40, "deal"),
        ("billing", _("Invoices"), "sales:invoice_list", "bi-receipt", 45, "deal"),
        ("forecast", _("Forecast"), "sales:forecast", "bi-graph-up-arrow", 50, "deal"),
    ]
    for key, label, url_name, icon, order, resource in items:
        register_nav(NavItem(key, label, url_name, icon, order=order, visible=_sees(resource), group="sales"))
    register_nav(
        NavItem(
            "products",
            _("Products"),
            "sales:product_list",
            "bi-box-seam",
            order=55,
            visible=_sees("deal"),
            group="sales",
        )
    )
    register_nav_group(NavGroup("sales", _("Sales"), "bi-briefcase", order=40))
    for key, label, url_name in [
        ("sales-display", _("Money and calendar"), "sales:display_settings"),
        ("sales-pipelines", _("Pipelines"), "sales:pipeline_list"),
        ("sales-price-lists", _("Price lists"), "sales:price_list_list"),
        ("sales-lead-rules", _("Lead scoring and assignment"), "sales:lead_rules"),
        ("sales-web-forms", _("Web forms"), "sales:web_form_list"),
        ("sales-rates", _("Currency rates"), "sales:rates"),
        ("sales-import", _("Import products and orders"), "sales:import"),
    ]:
        register_nav(NavItem(key, label, url_name, menu="admin", order=200))
    register_panel("party", Panel("sales", "sales/_party_panel.html", _panel, "side", 20))
    # The home page by role: a salesperson's own pipeline and target, a manager's team's,
    # an administrator's everything.
    register_panel(
        "home", Panel("pipeline", "sales/_home_pipeline.html", _home_pipeline, "main", 20, charts=True)
    )
    register_panel("home", Panel("target", "sales/_home_target.html", _home_target, "main", 22, charts=True))
    # The first-run set-up: how money shows, and the pipeline's stages in the company's words.
    register_setup_step(
        SetupStep(
            "money",
            _("Choose how money and months show"),
            _("Rial or Toman, and the Jalali or Gregorian fiscal calendar of forecasts and targets."),
            "sales:display_settings",
            lambda: site_setting("show_toman") is not None,
            order=20,
            icon="bi-cash-coin",
        )
    )
    register_setup_step(
        SetupStep(
            "pipeline",
            _("Name your pipeline's stages"),
            _("The stages a deal passes through, in your company's words, with their probabilities."),
            "sales:pipeline_list",
            lambda: changed_by_someone("sales.pipeline"),
            order=30,
            icon="bi-kanban",
        )
    )
    # Amounts on the timeline as people read them: ۱۲٬۵۰۰٬۰۰۰ ریال, not 12500000.00.
    for model_label, field_name in [
        ("sales.deal", "amount"),
        ("sales.quote", "total"),
        ("sales.order", "total"),
        ("sales.invoice", "total"),
        ("sales.payment", "amount"),
    ]:
        register_value_display(model_label, field_name, _show_amount)
    register_value_display("sales.deal", "stage", _show_stage)


def _show_amount(value: Any) -> str:
    """A logged amount, "12500000.00" or "12500000 IRR", with separators and its unit."""
    text, _space, currency = str(value).partition(" ")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    return format_money(amount, currency or conf.base_currency())


def _show_stage(value: Any) -> str:
    """A stage the deal left, with how long it stayed, in the reader's words: "New (3 days)"."""
    if isinstance(value, dict) and isinstance(value.get("seconds"), int):
        stayed = duration_words(dt.timedelta(seconds=value["seconds"]))
        return f"{value.get('stage', '')} ({stayed})"
    return str(value)
