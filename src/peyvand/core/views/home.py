"""The home page: cards the apps put there (hooks)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import hooks


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Cards the apps put on the home page (hooks): each decides, by the reader's role and
    the permission policy, whether it shows and what it counts."""
    shown = hooks.panels(request, "home")
    charts = any(rendered.panel.charts for slot in shown.values() for rendered in slot)
    return render(request, "core/home.html", {"panels": shown, "charts": charts})
