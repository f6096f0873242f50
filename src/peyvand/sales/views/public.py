"""The web-to-lead form as visitors see it: a hosted page, embeddable in an iframe, that
also accepts a plain HTML form posted from another site (the snippet)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from peyvand.core.http import client_address

from ..models import Lead, WebForm
from ..selectors import leads as selectors
from ..services.webforms import HONEYPOT, RateLimited, webform_submit


@csrf_exempt  # posted from other sites and third-party iframes; the honeypot and rate limit guard it
@xframe_options_exempt
def web_form_public(request: HttpRequest, key: str) -> HttpResponse:
    form = web_form_public_or_404(key)
    with translation.override(form.language):  # the form's language, whatever the visitor's browser says
        return _web_form(request, form)


def _web_form(request: HttpRequest, form: WebForm) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    values = (
        {name: request.POST.get(name, "")[:5000] for name in form.fields} if request.method == "POST" else {}
    )
    status = 200
    if request.method == "POST":
        try:
            webform_submit(form=form, data=request.POST, address=client_address(request))
        except RateLimited:
            status = 429
            errors = {
                "__all__": [translation.gettext("Too many submissions from your address; try again later.")]
            }
        except ValidationError as exc:
            status = 400
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            return render(request, "sales/web_form_public.html", {"form": form, "done": True})
    labels = {f.name: f.verbose_name for f in Lead._meta.fields}
    # A field the form does not show (a name for a form that asks only for a company) still
    # has its error said, above the fields.
    general = errors.get("__all__", []) + [
        message
        for name, messages in errors.items()
        if name != "__all__" and name not in form.fields
        for message in messages
    ]
    fields = [
        {
            "name": name,
            "label": labels[name],
            "required": name in form.required,
            "value": values.get(name, ""),
            "errors": errors.get(name, []),
        }
        for name in form.fields
    ]
    context = {"form": form, "fields": fields, "errors": general, "honeypot": HONEYPOT}
    return render(request, "sales/web_form_public.html", context, status=status)


def web_form_public_or_404(key: str) -> WebForm:
    form = selectors.web_form_public(key=key)
    if form is None:
        raise Http404
    return form
