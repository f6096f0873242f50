"""The portal's template filters: a record's reference in portal addresses, a change of
contact details as rows, the company's brand."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.utils.translation import get_language, gettext_lazy

from peyvand.core.selectors.company import company_profile

from ..branding import Brand, brand
from ..refs import ref_for

register = template.Library()


@register.filter
def ref(obj: models.Model, kind: str) -> str:
    """``{% url 'portal:order_detail' order|ref:'order' %}``"""
    return ref_for(kind, int(obj.pk))


@register.filter
def article_title(article: Any) -> str:
    """A help article's title in the reader's language, else in the other one."""
    return str(article.title(get_language() or "fa"))


_FIELD_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Mobile"),
    "street": gettext_lazy("Street address"),
    "city": gettext_lazy("City"),
    "province": gettext_lazy("Province"),
    "postal_code": gettext_lazy("Postal code"),
}


@register.filter
def change_rows(change: Any) -> list[tuple[str, Any, Any]]:
    """A change of contact details as (what, before, after) rows."""
    rows = []
    for name, (before, after) in change.changes.items():
        label = _FIELD_LABELS.get(name) or (gettext_lazy("Job title") if name.startswith("title:") else name)
        rows.append((str(label), before, after))
    return rows


@register.simple_tag
def portal_brand() -> Brand:
    """The company's name, logo and colour for the portal's header."""
    return brand(company_profile())
