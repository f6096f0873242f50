"""POSTing a webhook's body to an address outside: SSRF-safe, bounded, no redirects.

The address's name is resolved once, every address it resolves to must be public (never
loopback, private, link-local or reserved: ``peyvand.core.addresses``), and the connection
is made to the address that was checked, the name kept for the Host header and TLS (SNI and
the certificate's name). So a name that resolves to a public address when checked and to
127.0.0.1 a moment later (DNS rebinding) cannot send the request inside.

No database here; ``PEYVAND_WEBHOOK_ALLOW_PRIVATE`` (tests only) lets loopback through.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from peyvand.core.addresses import host_address, is_public_address, is_public_url, is_web_address

from . import PermanentError, TransientError

RESPONSE_KEPT = 1024  # bytes of a response body kept in the delivery log


@dataclass(frozen=True)
class Response:
    status: int
    body: str  # at most RESPONSE_KEPT bytes, decoded
    duration_ms: int


class Refused(PermanentError):
    """The address is not one Peyvand may send to (not public, not http(s))."""


def allow_private() -> bool:
    return bool(getattr(settings, "PEYVAND_WEBHOOK_ALLOW_PRIVATE", False))


def url_allowed(url: str) -> bool:
    """Whether ``url`` may be saved as a webhook's address (no look-up of its name)."""
    if allow_private():
        return is_web_address(url)
    return is_public_url(url)


def _resolve(host: str, port: int) -> str:
    """The one address to connect to: every address ``host`` resolves to must be public."""
    literal = host_address(host)
    if literal is not None:
        candidates = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise TransientError(_("The name %(host)s could not be resolved.") % {"host": host}) from exc
        candidates = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not candidates:
        raise TransientError(_("The name %(host)s could not be resolved.") % {"host": host})
    if not allow_private() and not all(is_public_address(address) for address in candidates):
        raise Refused(
            _("Refused: %(host)s is not a public address (loopback, private or link-local).") % {"host": host}
        )
    return str(candidates[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _cut(connection: http.client.HTTPConnection, fired: threading.Event) -> None:
    """End an exchange that ran past its deadline: the read waiting on the socket ends."""
    fired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _late(timeout: float) -> str:
    return _("no complete answer within %(seconds)s seconds") % {"seconds": f"{timeout:g}"}


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 5.0) -> Response:
    """POST ``body``; the response however it answered (a redirect is not followed).

    Raises ``Refused`` for an address that is not allowed, ``TransientError`` when the
    request did not get an answer (a refused connection, a timeout, a name not found).
    """
    if not is_web_address(url) or not (allow_private() or is_public_url(url)):
        raise Refused(_("Refused: the address is not a public http or https address."))
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError:
        raise Refused(_("Refused: the address is not a public http or https address.")) from None
    address = _resolve(host, port)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_type = _PinnedHTTPS if https else _PinnedHTTP
    connection = connection_type(host, port, address, timeout)
    # The socket's timeout bounds each read; this bounds the whole exchange, so a receiver
    # that answers a byte at a time cannot hold a worker for longer than ``timeout``.
    fired = threading.Event()
    deadline = threading.Timer(timeout, _cut, args=(connection, fired))
    started = time.monotonic()
    deadline.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        kept = answer.read(RESPONSE_KEPT)
        status = answer.status
    except (OSError, ValueError, http.client.HTTPException) as exc:
        reason = str(exc) or type(exc).__name__
        if fired.is_set() or time.monotonic() - started >= timeout:
            reason = _late(timeout)
        raise TransientError(
            _("No answer from %(host)s: %(reason)s") % {"host": host, "reason": reason}
        ) from exc
    finally:
        deadline.cancel()
        connection.close()
    if fired.is_set():
        # Cut off: what was read so far (it may even look whole) is not the answer.
        raise TransientError(
            _("No answer from %(host)s: %(reason)s") % {"host": host, "reason": _late(timeout)}
        )
    duration = int((time.monotonic() - started) * 1000)
    return Response(status, kept.decode("utf-8", "replace"), duration)
