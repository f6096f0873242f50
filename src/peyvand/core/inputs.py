"""Typed inputs of the services.

A service operation takes one typed input (a frozen dataclass) that the form and the API
schema both produce, instead of a dict it would check for unknown names by hand. A field
left ``UNSET`` is not given: on a change it stays as it is, on a new record it takes its
default. ``given`` lists the fields that were.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Final


class Unset(enum.Enum):
    UNSET = "UNSET"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def given(data: Any) -> dict[str, Any]:
    """The fields of a typed input that were given, by name, in declaration order."""
    values = ((f.name, getattr(data, f.name)) for f in dataclasses.fields(data))
    return {name: value for name, value in values if value is not UNSET}
