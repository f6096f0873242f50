"""Where an app reaches the apps below it without being imported by them.

The apps form a ladder (core < customers < interactions < notifications < sales <
activities < …) and an app imports only the apps below it. What must go the other way goes
through a hook here, registered by the upper app in its ``hooks.register()`` (called from
``AppConfig.ready``):

- **navigation**: items of the main menu and the administration menu;
- **panels**: cards on another app's page (the customer's 360° page, a deal, home);
- **notify**: "tell this user" without importing the notifications app;
- **first-run setup**: the steps of the administrator's set-up page, from every app;
- **mail to our users**: an email about a user's account (an invitation), sent by the outbox;
- **customer events**: "something happened to this customer" (a note was written, two
  customers were merged), for the apps that keep something about customers;
- **how the audit log reads**: a field's values shown as people read them, ids shown by name;
- **search**: each app's records found from the top bar's search.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

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


_NAV: dict[str, NavItem] = {}
_GROUPS: dict[str, NavGroup] = {}


def register_nav(item: NavItem) -> None:
    _NAV[item.key] = item


def register_nav_group(group: NavGroup) -> None:
    _GROUPS[group.key] = group


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


# --- panels -------------------------------------------------------------------------------

# The pages that take panels, and their slots. The customer page: "side" and "main" columns
# and "compose", a tab beside "Add a note" (a panel there has a label and an icon).
PAGES: dict[str, tuple[str, ...]] = {
    "party": ("side", "main", "compose"),
    "deal": ("side", "main"),
    "home": ("main", "side"),
    "call": ("actions",),  # buttons on a ringing call's pop-up; the object is its notification
}


@dataclass(frozen=True)
class Panel:
    """A card an app puts on another app's page.

    ``context(request, obj)`` returns the template's context, or None to hide the panel
    (for a user who may not see what it shows, say). ``obj`` is the page's record (None on
    the home page); the template finds it under the page's name too: ``panel.party``.
    """

    key: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    slot: str = "side"
    order: int = 100
    label: Any = ""
    icon: str = ""
    charts: bool = False  # it draws charts (core.charts): the page loads the chart scripts


@dataclass
class RenderedPanel:
    panel: Panel
    context: dict[str, Any]


_PANELS: dict[str, dict[str, Panel]] = {page: {} for page in PAGES}


def register_panel(page: str, panel: Panel) -> None:
    if panel.slot not in PAGES[page]:
        raise ValueError(f"page {page!r} has no slot {panel.slot!r}")
    _PANELS[page][panel.key] = panel


def panels(request: HttpRequest, page: str, obj: Any = None) -> dict[str, list[RenderedPanel]]:
    """The panels to show on ``page`` (about ``obj``), by slot, in order."""
    shown: dict[str, list[RenderedPanel]] = {slot: [] for slot in PAGES[page]}
    for panel in sorted(_PANELS[page].values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, obj)
        if context is not None:
            shown[panel.slot].append(RenderedPanel(panel, {**context, page: obj}))
    return shown


@dataclass(frozen=True)
class ListAction:
    """A button in a list's bulk bar that takes the chosen records to another app's page:
    the list's form is sent there by GET, the chosen ids as ``ids``."""

    key: str
    label: Any
    url_name: str
    icon: str = ""
    visible: Callable[[Any], bool] = lambda user: True


_LIST_ACTIONS: dict[str, dict[str, ListAction]] = {}


def register_list_action(page: str, action: ListAction) -> None:
    _LIST_ACTIONS.setdefault(page, {})[action.key] = action


def list_actions(page: str, user: Any) -> list[tuple[ListAction, str]]:
    """The actions of ``page``'s bulk bar that ``user`` may take, with their addresses."""
    found = _LIST_ACTIONS.get(page, {}).values()
    return [(action, reverse(action.url_name)) for action in found if action.visible(user)]


# --- notify -------------------------------------------------------------------------------


class Notifier(Protocol):
    def __call__(
        self,
        *,
        recipient: Any,
        kind: str,
        data: Mapping[str, Any],
        url: str = "",
        key: str = "",
        party_id: int | None = None,
        actor: Any = None,
    ) -> object: ...


_NOTIFIERS: list[Notifier] = []


def register_notifier(notifier: Notifier) -> None:
    _NOTIFIERS.append(notifier)


def notify(
    *,
    recipient: Any,
    kind: str,
    data: Mapping[str, Any],
    url: str = "",
    key: str = "",
    party_id: int | None = None,
    actor: Any = None,
) -> None:
    """Tell ``recipient`` something (a call ringing, a reply from a customer); ``key`` makes
    it once only. Without a notifications app installed, nobody is told."""
    for notifier in _NOTIFIERS:
        notifier(recipient=recipient, kind=kind, data=data, url=url, key=key, party_id=party_id, actor=actor)


