"""The REST API at /api/v1/: every app's router, one error format, token or session auth.

The interactive docs at /api/v1/docs load Swagger UI from django-ninja's own static files
(served by WhiteNoise), never from a CDN.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger

from peyvand.activities import api as activities
from peyvand.adoption import api as adoption
from peyvand.analytics import api as analytics
from peyvand.automation import api as automation
from peyvand.core import api as core
from peyvand.core.apikit import auth, errors
from peyvand.customers import api as customers
from peyvand.customers.selectors.duplicates import DuplicateFound
from peyvand.interactions import api as interactions
from peyvand.marketing import api as marketing
from peyvand.notifications import api as notifications
from peyvand.portal import api as portal
from peyvand.sales import api as sales
from peyvand.service import api as service


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """django-ninja answers a wrong method in plain text; answer it in the API's error format."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            error = errors.status_error(405)
            error["Allow"] = response.get("Allow", "")
            return error
        return response

    return wrapped


class PeyvandAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        # Anything else under /api/v1/ is a JSON 404, not the web UI's page.
        # Any character, a newline too (".../%0A": "." would miss it); and no CSRF check on a
        # path that is not there, or a POST to it would get Django's HTML page, not JSON.
        patterns.append(re_path(r"^[\s\S]*$", csrf_exempt(errors.not_found_view), name="not-found"))
        return patterns, app_name, namespace


api = PeyvandAPI(
    title="Peyvand API",
    version="1",
    description=(
        "Peyvand's REST API. Authenticate with a personal token (`Authorization: Bearer pvd_...`, "
        "created under your settings) or, from the web UI, with the session and its CSRF token. "
        "Lists are cursor-paginated: follow `next_cursor`. Dates and times are ISO 8601; "
        "input also accepts Jalali dates such as 1403/05/12. Phone numbers are E.164."
    ),
    urls_namespace="api",
    auth=[auth.TokenAuth(), auth.SessionAuth()],
    renderer=errors.renderer,
    # validatorUrl: Swagger UI would otherwise send the schema to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)
errors.install_error_handlers(api, extra=[(DuplicateFound, customers.duplicate_found)])

for app in (
    core,
    customers,
    interactions,
    notifications,
    sales,
    activities,
    service,
    marketing,
    analytics,
    portal,
    adoption,
    automation,
):
    api.add_router("", app.router)
