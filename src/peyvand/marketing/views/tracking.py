"""The addresses in a campaign's messages: a tracked link, the open pixel. Public (the
recipient is not signed in), answered from the token alone."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..services import tracking

# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    """Count the click and go where the campaign linked; a token that is not ours is a 404,
    never a redirect to an address someone put in it."""
    target = tracking.click_record(token=token)
    if target is None:
        raise Http404
    response = HttpResponseRedirect(target)
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_GET
def pixel(request: HttpRequest, token: str) -> HttpResponse:
    tracking.open_record(token=token)
    return HttpResponse(PIXEL, content_type="image/gif")
