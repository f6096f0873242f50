"""The administrator's first-run set-up: a page of steps, and a card on home until done."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..http import request_user
from ..selectors.setup import DISMISSED_FLAG
from .admin import admin_required


@admin_required
def setup_view(request: HttpRequest) -> HttpResponse:
    return render(request, "core/setup.html", {"nav": "admin", "state": selectors.setup.setup_state()})


@admin_required
@require_POST
def setup_dismiss(request: HttpRequest) -> HttpResponse:
    """Hide the home page's set-up card (the page stays under Administration), or show it again."""
    hide = request.POST.get("hide") == "1"
    services.site.site_flag_set(DISMISSED_FLAG, "1" if hide else "")
    if hide:
        messages.success(request, _("The set-up card is hidden; the set-up page stays under Administration."))
    return redirect("setup" if not hide else "home")


def home_card(request: HttpRequest, _obj: Any) -> dict[str, Any] | None:
    """The set-up card on an administrator's home page, while steps are left and not hidden."""
    if not request_user(request).is_administrator:
        return None
    state = selectors.setup.setup_state()
    if state.finished or state.dismissed:
        return None
    return {"state": state}
