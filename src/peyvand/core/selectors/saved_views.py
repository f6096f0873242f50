"""The saved views a user sees on a list: their own, and those shared with their team."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .. import list_columns
from ..models import DefaultView, ListColumns, SavedView, User


def saved_views_for(*, user: User, page: str) -> QuerySet[SavedView]:
    shared = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    return (
        SavedView.objects.filter(Q(owner=user) | shared, page=page)
        .select_related("owner")
        .order_by("name", "pk")
    )


def saved_view_seen(*, user: User, pk: int) -> SavedView | None:
    shared = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    return SavedView.objects.filter(Q(owner=user) | shared, pk=pk).first()


def default_view(*, user: User, page: str) -> SavedView | None:
    """The user's default view of this list, while they still see it."""
    chosen = DefaultView.objects.filter(user=user, page=page).select_related("view").first()
    if chosen is None:
        return None
    view = chosen.view
    if view.owner_id != user.pk and (not user.team_id or view.team_id != user.team_id):
        return None  # unshared since, or the user changed team
    return view


def chosen_columns(
    *, user: User, list_name: str, page: str, requested: str | None
) -> list[list_columns.Column]:
    """The columns a list draws for ``user``: asked for on the page, else their own default
    for the list, else the list's."""
    saved = None
    if not list_columns.parse(requested):
        saved = ListColumns.objects.filter(user=user, page=page).values_list("columns", flat=True).first()
    return list_columns.chosen_columns(list_name, requested, saved)
