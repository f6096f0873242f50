"""Administration → Company: the company profile, and its logo for signed-in users."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import selectors, services
from ..forms import CompanyProfileForm, add_service_errors
from ..http import request_user
from ..identifiers import iban_display
from .admin import admin_required


@admin_required
def company_view(request: HttpRequest) -> HttpResponse:
    profile = selectors.company.company_profile()
    initial = {
        name: getattr(profile, name) for name in CompanyProfileForm.base_fields if hasattr(profile, name)
    }
    initial.pop("logo", None)
    if profile.iban:
        initial["iban"] = iban_display(profile.iban)
    form = CompanyProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.company.company_profile_save(actor=request_user(request), data=form.profile_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The company profile was saved."))
            return redirect("company")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "core/company.html",
        {"form": form, "profile": profile, "has_logo": bool(profile.logo)},
        status=status,
    )


@login_required
def company_logo(request: HttpRequest) -> HttpResponse:
    """The logo, to signed-in users only (it never has a public address)."""
    found = selectors.company.company_logo(selectors.company.company_profile())
    if found is None:
        raise Http404
    content, content_type = found
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
