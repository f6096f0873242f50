"""The trash: restoring customers and records deleted on their own (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor

from .. import selectors, services

# --- trash --------------------------------------------------------------------------------


@login_required
def trash(request: HttpRequest) -> HttpResponse:
    """Deleted customers, or (``?kind=note`` and so on) records deleted on their own."""
    user = request_user(request)
    kind = request.GET.get("kind") or ""
    kind = kind if kind in selectors.trash.TRASH_KINDS else ""
    cursor = request.GET.get("cursor")
    try:
        if kind:
            page: Any = selectors.trash.trash_records(user=user, kind=kind, cursor=cursor)
        else:
            page = selectors.trash.trash_list(user=user, cursor=cursor)
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('trash')}?kind={kind}" if kind else reverse("trash"))
    rows = [
        {
            "record": r,
            "party": selectors.trash.trash_record_party(r),
            "text": selectors.trash.trash_record_text(r),
        }
        for r in (page if kind else [])
    ]
    return render(
        request,
        "customers/trash.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "kinds": selectors.trash.TRASH_KINDS.values(),
            "nav": "admin",
        },
    )


@login_required
@require_POST
def trash_restore(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.trash.trash_get(user=user, pk=pk)
    try:
        services.parties.party_restore(party=party, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("trash")
    messages.success(request, _("“%(name)s” was restored.") % {"name": party.display_name})
    return redirect("party_detail", party.pk)


@login_required
@require_POST
def trash_record_restore(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    user = request_user(request)
    record = selectors.trash.trash_record_get(user=user, kind=kind, pk=pk)
    try:
        services.parties.record_restore(record=record, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{reverse('trash')}?kind={kind}")
    messages.success(
        request, _("“%(name)s” was restored.") % {"name": selectors.trash.trash_record_text(record)}
    )
    return redirect("party_detail", selectors.trash.trash_record_party(record).pk)
