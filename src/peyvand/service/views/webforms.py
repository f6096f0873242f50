"""Public request forms: the administrator's pages, and the form as visitors see it (a hosted
page that a site embeds in an iframe)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import client_address, request_user

from ..forms import WebFormForm
from ..models import TicketWebForm
from ..selectors import webforms as selectors
from ..services import webforms as services

FIELDS = ("name", "email", "phone", "subject", "message")


@login_required
def web_form_list(request: HttpRequest) -> HttpResponse:
    policy.require_admin(request_user(request))
    return render(request, "service/web_form_list.html", {"nav": "admin", "forms": selectors.web_forms()})


@login_required
def web_form_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    found = get_object_or_404(TicketWebForm, pk=pk) if pk else None
    initial = (
        {name: getattr(found, name) for name in WebFormForm.base_fields}
        if found
        else {"language": settings.LANGUAGE_CODE[:2]}
    )
    form = WebFormForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            found = services.web_form_save(actor=user, data=form.web_form_input(), form=found)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The request form was saved."))
            return redirect("service:web_form_edit", found.pk)
    public_url = (
        settings.PEYVAND_BASE_URL + reverse("service:request_form", args=[found.key]) if found else ""
    )
    return render(
        request,
        "service/web_form_edit.html",
        {"nav": "admin", "form": form, "web_form": found, "public_url": public_url},
        status=422 if form.errors else 200,
    )


@csrf_exempt  # sent from sites that embed it in an iframe; the token, honeypot and rate limit guard it
@xframe_options_exempt
def request_form(request: HttpRequest, key: str) -> HttpResponse:
    found = selectors.web_form_public(key=key)
    if found is None:
        raise Http404
    with translation.override(found.language):  # the form's language, whatever the browser says
        return _request_form(request, found)


def _request_form(request: HttpRequest, form: TicketWebForm) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "")[:60_000] for name in FIELDS}
        data = services.WebRequestInput(
            **values,
            token=request.POST.get("token", "")[:1000],
            honeypot=request.POST.get(services.HONEYPOT, "")[:1000],
        )
        try:
            ticket = services.web_request_submit(form=form, data=data, address=client_address(request))
        except services.RateLimited:
            status = 429
            errors = {"__all__": [_("Too many submissions from your address; try again later.")]}
        except ValidationError as exc:
            status = 400
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            # A bot (None) is thanked the same way, with no number.
            return render(
                request, "service/request_form.html", {"form": form, "done": True, "ticket": ticket}
            )
    fields = [
        {"name": name, "value": values.get(name, ""), "errors": errors.get(name, [])} for name in FIELDS
    ]
    context = {
        "form": form,
        "fields": {f["name"]: f for f in fields},
        "errors": errors.get("__all__", []),
        "token": services.form_token(form),
        "honeypot": services.HONEYPOT,
    }
    return render(request, "service/request_form.html", context, status=status)
