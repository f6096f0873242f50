"""The error pages (403, 404, 500) in the interface's language."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from ..jalali import uses_jalali

# --- error pages --------------------------------------------------------------------------


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: whatever failed must not fail again while we apologise.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"rtl": uses_jalali()}), status=500)
