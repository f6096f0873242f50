"""The addresses of a customer's records in the portal: not their database ids.

A record's reference is its id with a keyed signature (``42-Xb3…``): nobody can write the
reference of a record they were not shown, and the portal still checks that the record is
the signed-in customer's before showing it (both, as the issue asks).
"""

from __future__ import annotations

import re

from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "peyvand.portal.ref"
_SHAPE = re.compile(r"^([1-9][0-9]{0,17})-([A-Za-z0-9]{20})$")


def _signature(kind: str, pk: int) -> str:
    digest = salted_hmac(_SALT, f"{kind}:{pk}", algorithm="sha256").hexdigest()
    return digest[:20]


def ref_for(kind: str, pk: int) -> str:
    return f"{pk}-{_signature(kind, pk)}"


def pk_from(kind: str, ref: object) -> int | None:
    """The id a reference stands for, or None when it is not one of ours."""
    match = _SHAPE.match(str(ref or ""))
    if match is None:
        return None
    pk = int(match.group(1))
    return pk if constant_time_compare(match.group(2), _signature(kind, pk)) else None
