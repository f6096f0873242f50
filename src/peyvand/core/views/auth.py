"""Signing in and out (with brute-force protection), and the interface language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import services
from ..forms import LoginForm
from ..http import client_address, request_user


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = LoginForm(request, data=request.POST or None)
    wait = None
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()
        address = client_address(request)
        wait = services.logins.login_wait(username=username, address=address)
        if wait is not None:
            form = LoginForm(request)
        elif form.is_valid():
            services.logins.login_attempt_record(username=username, address=address, succeeded=True)
            login(request, form.get_user())
            safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
            return HttpResponseRedirect(next_url if safe and next_url else reverse("home"))
        else:
            services.logins.login_attempt_record(username=username, address=address, succeeded=False)
    response = render(
        request,
        "core/login.html",
        {"form": form, "wait": wait, "next": next_url},
        status=429 if wait else 200,
    )
    if wait is not None:
        response["Retry-After"] = str(max(1, int((wait.until - timezone.now()).total_seconds())))
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user, or in a cookie before sign-in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)  # a path, not a view's name as redirect() may take it
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.users.user_set_preferences(user=request_user(request), language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
