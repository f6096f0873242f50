"""The customers API: people and organisations, their contact points, memberships, notes
and tags; imports; the trash.

Every read goes through the selectors or the permission policy and every write through the
services; a record the caller may not see answers 404 exactly as one that does not exist.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import contacts, imports, memberships, notes, parties, trash
from .common import duplicate_found

__all__ = ["duplicate_found", "router"]

router = Router()
for feature in (parties, contacts, memberships, notes, imports, trash):
    router.add_router("", feature.router)
