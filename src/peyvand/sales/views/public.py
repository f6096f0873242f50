"""The web-to-lead form as visitors see it: a hosted page, embeddable in an iframe, that
also accepts a plain HTML form posted from another site (the snippet)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from .. import conf
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
            webform_submit(form=form, data=request.POST, address=_address(request))
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


def _address(request: HttpRequest) -> str | None:
    """The visitor's address the rate limit counts: REMOTE_ADDR, or behind one of the
    trusted proxies (PEYVAND_TRUSTED_PROXIES) the last X-Forwarded-For hop no trusted
    proxy added. Anyone else's X-Forwarded-For is ignored: a client could write anything."""
    remote = _ip(request.META.get("REMOTE_ADDR"))
    trusted = conf.trusted_proxies()
    if remote is None or not _is_trusted(remote, trusted):
        return str(remote) if remote is not None else None
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:
            break  # a malformed hop: nothing before it can be believed
        if not _is_trusted(address, trusted):
            return str(address)
    return str(remote)


def _ip(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, trusted: list[Any]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)
