"""Shared pieces of the REST API: authentication, the error envelope, schema types, pages,
and the endpoints about the caller and the users they may pick.

Every error leaves the API in one shape,
``{"error": {"code": ..., "message": ..., "fields": [{"field": ..., "message": ...}]}}``,
with the message translated into the caller's language: clients branch on the code and
show the message as it is.

This module is imported while the URLconf loads, so it must not use ``from __future__
import annotations``: django-ninja reads the endpoints' annotations as real types.
"""

import contextlib
import datetime as dt
import json
import logging
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.core import signals
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime as parse_iso_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictInt,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from . import jalali, policy, selectors, services
from .models import Action, User
from .pagination import InvalidCursor, Page, keyset_page
from .text import to_ascii_digits

logger = logging.getLogger("django.request")

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

MAX_ID = 2**63 - 1  # the largest value a BigAutoField holds on every engine
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Dates outside these years are typing mistakes, and near the ends of Python's range a
# conversion to UTC would overflow inside the database driver.
EARLIEST = dt.date(1000, 1, 1)
LATEST = dt.date(9000, 12, 31)

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


# --- schema building blocks ---------------------------------------------------------------


@dataclass(frozen=True)
class SchemaName:
    """``Annotated[Outcome, SchemaName("DealOutcome")]``: the enum's name in the OpenAPI schema.

    django-ninja files every enum under its class name, and two apps' ``Outcome`` or
    ``Kind`` would overwrite each other there, publishing the wrong values for one of them.
    Validation is unchanged: the values are still the model's choices.
    """

    name: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = dict(handler.resolve_ref_schema(handler(source)))
        schema["ref"] = f"{self.name}:{id(source)}"  # pydantic names a definition by its ref
        return cast(CoreSchema, schema)

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        handler.resolve_ref_schema(json_schema)["title"] = self.name
        return json_schema


