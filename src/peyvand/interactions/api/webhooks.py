"""What the webhooks share: a secret in a header, and bodies as JSON or as a form (a PBX
sends what its dial plan can).

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import hmac
import json
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from peyvand.core.apikit.auth import TokenAuth
from peyvand.core.apikit.errors import ApiError

S = TypeVar("S", bound=BaseModel)


# --- webhook authentication ---------------------------------------------------------------


def _secret_matches(given: str | None, secret: str) -> bool:
    return bool(secret and given) and hmac.compare_digest(str(given).encode(), secret.encode())


class _SecretBearer(HttpBearer):
    setting = ""

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        return "webhook" if _secret_matches(token, getattr(settings, self.setting)) else None


class _SecretHeader(APIKeyHeader):
    param_name = "X-Peyvand-Token"
    setting = ""

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        return "webhook" if _secret_matches(key, getattr(settings, self.setting)) else None


class _AdminToken(TokenAuth):
    """A personal API token, for administrators only: a webhook acts for nobody in particular."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        return user if user is not None and user.is_administrator else None


def webhook_auth(setting: str) -> list[Any]:
    bearer = type("Bearer", (_SecretBearer,), {"setting": setting})
    header = type("Header", (_SecretHeader,), {"setting": setting})
    return [bearer(), header(), _AdminToken()]


def webhook_payload(request: HttpRequest, schema: type[S]) -> S:
    """The body as JSON or as a form, validated into ``schema`` with the API's error format."""
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    data: Any
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # A PBX's dialplan sends every field, empty when it has no value (no billsec while
        # ringing): an empty field is a missing one.
        data = {name: value for name, value in request.POST.items() if str(value).strip()}
    else:
        try:
            data = json.loads(request.body or b"null")
        except RecursionError:
            raise ApiError(400, "invalid_json", _("The request body is nested too deeply.")) from None
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "invalid_json", _("The request body is not valid JSON.")) from None
    try:
        return schema.model_validate(data)
    except RecursionError:
        raise ApiError(400, "invalid_json", _("The request body is nested too deeply.")) from None
    except PydanticValidationError as exc:
        errors = [
            {"type": error["type"], "loc": ("body", "payload", *error["loc"]), "ctx": error.get("ctx")}
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise NinjaValidationError(errors) from None
