"""Whether a web address may be stored or fetched: http or https only, and, for an address
something will fetch, a public host — never loopback, private, link-local or reserved, in any
of the spellings that reach them (``0177.0.0.1``, ``2130706433``, ``0x7f.1``, ``[::1]``,
``localhost``), and, when asked to resolve names, no name that resolves to one."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_WEB = URLValidator(schemes=["http", "https"])
_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


def is_web_address(value: str) -> bool:
    """An http or https address (``javascript:``, ``data:``, ``file:`` are not)."""
    try:
        _WEB(value)
    except ValidationError:
        return False
    return True


def host_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a literal host names, in every spelling a socket accepts; None for a name."""
    host = host.strip().strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        # inet_aton reads what browsers and sockets do: octal (0177.0.0.1), hex (0x7f.1),
        # short forms (127.1) and a bare number (2130706433).
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def is_public_url(value: str, *, resolve: bool = False) -> bool:
    """An http(s) address whose host is public; ``resolve`` also looks the name up (and every
    address it resolves to must be public)."""
    if not is_web_address(value):
        return False
    host = (urlsplit(value).hostname or "").lower()
    if not host or host.endswith(_LOCAL_NAMES) or host in _LOCAL_NAMES:
        return False
    literal = host_address(host)
    if literal is not None:
        return is_public_address(literal)
    if not resolve:
        return True
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(found) and all(is_public_address(ipaddress.ip_address(a.split("%")[0])) for a in found)
