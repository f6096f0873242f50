"""Two-factor sign-in in each user's settings: turning it on with an authenticator app,
recovery codes, turning it off."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import TwoFactorCodeForm, TwoFactorProofForm, add_service_errors
from ..http import request_user
from ..models import TwoFactorDevice
from ..signin import SETUP_KEY


def qr_svg(text: str) -> SafeString:
    """A QR code as inline SVG, drawn here: no image request, no script, nothing from outside."""
    svg = segno.make(text, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="two-factor-qr"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the text is encoded as modules, not written


def _secret_groups(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    return _status_page(request)


def _status_page(
    request: HttpRequest,
    off_form: TwoFactorProofForm | None = None,
    codes_form: TwoFactorProofForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "core/two_factor.html",
        {
            "section": "two_factor",
            "enabled": services.two_factor.two_factor_enabled(user),
            "required": services.two_factor.two_factor_required(user),
            "codes_left": services.two_factor.recovery_codes_left(user),
            "off_form": off_form or TwoFactorProofForm(prefix="off"),
            "codes_form": codes_form or TwoFactorProofForm(prefix="codes"),
        },
        status=status,
    )


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """A new secret as a QR code and as text; a right code from the app turns it on."""
    user = request_user(request)
    if services.two_factor.two_factor_enabled(user):
        return redirect("two_factor")
    device: TwoFactorDevice = services.two_factor.two_factor_begin(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _device, codes = services.two_factor.two_factor_confirm(user=user, data=form.input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            forced = bool(request.session.pop(SETUP_KEY, False))
            messages.success(request, _("Two-factor sign-in is on."))
            return render(
                request,
                "core/two_factor_codes.html",
                {"codes": codes, "section": "two_factor", "forced": forced},
            )
    uri = services.two_factor.provisioning_uri(device)
    return render(
        request,
        "core/two_factor_setup.html",
        {
            "section": "two_factor",
            "form": form,
            "qr": qr_svg(uri),
            "secret": _secret_groups(device.secret),
            "forced": bool(request.session.get(SETUP_KEY)),
        },
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = TwoFactorProofForm(request.POST, prefix="off")
    if form.is_valid():
        try:
            services.two_factor.two_factor_disable(
                user=request_user(request), data=form.input(), password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two_factor")
    return _status_page(request, off_form=form, status=400)


@login_required
@require_POST
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the old ones stop working."""
    form = TwoFactorProofForm(request.POST, prefix="codes")
    if form.is_valid():
        try:
            codes = services.two_factor.recovery_codes_regenerate(
                user=request_user(request), data=form.input(), password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "core/two_factor_codes.html", {"codes": codes, "section": "two_factor"})
    return _status_page(request, codes_form=form, status=400)
