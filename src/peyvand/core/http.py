"""Small things the pages of every app share."""

import ipaddress
import os
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .models import User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required`` (never anonymous there)."""
    return cast(User, request.user)


def show_errors(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal, as messages at the top of the next page."""
    for message in error.messages:
        messages.error(request, message)


def sort_columns(current: str, labels: dict[str, Any]) -> list[dict[str, Any]]:
    """A list's sortable columns: each one's label, the sort its link asks for, its arrow."""
    return [
        {
            "key": key,
            "label": label,
            "sort": f"-{key}" if current == key else key,
            "mark": "▲" if current == key else ("▼" if current == f"-{key}" else ""),
        }
        for key, label in labels.items()
    ]


def list_headers(
    shown: list[Any], current: str, sorts: Mapping[str, Sequence[str]] | None = None
) -> list[dict[str, Any]]:
    """The header cells of a list's chosen columns (``core.list_columns``): each one's label,
    and for a sortable one the sort its link asks for and its arrow.

    Given the list's ``sorts`` (sort key -> order), a column's link turns its order round
    only where the list knows the reverse, and the arrow shows which way the rows go (a
    column sorted newest first, "created" on some lists, points down)."""
    headers = []
    for column in shown:
        head: dict[str, Any] = {"key": column.key, "label": column.label, "css": column.css, "sort": None}
        if column.sort:
            key = column.sort
            reverse = key[1:] if key.startswith("-") else f"-{key}"
            if sorts is None:
                head["sort"] = reverse if current == key else key
                head["mark"] = "▲" if current == key else ("▼" if current == reverse else "")
            else:
                head["sort"] = reverse if current == key and reverse in sorts else key
                going_down = current in sorts and sorts[current][0].startswith("-")
                head["mark"] = ("▼" if going_down else "▲") if current in (key, reverse) else ""
        headers.append(head)
    return headers


IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies() -> list[IpNetwork]:
    """The networks of PEYVAND_TRUSTED_PROXIES; an entry that is not an address is ignored."""
    networks: list[IpNetwork] = []
    for entry in os.environ.get("PEYVAND_TRUSTED_PROXIES", "").split(","):
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def client_address(request: HttpRequest) -> str | None:
    """The visitor's address (what rate limits and sign-in throttling count): REMOTE_ADDR,
    or behind one of the trusted proxies (PEYVAND_TRUSTED_PROXIES) the last X-Forwarded-For
    hop no trusted proxy added. Anyone else's X-Forwarded-For is ignored: a client could
    write anything there."""
    remote = _ip(request.META.get("REMOTE_ADDR"))
    trusted = trusted_proxies()
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


def _ip(value: str | None) -> IpAddress | None:
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def _is_trusted(address: IpAddress, trusted: list[IpNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)