class InputSchema(Schema):
    """A request body: a field the endpoint does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; refuse it here, as a field error rather than a 500 there.
    if "\x00" in value:
        raise ValueError(_("Remove the NUL character from this text."))
    return value


NoNul = AfterValidator(_no_nul)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a path or query string, where numbers arrive as text."""
BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
"""An id in a JSON body: a number, not a string that looks like one."""
Cursor = Annotated[str | None, Field(max_length=1000)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


def _out_of_range() -> ValueError:
    return ValueError(
        _("Enter a date between the years %(start)d and %(end)d.")
        % {"start": EARLIEST.year, "end": LATEST.year}
    )


def _in_range(day: dt.date) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise _out_of_range()
    return day


def _to_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError(_("Enter a date without a time."))
    if isinstance(value, dt.date):
        return _in_range(value)
    if not isinstance(value, str):
        raise ValueError(_("Enter a date as text, for example 1403/05/12 or 2024-08-02."))
    return _in_range(jalali.parse_date(value))


def _to_datetime(value: Any) -> Any:
    """ISO 8601 with or without an offset, or a Jalali or Gregorian "Y/M/D H:M"."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        text = to_ascii_digits(value.strip())
        try:
            parsed = parse_iso_datetime(text)
        except ValueError:
            parsed = None
        moment = parsed or jalali.parse_datetime(text)
        if moment.year < jalali.GREGORIAN_YEAR_FROM:
            # "1403-05-12T14:30+03:30" reads as ISO; its year says the date is Jalali.
            day = jalali.parse_date(f"{moment.year:04d}/{moment.month}/{moment.day}")
            moment = moment.replace(year=day.year, month=day.month, day=day.day)
    else:
        raise ValueError(_("Enter a date and time as text, for example 2024-08-02T14:30:00+03:30."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # in the caller's time zone
    try:
        moment = moment.astimezone(dt.UTC)  # what the API answers in, whatever was sent
    except OverflowError:
        raise _out_of_range() from None
    _in_range(moment.date())
    return moment


ApiDate = Annotated[dt.date, BeforeValidator(_to_date)]
"""A date typed in Jalali or Gregorian (ISO 8601), in any digits."""
ApiDateTime = Annotated[dt.datetime, BeforeValidator(_to_datetime)]
"""An ISO 8601 date and time, or a Jalali one such as "1403/05/12 14:30" (local time)."""


class PageQuery(Schema):
    cursor: Cursor = None
    limit: Limit = DEFAULT_LIMIT


class PageOut(Schema, Generic[T]):
    """One page of a list: follow ``next_cursor`` until it is null."""

    items: list[T]
    next_cursor: str | None = None
    previous_cursor: str | None = None


class UserRef(Schema):
    id: int
    username: str
    display_name: str

    @staticmethod
    def resolve_display_name(obj: User) -> str:
        return str(obj)


class FieldError(Schema):
    field: str
    message: str


class ErrorDetail(Schema):
    code: str
    message: str
    fields: list[FieldError] = []


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 422), ErrorOut)


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
        *extra,
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under the API: JSON, not the web UI's HTML page."""
    return status_error(404)


# --- authentication -----------------------------------------------------------------------


def _adopt(request: HttpRequest, user: User) -> None:
    """Act as a token's user: the language and time zone they chose apply, as in the UI."""
    request.user = user
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
    with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):  # else the default zone
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pvd_...``: a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = services.api_token_authenticate(token)
        if user is not None:
            _adopt(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The web UI's session, so its pages can call the API; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # anonymous: 401, not a CSRF complaint
        if check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", _("The CSRF check failed. Reload the page and try again."))
        return user


def actor(request: HttpRequest) -> User:
    """The user an authenticated endpoint acts for."""
    user: User = request.auth  # type: ignore[attr-defined]  # set by django-ninja
    return user


# --- helpers for endpoints ----------------------------------------------------------------


def typed(func: F, **annotations: Any) -> F:
    """Give an endpoint shared by several resources the schemas of one of them.

    django-ninja reads a body's schema from the annotation, so a factory that registers
    one function per resource sets it here rather than repeating the function.
    """
    func.__annotations__ = {**func.__annotations__, **annotations}
    return func


def visible_or_404(user: User, queryset: models.QuerySet[M], pk: int) -> M:
    """The record ``user`` may see, through the policy; 404 as if it did not exist otherwise."""
    obj = policy.visible(user, queryset).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def resolve_user(pk: int | None, field: str) -> User | None:
    """The active user a body refers to by id (an owner, a handler), or a field error."""
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise field_error(field, _("Choose an active user."))
    return user


def page_of(schema: type[Schema]) -> Any:
    """``PageOut[schema]`` for a schema chosen at run time (by a factory)."""
    return PageOut[schema]  # type: ignore[valid-type]


def page_out(page: Page[Any]) -> dict[str, Any]:
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


def reject_unknown(values: Sequence[str], allowed: Iterable[str], field: str) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise field_error(field, _("Unknown values: %(values)s.") % {"values": ", ".join(unknown)})


# --- the caller and the users they may choose ---------------------------------------------

router = Router(tags=["users"])


class TeamRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    display_name: str
    email: str
    role: str
    team: TeamRef | None
    language: str
    time_zone: str
    is_administrator: bool
    scopes: dict[str, dict[str, str]] = Field(
        description="For each resource and action (view, change): none, own, team or all."
    )

    @staticmethod
    def resolve_display_name(obj: User) -> str:
        return str(obj)

    @staticmethod
    def resolve_scopes(obj: User) -> dict[str, dict[str, str]]:
        return {
            resource: {action: str(policy.scope(obj, resource, action)) for action in Action.values}
            for resource in policy.RESOURCES
        }


class UserOut(UserRef):
    team_id: int | None
    assignable: bool = Field(description="Whether you may make this user a customer's owner.")


class UserQuery(PageQuery):
    q: Annotated[str, Field(max_length=200), NoNul] = ""


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The signed-in user")
def me(request: HttpRequest) -> User:
    return actor(request)


@router.get("/users", response={200: PageOut[UserOut], **ERRORS}, summary="Active users, for owner pickers")
def users(request: HttpRequest, filters: Query[UserQuery]) -> dict[str, Any]:
    party_model = apps.get_model("customers", "Party")  # ownership is of customers
    user = actor(request)
    queryset = selectors.users_matching(User.objects.filter(is_active=True), filters.q)
    page = keyset_page(queryset, order=["username", "id"], cursor=filters.cursor, limit=filters.limit)
    for other in page.items:
        other.assignable = policy.may_own(user, party_model, other)  # type: ignore[attr-defined]
    return page_out(page)
