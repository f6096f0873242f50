"""Merging two customers: every related row moves to the one kept, and the values not kept
are written down on it. Nothing is lost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, TrackedModel, User
from peyvand.core.services.audit import (
    audit_event,
    audit_log_many,
    audit_value,
    changes_between,
    snapshot,
    soft_delete_rows,
)

from ..models import ContactPoint, Membership, Note, Party, PartyTag
from ..rules import AUDITED_FIELDS, ORGANISATION_FIELDS, PERSON_FIELDS, fields_for
from .common import party_refresh_derived
from .parties import party_references

# --- merge --------------------------------------------------------------------------------

MERGE_FILLED_FIELDS = (*PERSON_FIELDS, *ORGANISATION_FIELDS, "national_id", "economic_code", "owner")


@transaction.atomic
def party_merge(*, survivor: Party, other: Party, actor: User) -> Party:
    """Merge ``other`` into ``survivor``: every related row moves, nothing is lost.

    The survivor keeps its values and takes the other's where its own are blank; values
    of the other that differ are kept in a note on the survivor and in the audit log.
    The other record is soft-deleted, pointing at the survivor, whose timeline also shows
    the other's history.
    """
    if survivor.pk == other.pk:
        raise ValidationError(_("Choose two different customers to merge."))
    # Lock both rows in id order so two opposite merges cannot deadlock.
    locked = {
        p.pk: p
        for p in Party.objects.select_for_update().filter(pk__in=[survivor.pk, other.pk]).order_by("pk")
    }
    if len(locked) != 2:
        raise Party.DoesNotExist
    survivor, other = locked[survivor.pk], locked[other.pk]
    policy.require_change(actor, survivor)
    policy.require_change(actor, other)
    if survivor.kind != other.kind:
        raise ValidationError(_("A person cannot be merged with an organisation."))

    before = snapshot(survivor, AUDITED_FIELDS)
    kept_aside: dict[str, Any] = {}
    for name in fields_for(survivor.kind):
        mine, theirs = getattr(survivor, name), getattr(other, name)
        if mine in (None, "") and theirs not in (None, ""):
            setattr(survivor, name, theirs)
        elif theirs not in (None, "", False) and theirs != mine and name in MERGE_FILLED_FIELDS:
            kept_aside[name] = theirs
    for channel in ("email", "sms"):
        # Consent follows the most recent decision of the two records.
        mine_at, theirs_at = (
            getattr(survivor, f"{channel}_consent_at"),
            getattr(other, f"{channel}_consent_at"),
        )
        if theirs_at and (mine_at is None or theirs_at > mine_at):
            for suffix in ("_consent", "_consent_at", "_consent_source"):
                setattr(survivor, channel + suffix, getattr(other, channel + suffix))

    moved = _move_related(survivor=survivor, other=other, actor=actor)
    party_refresh_derived(survivor)
    survivor.updated_by = actor
    survivor.save()
    now = timezone.now()
    Party.all_objects.filter(pk=other.pk).update(
        merged_into=survivor,
        deleted_at=now,
        deleted_by=actor,
        deletion_batch=TrackedModel.new_batch(),
        updated_at=now,
    )
    if kept_aside:
        # Data, not text: each reader sees it in their own language (selectors.note_text).
        Note.objects.create(
            party=survivor,
            kept_aside={"name": other.display_name, "values": _audit_safe(kept_aside)},
            created_by=actor,
            updated_by=actor,
        )
    changes: dict[str, Any] = changes_between(before, snapshot(survivor, AUDITED_FIELDS))
    changes["merged"] = [other.pk, survivor.pk]
    changes["moved"] = [None, moved]
    audit_log_many(
        [
            audit_event(
                actor=actor,
                kind=AuditEvent.Kind.MERGE,
                obj=survivor,
                party_id=survivor.pk,
                changes=changes,
                at=now,
            ),
            audit_event(
                actor=actor,
                kind=AuditEvent.Kind.MERGE,
                obj=other,
                party_id=other.pk,
                changes={"merged_into": [None, survivor.pk], "kept_aside": [None, _audit_safe(kept_aside)]},
                at=now,
            ),
        ]
    )
    return survivor


def _audit_safe(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: audit_value(value) for name, value in values.items()}


def _move_related(*, survivor: Party, other: Party, actor: User) -> dict[str, int]:
    """Point every row that refers to ``other`` at ``survivor``, without breaking uniqueness."""
    moved: dict[str, int] = {}
    # Contact points: the survivor's copy wins; the other's repeats are kept, deleted.
    mine = set(ContactPoint.objects.filter(party=survivor).values_list("kind", "value"))
    repeats = [p.pk for p in ContactPoint.objects.filter(party=other) if (p.kind, p.value) in mine]
    soft_delete_rows(
        ContactPoint.objects.filter(pk__in=repeats),
        actor=actor,
        batch=TrackedModel.new_batch(),
        at=timezone.now(),
    )
    primary_kinds = set(
        ContactPoint.objects.filter(party=survivor, is_primary=True).values_list("kind", flat=True)
    )
    ContactPoint.all_objects.filter(party=other, kind__in=primary_kinds).update(is_primary=False)
    # Memberships: one per person and organisation.
    for fk, other_side in (("person", "organisation"), ("organisation", "person")):
        taken = set(Membership.objects.filter(**{fk: survivor}).values_list(f"{other_side}_id", flat=True))
        clashes = Membership.objects.filter(**{fk: other}).filter(
            Q(**{f"{other_side}_id__in": taken}) | Q(**{f"{other_side}_id": survivor.pk})
        )
        soft_delete_rows(clashes, actor=actor, batch=TrackedModel.new_batch(), at=timezone.now())
    # Tags: union.
    tag_ids = set(PartyTag.objects.filter(party=other).values_list("tag_id", flat=True))
    PartyTag.objects.bulk_create([PartyTag(party=survivor, tag_id=t) for t in tag_ids], ignore_conflicts=True)
    PartyTag.objects.filter(party=other).delete()
    moved["tags"] = len(tag_ids)
    # Everything else that points at the other record, including later apps' rows.
    for model, fk in party_references():
        if model is PartyTag:
            continue
        manager = model.all_objects if issubclass(model, TrackedModel) else model._base_manager
        count = manager.filter(**{fk: other}).update(**{fk: survivor})
        if count:
            moved[f"{model._meta.label_lower}.{fk}"] = count
    return moved
