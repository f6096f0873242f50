"""Template filters for bilingual display: Jalali dates and Persian digits in Persian."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import jalali, list_columns, policy
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
    # keeps_views has read it already when the list was opened without filters
    if hasattr(request, "saved_default_view"):
        default = request.saved_default_view
    else:
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


@register.inclusion_tag("partials/column_picker.html", takes_context=True)
def column_picker(context: template.Context, shown: list[Any]) -> dict[str, Any]:
    """The "Columns" picker of a list that declares its columns: the shown ones first, in
    their order, then the others; ticked, moved up or down, applied or kept as one's own."""
    request = context["request"]
    match = request.resolver_match
    name = list_columns.list_name(match.view_name, match.kwargs)
    keys = [column.key for column in shown]
    others = [column for column in list_columns.columns_of(name) if column.key not in keys]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "page": request.path,
        "query": clean_query(request.GET.urlencode()),
        "entries": [(column, True) for column in shown] + [(column, False) for column in others],
    }


@register.filter
def changeable_by(obj: Any, user: Any) -> bool:
    """``{% if deal|changeable_by:user %}``: whether the policy lets ``user`` change ``obj``."""
    return policy.can_change(user, obj)


@register.simple_tag
def inline_edit(
    collection: str, pk: int, field: str, value: Any, label: Any, kind: str = "text", choices: Any = None
) -> str:
    """The attributes of a list cell that edits one field of ``/api/v1/<collection>/<pk>`` in
    place (static/peyvand/inline-edit.js); the cell holds an ``inline_pencil``."""
    attrs: dict[str, Any] = {
        "data-inline-url": f"/api/v1/{collection}/{int(pk)}",
        "data-inline-field": field,
        "data-inline-value": "" if value is None else value,
        "data-inline-label": label,
        "data-inline-type": kind,
        "data-inline-save": _("Save"),
        "data-inline-cancel": _("Cancel"),
        "data-inline-failed": _("Not saved: check your connection and try again."),
    }
    if choices is not None:
        choices = list(choices)
        attrs["data-inline-choices"] = json.dumps([[k, str(v)] for k, v in choices], ensure_ascii=False)
        if all(isinstance(k, int) for k, _label in choices):
            attrs["data-inline-numeric"] = "1"  # sent as a number: the API's schema says so
    if kind == "date":
        attrs["data-inline-placeholder"] = jalali.input_date(dt.date(2026, 12, 31), get_language())
    return format_html_join(" ", '{}="{}"', attrs.items())


@register.simple_tag
def inline_pencil(label: Any) -> str:
    return format_html(
        '<button type="button" class="btn btn-link btn-sm p-0 ms-1 inline-pencil" data-inline-open '
        'title="{}" aria-label="{}"><i class="bi bi-pencil"></i></button>',
        label,
        label,
    )
