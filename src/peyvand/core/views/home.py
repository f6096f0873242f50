"""The home page: cards the apps put there (hooks)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import hooks


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Cards the apps put on the home page (hooks)."""
    return render(request, "core/home.html", {"panels": hooks.panels(request, "home")})
