"""The sales app's places in the shared pages: menu items and the customer page's panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peyvand.core import policy
from peyvand.core.extensions import (
    NavGroup,
    NavItem,
    PartyPanel,
    register_nav,
    register_nav_group,
    register_party_panel,
)
from peyvand.core.http import request_user
from peyvand.core.models import Scope
from peyvand.core.selectors import register_value_display

from . import conf
from .money import format_money
from .periods import duration_words


def _sees(resource: str) -> Any:
    return lambda user: policy.scope(user, resource, "view") != Scope.NONE


def _panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    from .models import Deal
    from .selectors import billing

    user = request_user(request)
    if not billing.may_see_sales(user):
        return None
    return {
        "balances": billing.party_balances(user=user, party=party),
        "deals": billing.party_open_deals(user=user, party=party),
        "suggestions": billing.cross_sell(party=party),
        "can_create_deal": policy.can_create(user, Deal),
    }


def register_extensions() -> None:
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
        ("sales-pipelines", _("Pipelines"), "sales:pipeline_list"),
        ("sales-price-lists", _("Price lists"), "sales:price_list_list"),
        ("sales-lead-rules", _("Lead scoring and assignment"), "sales:lead_rules"),
        ("sales-web-forms", _("Web forms"), "sales:web_form_list"),
        ("sales-rates", _("Currency rates"), "sales:rates"),
        ("sales-import", _("Import products and orders"), "sales:import"),
    ]:
        register_nav(NavItem(key, label, url_name, menu="admin", order=200))
    register_party_panel(PartyPanel("sales", "sales/_party_panel.html", _panel, column="side", order=20))
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
