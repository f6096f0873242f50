"""Saved views of lists: kept, shared with one's team, made one's default, deleted."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .. import list_columns
from ..models import DefaultView, ListColumns, SavedView, User
from ..text import clean_text

# Lists that keep views: their view functions, registered by ``core.views.saved.keeps_views``.
LISTS: set[object] = set()
# Never part of a view: where the list was paged to; "plain" opens a list without its default view.
TRANSIENT = {"cursor", "csrfmiddlewaretoken", "plain"}
MAX_QUERY = 2000


@dataclass(frozen=True)
class SavedViewInput:
    page: str
    name: str
    query: str
    shared: bool = False


def clean_query(query: str) -> str:
    """The filters and sort of a query string, without the page it was on."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k not in TRANSIENT]
    return urlencode(pairs)


def _check_page(page: str) -> None:
    try:
        found = resolve(page)
    except Resolver404:
        found = None
    if found is None or found.func not in LISTS:
        raise ValidationError({"page": _("Views can be saved only for lists.")})


@transaction.atomic
def saved_view_save(*, actor: User, data: SavedViewInput) -> SavedView:
    """Keep the list's filters and sort under a name; the same name again replaces it."""
    _check_page(data.page)
    name = clean_text(data.name)[:100]
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    query = clean_query(data.query)
    if len(query) > MAX_QUERY:
        raise ValidationError({"query": _("These filters are too long to save.")})
    team = actor.team if data.shared else None
    if data.shared and team is None:
        raise ValidationError({"shared": _("You belong to no team to share it with.")})
    try:
        view, _created = SavedView.objects.update_or_create(
            owner=actor, page=data.page, name=name, defaults={"query": query, "team": team}
        )
    except IntegrityError:  # two saves of one name at once: the other one won
        view = SavedView.objects.get(owner=actor, page=data.page, name=name)
    return view


def _mine(view: SavedView, actor: User) -> None:
    if view.owner_id != actor.pk and not actor.is_administrator:
        raise PermissionDenied(_("Only whoever saved this view may change it."))


@transaction.atomic
def saved_view_delete(*, actor: User, view: SavedView) -> None:
    _mine(view, actor)
    view.delete()


@transaction.atomic
def saved_view_make_default(*, actor: User, view: SavedView | None, page: str) -> None:
    """The view ``actor``'s list opens with (one they see), or none."""
    _check_page(page)
    if view is None:
        DefaultView.objects.filter(user=actor, page=page).delete()
        return
    if view.page != page:
        raise ValidationError(_("This view is of another list."))
    DefaultView.objects.update_or_create(user=actor, page=page, defaults={"view": view})


def _list_name(page: str) -> str:
    """The URL name of the list at ``page`` (which must be a list with declared columns)."""
    _check_page(page)
    found = resolve(page)
    name = list_columns.list_name(found.view_name, found.kwargs)
    if not list_columns.has_columns(name):
        raise ValidationError({"page": _("This list has no columns to choose.")})
    return name


def list_columns_query(*, page: str, query: str, columns: list[str]) -> str:
    """The list's query string showing ``columns`` in that order (what a view saves)."""
    keys = list_columns.clean_keys(_list_name(page), columns)
    if not keys:
        raise ValidationError({"columns": _("Choose at least one column.")})
    pairs = [(k, v) for k, v in parse_qsl(clean_query(query)) if k != list_columns.PARAM]
    return urlencode([*pairs, (list_columns.PARAM, ",".join(keys))])


@transaction.atomic
def list_columns_save(*, actor: User, page: str, columns: list[str]) -> ListColumns | None:
    """The columns ``actor``'s list shows when no view chooses them; none: the list's own."""
    name = _list_name(page)
    keys = list_columns.clean_keys(name, columns)
    if not keys:
        ListColumns.objects.filter(user=actor, page=page).delete()
        return None
    row, _created = ListColumns.objects.update_or_create(user=actor, page=page, defaults={"columns": keys})
    return row
