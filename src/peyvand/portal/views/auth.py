"""Getting into the portal and out of it: password, code, the invitation's link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.core.http import client_address

from ..forms import CodeForm, CodeRequestForm, SetPasswordForm, SignInForm
from ..services import signin
from ..session import current_account, portal_login, portal_logout


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if current_account(request) is not None:
        return redirect("portal:home")
    form = SignInForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            account = signin.sign_in_password(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                address=client_address(request),
            )
        except signin.SignInRefused as refused:
            form.add_error(None, str(refused))
        else:
            portal_login(request, account)
            return redirect("portal:home")
    return render(request, "portal/sign_in.html", {"form": form, "code_form": CodeRequestForm()})


@never_cache
@require_POST
def code_request(request: HttpRequest) -> HttpResponse:
    form = CodeRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/sign_in.html", {"form": SignInForm(), "code_form": form}, status=400)
    identifier = form.cleaned_data["identifier"]
    try:
        signin.code_request(identifier=identifier, address=client_address(request))
    except signin.TooManyCodes:
        form.add_error(None, _("Too many codes were asked for from here. Wait a quarter of an hour."))
        return render(request, "portal/sign_in.html", {"form": SignInForm(), "code_form": form}, status=429)
    # The same answer whether or not there is such an account.
    messages.info(request, _("If we know this address, a code is on its way to it."))
    return render(request, "portal/code.html", {"form": CodeForm(initial={"identifier": identifier})})


@never_cache
@require_POST
def code_sign_in(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            account = signin.sign_in_code(
                identifier=form.cleaned_data["identifier"],
                code=form.cleaned_data["code"],
                address=client_address(request),
            )
        except signin.SignInRefused as refused:
            form.add_error(None, str(refused))
        else:
            portal_login(request, account)
            return redirect("portal:home")
    return render(request, "portal/code.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = signin.invitation_valid(token)
    if found is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            account = signin.invitation_accept(
                token=token, password=form.cleaned_data["password1"], address=client_address(request)
            )
        except signin.SignInRefused:
            return render(request, "portal/invitation_invalid.html", status=404)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("password1", message)
        else:
            portal_login(request, account)
            messages.success(request, _("Your password is set. Welcome!"))
            return redirect("portal:home")
    return render(
        request,
        "portal/invitation.html",
        {"form": form, "name": found.account.party.display_name},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    portal_logout(request)
    return redirect("portal:sign_in")
