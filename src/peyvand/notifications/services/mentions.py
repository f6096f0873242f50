"""@mentions in notes: the users a note names are told (a customer event from customers)."""

from __future__ import annotations

import re

from django.db.models import Q
from django.urls import reverse

from peyvand.core import policy
from peyvand.core.models import User
from peyvand.customers.models import Note

from .messages import excerpt
from .notifications import notify

# --- @mentions ----------------------------------------------------------------------------

# "@sara" or "@sara.ahmadi", not an email address (nothing word-like just before the @).
MENTION = re.compile(r"(?<![\w@.])@([\w][\w.+-]{0,149})")
MAX_MENTIONS = 20


def mentioned_usernames(text: str) -> list[str]:
    names: list[str] = []
    for match in MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".-+")
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names[:MAX_MENTIONS]


def note_mentions_notify(*, note: Note, actor: User) -> list[User]:
    """Notify each user a note mentions with @username; returns who was notified.

    Only users who may see the note's customer are told (its text is in the notification);
    editing a note notifies only those newly mentioned.
    """
    names = mentioned_usernames(note.body)
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    told = []
    party = note.party
    for user in User.objects.filter(query, is_active=True).exclude(pk=actor.pk):
        if not policy.can_view(user, note):
            continue
        sent = notify(
            recipient=user,
            kind="mention",
            key=f"mention:note:{note.pk}",
            actor=actor,
            party_id=party.pk,
            url=reverse("party_detail", args=[party.pk]),
            data={"actor": str(actor), "party": party.display_name, "excerpt": excerpt(note.body)},
        )
        if sent is not None:
            told.append(user)
    return told
