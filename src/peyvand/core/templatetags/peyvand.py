"""Template filters for bilingual display: Jalali dates and Persian digits in Persian."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import get_language

from .. import jalali
from ..selectors.saved_views import default_view, saved_views_for
from ..services.saved_views import clean_query
from ..text import to_persian_digits

register = template.Library()


@register.filter
def digits(value: Any) -> str:
    """Persian digits in the Persian interface, as typed otherwise."""
    return jalali.local_digits(value)


@register.filter
def number(value: Any) -> str:
    """A number with thousands separators, in the interface's digits."""
    if value is None or value == "":
        return ""
    text = intcomma(value, use_l10n=False)
    if jalali.uses_jalali(get_language()):
        return to_persian_digits(text.replace(",", "٬"))
    return text


@register.filter
def jdate(value: dt.date | None, style: str = "") -> str:
    return jalali.format_date(value, get_language(), long=style == "long")


@register.filter
def jdatetime(value: dt.datetime | None) -> str:
    return jalali.format_datetime(value, get_language())


@register.filter
def input_date(value: dt.date | None) -> str:
    return jalali.input_date(value, get_language())


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return "?" + urlencode(list(params.lists()), doseq=True) if params else "?"


@register.filter
def invalid(bound_field: Any) -> str:
    """Render a field's widget marked invalid, so Bootstrap shows it in red."""
    css = bound_field.field.widget.attrs.get("class", "")
    return bound_field.as_widget(attrs={"class": f"{css} is-invalid", "aria-invalid": "true"})


@register.inclusion_tag("partials/saved_views.html", takes_context=True)
def saved_views(context: template.Context) -> dict[str, Any]:
    """The saved views of the list on this page: open one, save the current filters as one,
    make one the default, delete one's own."""
    request = context["request"]
    user = request.user
    page = request.path
    current = clean_query(request.GET.urlencode())
    views = list(saved_views_for(user=user, page=page))
    default = default_view(user=user, page=page)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "page": page,
        "current": current,
        "views": views,
        "active": next((v for v in views if v.query == current), None),
        "default": default,
        "user": user,
    }
