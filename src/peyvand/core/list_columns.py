"""The columns of lists: each list declares its columns here, and a user chooses which are shown
and in what order (``?columns=a,b,c`` on the list, kept in a saved view like its filters, or
the user's own default for the list).

A column is a key, a label, the template fragment that draws its cell (given the row as
``row``, the reader as ``user`` and whatever the list's row loop sets) and, when the list can
sort by it, its sort key. Any app may add columns to a list (``add_column``): custom fields
add theirs to people's lists. The cells must read only what the list's query already loaded,
so a list costs the same queries whatever columns are shown; a value the query reads only
for a shown column (a customer's city, a subquery) is named in ``needs``, which the list's
selector takes (``needs_of``).

A list is named by its URL name; one view drawing several lists (people and organisations)
names each by its ``kind`` too: ``party_list:person`` (``list_name``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PARAM = "columns"
MAX_COLUMNS = 40


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation
    template: str  # draws the <td> of one row
    sort: str | None = None  # the list's sort key, if it sorts by this column
    shown: bool = True  # among the columns shown until the user chooses
    css: str = ""  # classes of its header cell
    needs: str = ""  # what the list's selector loads for this column only when it is shown


def list_name(view_name: str, kwargs: Mapping[str, Any]) -> str:
    """The name of the list a URL draws: its URL name, and the kind of record it lists when
    one view draws several (``party_list:person``)."""
    kind = kwargs.get("kind")
    return f"{view_name}:{kind}" if isinstance(kind, str) and kind else view_name


def needs_of(shown: Iterable[Column]) -> frozenset[str]:
    """What the shown columns need loaded beyond the list's own query."""
    return frozenset(column.needs for column in shown if column.needs)


# list name (its URL name, e.g. "sales:deal_list") -> key -> column, in the order added.
_LISTS: dict[str, dict[str, Column]] = {}


def add_column(list_name: str, column: Column) -> None:
    """Declare a column of a list (from an app's ``AppConfig.ready`` or hooks)."""
    _LISTS.setdefault(list_name, {})[column.key] = column


def has_columns(list_name: str) -> bool:
    return list_name in _LISTS


def columns_of(list_name: str) -> list[Column]:
    """Every column the list may show, in its declared order."""
    return list(_LISTS.get(list_name, {}).values())


def clean_keys(list_name: str, keys: Iterable[str]) -> list[str]:
    """The known keys among ``keys``, once each, in their order."""
    known = _LISTS.get(list_name, {})
    seen: list[str] = []
    for key in keys:
        key = key.strip()
        if key in known and key not in seen:
            seen.append(key)
    return seen[:MAX_COLUMNS]


def parse(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part.strip()]


def chosen_columns(list_name: str, requested: str | None, saved: list[str] | None) -> list[Column]:
    """The columns to draw: those asked for on the page, else the user's own default for the
    list, else the list's default ones. Choices naming no known column fall back the same way."""
    known = _LISTS.get(list_name, {})
    for keys in (parse(requested), saved or []):
        cleaned = clean_keys(list_name, keys)
        if cleaned:
            return [known[key] for key in cleaned]
    return [column for column in known.values() if column.shown]
