"""Tags, and the list pages' bulk actions: add a tag, assign an owner."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import (
    audit_log,
    audit_log_many,
)
from peyvand.core.text import clean_text, search_key

from ..models import Party, PartyTag, Tag
from ..rules import clean_text_field
from .common import party_lock

# --- tags and bulk actions ----------------------------------------------------------------


def tag_get_or_create(name: str) -> Tag:
    errors: dict[str, list[str]] = {}
    name = clean_text_field(errors, "tag", name, 50)
    if not name:
        errors.setdefault("tag", []).append(_("Enter a tag."))
    if errors:
        raise ValidationError(errors)
    tag, _created = Tag.objects.get_or_create(key=search_key(name)[:50], defaults={"name": name})
    return tag


def tags_attach(party_ids: Sequence[int], names: Iterable[str]) -> list[Tag]:
    tags = [tag_get_or_create(name) for name in dict.fromkeys(names) if clean_text(name)]
    rows = [PartyTag(party_id=pk, tag=tag) for pk in party_ids for tag in tags]
    PartyTag.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return tags


@transaction.atomic
def party_set_tags(*, party: Party, actor: User, names: Sequence[str]) -> None:
    party = party_lock(party)
    policy.require_change(actor, party)
    tags_replace(party, actor, names)


def tags_replace(party: Party, actor: User, names: Sequence[str]) -> None:
    """Replace the tags of a customer already locked and checked."""
    before = sorted(party.tags.values_list("name", flat=True))
    wanted = [tag_get_or_create(name) for name in dict.fromkeys(names) if clean_text(name)]
    PartyTag.objects.filter(party=party).exclude(tag__in=wanted).delete()
    PartyTag.objects.bulk_create([PartyTag(party=party, tag=t) for t in wanted], ignore_conflicts=True)
    after = sorted(t.name for t in wanted)
    if before != after:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=party,
            party_id=party.pk,
            changes={"tags": [before, after]},
        )


@dataclass
class BulkResult:
    changed: int
    skipped: int


@transaction.atomic
def party_bulk_add_tag(*, actor: User, party_ids: Sequence[int], tag_name: str) -> BulkResult:
    """Tag every chosen customer the actor may change; the rest are counted as skipped."""
    tag = tag_get_or_create(tag_name)
    allowed = dict(
        policy.changeable(actor, Party.objects.filter(pk__in=party_ids)).values_list("pk", "display_name")
    )
    already = set(PartyTag.objects.filter(tag=tag, party_id__in=allowed).values_list("party_id", flat=True))
    todo = [pk for pk in allowed if pk not in already]
    PartyTag.objects.bulk_create(
        [PartyTag(party_id=pk, tag=tag) for pk in todo], ignore_conflicts=True, batch_size=500
    )
    now = timezone.now()
    audit_log_many(
        [
            AuditEvent(
                at=now,
                actor=actor,
                kind=AuditEvent.Kind.UPDATE,
                model="customers.party",
                object_id=pk,
                object_repr=allowed[pk][:200],
                party_id=pk,
                changes={"tags": [None, tag.name]},
            )
            for pk in todo
        ]
    )
    return BulkResult(changed=len(todo), skipped=len(set(party_ids)) - len(allowed))


@transaction.atomic
def party_bulk_assign_owner(*, actor: User, party_ids: Sequence[int], owner: User | None) -> BulkResult:
    """Give every chosen customer the actor may change to ``owner``."""
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": [_("Choose an active user.")]})
    if not policy.may_own(actor, Party, owner):
        raise ValidationError({"owner": [_("You may not give this customer to that owner.")]})
    rows = list(
        policy.changeable(actor, Party.objects.filter(pk__in=party_ids))
        .exclude(owner=owner)
        .values_list("pk", "owner_id", "display_name")
    )
    allowed_count = policy.changeable(actor, Party.objects.filter(pk__in=party_ids)).count()
    now = timezone.now()
    Party.objects.filter(pk__in=[pk for pk, _o, _n in rows]).update(
        owner=owner, updated_by=actor, updated_at=now
    )
    audit_log_many(
        [
            AuditEvent(
                at=now,
                actor=actor,
                kind=AuditEvent.Kind.UPDATE,
                model="customers.party",
                object_id=pk,
                object_repr=name[:200],
                party_id=pk,
                changes={"owner": [old, owner.pk if owner else None]},
            )
            for pk, old, name in rows
        ]
    )
    return BulkResult(changed=len(rows), skipped=len(set(party_ids)) - allowed_count)
