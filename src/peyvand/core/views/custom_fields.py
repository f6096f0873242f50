"""Administration of custom fields: the list (filtered, sorted, paged), making one, changing
one, deactivating one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..custom_field_forms import CustomFieldForm
from ..custom_fields import Entity
from ..forms import add_service_errors
from ..http import request_user
from ..models import CustomField
from ..pagination import InvalidCursor, keyset_page
from ..selectors.custom_fields import custom_field_list
from ..services.custom_fields import (
    custom_field_create,
    custom_field_deactivate,
    custom_field_update,
    has_values,
)
from .admin import admin_required

SORTS = {
    "entity": ["entity", "position", "id"],
    "key": ["key", "id"],
    "-key": ["-key", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
PAGE_SIZE = 50


@admin_required
def custom_field_list_view(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "")[:100] for key in ("q", "entity", "active", "sort")}
    sort = filters["sort"] if filters["sort"] in SORTS else "entity"
    try:
        page = keyset_page(
            custom_field_list(filters=filters),
            order=SORTS[sort],
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("custom_field_list")
    return render(
        request,
        "core/custom_fields.html",
        {"page": page, "filters": filters, "entities": Entity.choices, "nav": "admin"},
    )


@admin_required
def custom_field_create_view(request: HttpRequest) -> HttpResponse:
    initial = {"entity": request.GET.get("entity") or Entity.PERSON}
    form = CustomFieldForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            field = custom_field_create(actor=request_user(request), data=form.field_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The field “%(label)s” was added.") % {"label": field})
            return redirect("custom_field_list")
    return render(request, "core/custom_field_form.html", {"form": form, "creating": True, "nav": "admin"})


@admin_required
def custom_field_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    form = CustomFieldForm(request.POST or None, field=field)
    locked = has_values(field)
    if locked:
        form.fields["key"].disabled = True
        form.fields["type"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            custom_field_update(field=field, actor=request_user(request), data=form.field_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The field was saved."))
            return redirect("custom_field_list")
    return render(
        request,
        "core/custom_field_form.html",
        {"form": form, "field": field, "creating": False, "locked": locked, "nav": "admin"},
    )


@admin_required
@require_POST
def custom_field_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    custom_field_deactivate(field=field, actor=request_user(request))
    messages.success(
        request, _("The field “%(label)s” was deactivated; its values are kept.") % {"label": field}
    )
    return redirect("custom_field_list")
