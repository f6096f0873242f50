"""Where apps plug into shared pages without editing them: the main menu and the 360° page.

Each app registers its pieces in its ``AppConfig.ready()``. The customer page shows every
registered panel the user may see, in order; the menu shows every item the user may use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str  # also the ``nav`` context value that marks it active
    label: Any  # a lazy translation
    url_name: str
    icon: str = "bi-circle"
    order: int = 100
    url_args: tuple[Any, ...] = ()
    visible: Callable[[Any], bool] = field(default=lambda user: True)
    menu: str = "main"  # or "admin": the administration drop-down, for administrators only
    group: str = ""  # a NavGroup's key: shown in that group's drop-down

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.url_args)


@dataclass(frozen=True)
class NavGroup:
    """A drop-down of the main menu (Sales, Follow-up) gathering apps' items."""

    key: str
    label: Any
    icon: str = "bi-circle"
    order: int = 100


@dataclass
class NavEntry:
    """What the menu shows in one place: an item, or a group with the items the user may use."""

    key: str
    label: Any
    icon: str
    url: str = ""
    items: list[NavItem] = field(default_factory=list)


@dataclass(frozen=True)
class PartyPanel:
    """A card on the customer's 360° page.

    ``context(request, party)`` returns the template's context, or None to hide the panel
    (for a user who may not see what it shows, say). ``column`` is "side" or "main".
    """

    key: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    column: str = "side"
    order: int = 100


_NAV: dict[str, NavItem] = {}
_GROUPS: dict[str, NavGroup] = {}
_PANELS: dict[str, PartyPanel] = {}


def register_nav(item: NavItem) -> None:
    _NAV[item.key] = item


def register_nav_group(group: NavGroup) -> None:
    _GROUPS[group.key] = group


def register_party_panel(panel: PartyPanel) -> None:
    if panel.column not in ("side", "main"):
        raise ValueError(f"unknown column {panel.column!r}")
    _PANELS[panel.key] = panel


def nav_items(user: Any, menu: str = "main") -> list[NavItem]:
    items = (i for i in _NAV.values() if i.menu == menu and i.visible(user))
    return sorted(items, key=lambda i: (i.order, i.key))


def nav_entries(user: Any) -> list[NavEntry]:
    """The main menu: ungrouped items, and groups (hidden when none of their items is usable)."""
    placed: list[tuple[int, NavEntry]] = []
    grouped: dict[str, NavEntry] = {}
    for item in nav_items(user, "main"):
        group = _GROUPS.get(item.group)
        if group is None:
            placed.append((item.order, NavEntry(item.key, item.label, item.icon, url=item.url)))
            continue
        if group.key not in grouped:
            grouped[group.key] = NavEntry(group.key, group.label, group.icon)
            placed.append((group.order, grouped[group.key]))
        grouped[group.key].items.append(item)
    return [entry for _order, entry in sorted(placed, key=lambda pair: pair[0])]


@dataclass
class RenderedPanel:
    panel: PartyPanel
    context: dict[str, Any]


def party_panels(request: HttpRequest, party: Any) -> dict[str, list[RenderedPanel]]:
    """The panels to show on ``party``'s page, by column."""
    shown: dict[str, list[RenderedPanel]] = {"side": [], "main": []}
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, party)
        if context is not None:
            shown[panel.column].append(RenderedPanel(panel, {**context, "party": party}))
    return shown
