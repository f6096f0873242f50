"""Users' telephony extensions (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from .. import selectors
from ..forms import ExtensionForm
from ..services import telephony


@login_required
def extensions(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and request.POST.get("remove"):
        profile = (
            selectors.telephony.extension_list().filter(pk=request.POST["remove"]).first()
            if request.POST["remove"].isdigit()
            else None
        )
        if profile is not None:
            telephony.extension_remove(profile=profile, actor=user)
            messages.success(request, _("The extension was removed."))
        return redirect("extensions")
    if request.method == "POST" and form.is_valid():
        try:
            telephony.extension_set(
                user=form.cleaned_data["user"], extension=form.cleaned_data["extension"], actor=user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The extension was saved."))
            return redirect("extensions")
    return render(
        request,
        "interactions/extensions.html",
        {"form": form, "profiles": selectors.telephony.extension_list(), "nav": "admin"},
    )
