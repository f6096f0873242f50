"""Every error leaves the API in one shape,
``{"error": {"code": ..., "message": ..., "fields": [{"field": ..., "message": ...}]}}``,
with the message translated into the caller's language: clients branch on the code and
show the message as it is.
"""

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core import signals
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from .. import jalali
from ..pagination import InvalidCursor

logger = logging.getLogger("django.request")


CHECK_VALUES = gettext_lazy("Some of the values sent are not valid.")
SEND_OBJECT = gettext_lazy("Send a JSON object in the request body.")
NOT_FOUND = gettext_lazy("Nothing was found here, or you may not see it.")
STATUS_ERRORS: dict[int, tuple[str, Any]] = {
    400: ("bad_request", gettext_lazy("The request is not valid.")),
    401: ("unauthorized", gettext_lazy("Sign in, or send a valid API token.")),
    403: ("permission_denied", gettext_lazy("You do not have permission to do this.")),
    404: ("not_found", NOT_FOUND),
    405: ("method_not_allowed", gettext_lazy("This address does not accept this method.")),
    413: ("too_large", gettext_lazy("The request is too large.")),
    429: ("throttled", gettext_lazy("Too many requests; wait a little and try again.")),
}

# pydantic's error types, as messages people can read in their own language.
_PYDANTIC_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field cannot be set."),
    "string_too_long": gettext_lazy("Use at most %(max_length)s characters."),
    "string_too_short": gettext_lazy("Use at least %(min_length)s characters."),
    "too_long": gettext_lazy("Send at most %(max_length)s items."),
    "string_type": gettext_lazy("Enter text."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "bool_type": gettext_lazy("Choose true or false."),
    "bool_parsing": gettext_lazy("Choose true or false."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "enum": gettext_lazy("Choose one of %(expected)s."),
    "literal_error": gettext_lazy("Choose one of %(expected)s."),
    "list_type": gettext_lazy("Send a list."),
    "model_attributes_type": gettext_lazy("Send a JSON object."),
    "dict_type": gettext_lazy("Send a JSON object."),
    "model_type": gettext_lazy("Send a JSON object."),
    "union_tag_invalid": gettext_lazy("Choose a valid kind."),
}
_PYDANTIC_PREFIXES: tuple[tuple[str, Any], ...] = (
    ("datetime", gettext_lazy("Enter a valid date and time.")),
    ("date", gettext_lazy("Enter a valid date.")),
    ("int", gettext_lazy("Enter a whole number.")),
    ("string", gettext_lazy("Enter text.")),
)


# --- errors -------------------------------------------------------------------------------


class ApiError(Exception):
    """An error the API reports as it is, with its status, code, message and fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: Iterable[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = list(fields)
        self.headers = dict(headers or {})


def field_error(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", str(CHECK_VALUES), [(field, message)])


class Renderer(JSONRenderer):
    # Persian text as itself, not as \u06xx escapes: half the size and readable in logs.
    json_dumps_params = {"ensure_ascii": False}


renderer = Renderer()


def error_response(
    status: int,
    code: str,
    message: str,
    fields: Iterable[tuple[str, str]] = (),
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    # Numbers in the caller's digits: "at most ۱۰۰ characters" in Persian, as on the forms.
    local = jalali.local_numbers
    body = {
        "error": {
            "code": code,
            "message": local(str(message)),
            "fields": [{"field": name, "message": local(str(text))} for name, text in fields],
            **extra,
        }
    }
    response = HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder, **renderer.json_dumps_params),
        status=status,
        content_type=f"{renderer.media_type}; charset={renderer.charset}",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def status_error(status: int, message: str | None = None) -> HttpResponse:
    code, default = STATUS_ERRORS.get(status, ("error", STATUS_ERRORS[400][1]))
    return error_response(status, code, message or str(default))


def _pydantic_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and context.get("error"):
        return str(context["error"])  # our own validators' messages, already translated
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is None:
        template = next(
            (text for prefix, text in _PYDANTIC_PREFIXES if kind.startswith(prefix)),
            gettext_lazy("Enter a valid value."),
        )
    # pydantic joins choices in English ("'a', 'b' or 'c'"); keep just the list.
    values = {key: str(value).replace(" or ", ", ") for key, value in context.items()}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return _("Enter a valid value.")


def _on_request_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: list[tuple[str, str]] = []
    general: list[str] = []
    for error in exc.errors:
        location = list(error.get("loc", ()))
        source = location[0] if location else ""
        if source == "path":
            # Every path parameter here is an id: one that cannot exist is simply not found.
            return status_error(404)
        # The body is read into the endpoint's one schema parameter: drop its name.
        path = location[2:] if source == "body" else location[1:]
        name = ".".join(str(part) for part in path)
        if name:
            fields.append((name, _pydantic_message(error)))
        else:
            general.append(str(SEND_OBJECT) if source == "body" else _pydantic_message(error))
    return error_response(422, "validation_error", general[0] if general else str(CHECK_VALUES), fields)


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.fields, headers=exc.headers)


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and exc.__cause__ is not None:
        # django-ninja raises this when the body is not JSON (or not UTF-8).
        return error_response(400, "invalid_json", _("The request body is not valid JSON."))
    return status_error(exc.status_code)


def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = status_error(401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields: list[tuple[str, str]] = []
    general: list[str] = []
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            for message in messages:
                if name == NON_FIELD_ERRORS:
                    general.append(message)
                else:
                    fields.append((name, message))
    else:
        general.extend(exc.messages)
    return error_response(422, "validation_error", general[0] if general else str(CHECK_VALUES), fields)


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return status_error(403, str(exc) or None)


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return status_error(404)


def _on_invalid_cursor(request: HttpRequest, exc: InvalidCursor) -> HttpResponse:
    return error_response(400, "invalid_cursor", str(exc), [("cursor", str(exc))])


def _on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return status_error(413 if isinstance(exc, RequestDataTooBig) else 400)


def _on_unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A multipart body without its boundary, say: the client's mistake, as Django's pages say.
    return error_response(400, "invalid_body", _("The request body could not be read."))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged on django.request and signalled as Django does for a view's exception, so
    # error reporting (and the test client) see it; the client still gets JSON.
    logger.error("Internal Server Error: %s", request.path, exc_info=exc)
    signals.got_request_exception.send(sender=None, request=request)
    response = error_response(500, "server_error", _("Something went wrong on our side. Try again later."))
    response._has_been_logged = True  # type: ignore[attr-defined]  # logged above, with the traceback
    return response


ErrorHandler = Callable[[HttpRequest, Any], HttpResponse]


def install_error_handlers(api: NinjaAPI, extra: Sequence[tuple[type[Exception], ErrorHandler]] = ()) -> None:
    """Answer every error in the one JSON format; ``extra`` adds the apps' own exceptions."""
    handlers: list[tuple[type[Exception], ErrorHandler]] = [
        (Exception, _on_unexpected),
        (ApiError, _on_api_error),
        (NinjaValidationError, _on_request_validation),
        (HttpError, _on_http_error),
        (AuthenticationError, _on_unauthenticated),
        (DjangoValidationError, _on_django_validation),
        (PermissionDenied, _on_permission_denied),
        (Http404, _on_not_found),
        (ObjectDoesNotExist, _on_not_found),
        (InvalidCursor, _on_invalid_cursor),
        (SuspiciousOperation, _on_suspicious),
        (MultiPartParserError, _on_unreadable_body),
        (BadRequest, _on_unreadable_body),
        *extra,
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under the API: JSON, not the web UI's HTML page."""
    return status_error(404)
