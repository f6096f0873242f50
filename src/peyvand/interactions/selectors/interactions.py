"""Interactions and their attachments, through the permission policy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page

from ..models import Attachment, Interaction


def interaction_queryset(
    *, user: User, party_id: int | None = None, channel: str = ""
) -> QuerySet[Interaction]:
    queryset = policy.visible(user, Interaction.objects.all())
    if party_id is not None:
        queryset = queryset.filter(party_id=party_id)
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset


def interaction_list(
    *, user: User, party_id: int | None = None, channel: str = "", cursor: str | None = None, limit: int = 50
) -> Page[Interaction]:
    queryset = interaction_queryset(user=user, party_id=party_id, channel=channel)
    return keyset_page(
        queryset.select_related("handled_by", "party"),
        order=["-occurred_at", "-id"],
        cursor=cursor,
        limit=limit,
    )


def interaction_get(*, user: User, pk: Any) -> Interaction:
    if not is_id(pk):
        raise Http404
    interaction = (
        policy.visible(user, Interaction.objects.select_related("party", "handled_by")).filter(pk=pk).first()
    )
    if interaction is None:
        raise Http404
    return interaction


def attachment_get(*, user: User, pk: Any) -> Attachment:
    """A file, for whoever may see its interaction (and its customer)."""
    if not is_id(pk):
        raise Http404
    attachment = (
        Attachment.objects.select_related("interaction__party")
        .filter(pk=pk, interaction__isnull=False, interaction__deleted_at__isnull=True)
        .first()
    )
    if (
        attachment is None
        or attachment.interaction is None
        or not policy.can_view(user, attachment.interaction)
    ):
        raise Http404
    return attachment