# --- first-run setup ------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupStep:
    """A step of the administrator's first-run set-up: what to decide, where, and whether it
    has been done (``done()`` runs a query or two)."""

    key: str
    title: Any  # a lazy translation
    description: Any
    url_name: str
    done: Callable[[], bool]
    order: int = 100
    icon: str = "bi-circle"

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_SETUP_STEPS: dict[str, SetupStep] = {}


def register_setup_step(step: SetupStep) -> None:
    _SETUP_STEPS[step.key] = step


def setup_steps() -> list[SetupStep]:
    return sorted(_SETUP_STEPS.values(), key=lambda s: (s.order, s.key))


# --- mail to our own users ---------------------------------------------------------------


@dataclass(frozen=True)
class MailFile:
    """A file attached to an email to one of our users (a scheduled report's PDF)."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


class Mailer(Protocol):
    def __call__(
        self,
        *,
        recipient: Any,
        subject: str,
        body_text: str,
        body_html: str,
        language: str,
        key: str,
        attachments: Sequence[MailFile],
    ) -> object: ...


_MAILERS: list[Mailer] = []


def register_mailer(mailer: Mailer) -> None:
    _MAILERS.append(mailer)


def mail_user(
    *,
    recipient: Any,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str = "",
    key: str = "",
    attachments: Sequence[MailFile] = (),
) -> bool:
    """Email one of our users (an invitation, a scheduled report) through the app that sends
    mail (the outbox, in interactions); ``key`` makes it once only. False when no app sends mail."""
    for mailer in _MAILERS:
        mailer(
            recipient=recipient,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            language=language,
            key=key,
            attachments=attachments,
        )
    return bool(_MAILERS)


# --- customer events ----------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerEvent:
    """Something that happened to a customer: ``kind`` says what, ``record`` is the row
    concerned (the note written, the email received)."""

    kind: str
    party: Any
    actor: Any
    record: Any = None
    details: Mapping[str, Any] | None = None  # what else the kind carries (an email's headers)


CustomerListener = Callable[[CustomerEvent], None]
_LISTENERS: dict[str, list[CustomerListener]] = {}


def on_customer_event(kind: str, listener: CustomerListener) -> None:
    _LISTENERS.setdefault(kind, []).append(listener)


def customer_event(event: CustomerEvent) -> None:
    """Tell the listeners, in the caller's transaction: a listener's failure undoes the change."""
    for listener in _LISTENERS.get(event.kind, ()):
        listener(event)


# --- how the audit log reads --------------------------------------------------------------

# (model label, field) -> how a value is shown, e.g. phone numbers as people write them.
VALUE_DISPLAYS: dict[tuple[str, str], Callable[[Any], str]] = {}
# Fields whose values are ids of another model's records, shown by that record's name:
# field name -> model label.
REFERENCES: dict[str, str] = {}
# Keys a change records that are not fields ("merged", "tags"): key -> label.
CHANGE_LABELS: dict[str, Any] = {}


def register_value_display(model_label: str, field_name: str, show: Callable[[Any], str]) -> None:
    VALUE_DISPLAYS[(model_label, field_name)] = show


def register_reference(field_name: str, model_label: str) -> None:
    """Show the ids a change records under ``field_name`` as the names of ``model_label``'s records."""
    REFERENCES[field_name] = model_label


def register_change_label(key: str, label: Any) -> None:
    CHANGE_LABELS[key] = label


# --- search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchSource:
    """A kind of record the top bar's search finds: ``find(user, query, limit)`` returns the
    best matches the user may see (through the permission policy); ``more`` is the address of
    the kind's own list searched for the query, where there is one."""

    key: str
    label: Any  # plural, lazy
    icon: str
    find: Callable[[Any, str, int], list[SearchHit]]
    order: int = 100
    more: Callable[[str], str] | None = None


_search_sources: dict[str, SearchSource] = {}


def register_search(source: SearchSource) -> None:
    _search_sources[source.key] = source


def search_sources() -> list[SearchSource]:
    return sorted(_search_sources.values(), key=lambda s: (s.order, s.key))


# --- record events ------------------------------------------------------------------------

# Every service writes an audit event for every record it creates, changes, deletes, restores
# or merges, in the transaction of the change: that log is the one place every record change
# passes through. ``audit_log`` and ``audit_log_many`` hand the events they saved to these
# listeners (outgoing webhooks, in interactions), still inside the caller's transaction, so
# what a listener writes (a webhook delivery) commits or rolls back with the change itself:
# one delivery per change, never one for a change that was undone. A listener must be cheap
# when nothing subscribes (no query for events it does not handle) and must not write the
# audit log itself.
RecordListener = Callable[[list[Any]], None]
_RECORD_LISTENERS: list[RecordListener] = []


def on_record_event(listener: RecordListener) -> None:
    if listener not in _RECORD_LISTENERS:
        _RECORD_LISTENERS.append(listener)


def record_events(events: list[Any]) -> None:
    """Tell the listeners of saved audit events, in the caller's transaction."""
    if not events:
        return
    for listener in _RECORD_LISTENERS:
        listener(events)
