"""SMS providers: the log, a file, or an HTTP gateway. Chosen by PEYVAND_SMS_BACKEND.

The HTTP gateway receives ``POST {url}`` with a JSON body
``{"to": "+98912...", "from": sender, "text": ..., "id": idempotency key}``, the key also as
``Idempotency-Key`` and the API key as a bearer token. A 2xx answer is sent (its JSON
``id``, if any, is kept); 408, 429 and 5xx are tried again later; other 4xx are final.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from . import PermanentError, TransientError

logger = logging.getLogger("peyvand.sms")


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    idempotency_key: str


class SmsBackend(Protocol):
    def send(self, sms: Sms) -> str:
        """Deliver ``sms``; returns the provider's id for it (or "")."""


class ConsoleBackend:
    def send(self, sms: Sms) -> str:
        logger.info("SMS to %s (%s): %s", sms.to, sms.idempotency_key, sms.text)
        return ""


class FileBackend:
    """One JSON line per message: what a developer or a test reads back."""

    def send(self, sms: Sms) -> str:
        path = settings.PEYVAND_SMS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": sms.to, "text": sms.text, "id": sms.idempotency_key}, ensure_ascii=False)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return sms.idempotency_key


class HttpGatewayBackend:
    def __init__(self, url: str, api_key: str, sender: str, timeout: float) -> None:
        if not url.startswith(("http://", "https://")):
            raise PermanentError("PEYVAND_SMS_URL must be an http(s) address")
        self.url, self.api_key, self.sender, self.timeout = url, api_key, sender, timeout

    def send(self, sms: Sms) -> str:
        body = json.dumps(
            {"to": sms.to, "from": self.sender, "text": sms.text, "id": sms.idempotency_key},
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": sms.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked above
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode(errors="replace")
            message = f"HTTP {exc.code}: {detail}".strip()
            if exc.code in (408, 429) or exc.code >= 500:
                raise TransientError(message) from exc
            raise PermanentError(message) from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        return str(answer.get("id", "")) if isinstance(answer, dict) else ""


def backend() -> SmsBackend:
    name = settings.PEYVAND_SMS_BACKEND
    if name == "http":
        return HttpGatewayBackend(
            settings.PEYVAND_SMS_URL,
            settings.PEYVAND_SMS_API_KEY,
            settings.PEYVAND_SMS_SENDER,
            settings.PEYVAND_SMS_TIMEOUT,
        )
    if name == "file":
        return FileBackend()
    return ConsoleBackend()
