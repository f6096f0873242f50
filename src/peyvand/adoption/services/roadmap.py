"""The implementation roadmap: reading its template (data/roadmap.json: the five phases of
seed [004] with their sub-phases, each phase in one of Chaffey's stages of seed [000]), opening
a project's roadmap from it, and changing an item."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text

from ..models import ItemStatus, Roadmap, RoadmapItem

TEMPLATE = Path(__file__).resolve().parent.parent / "data" / "roadmap.json"
TITLE_MAX = 200
DELIVERABLES_MAX = 5000
ITEM_AUDITED = ("owner", "starts_on", "ends_on", "deliverables", "status")


@dataclass(frozen=True)
class TemplateItem:
    key: str
    weeks: int
    name_fa: str
    name_en: str
    deliverables_fa: str
    deliverables_en: str


@dataclass(frozen=True)
class TemplatePhase:
    key: str
    stage: str
    name_fa: str
    name_en: str
    items: tuple[TemplateItem, ...]


@cache
def template() -> tuple[TemplatePhase, ...]:
    raw = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    return tuple(
        TemplatePhase(
            key=phase["key"],
            stage=phase["stage"],
            name_fa=phase["name"]["fa"],
            name_en=phase["name"]["en"],
            items=tuple(
                TemplateItem(
                    key=item["key"],
                    weeks=int(item["weeks"]),
                    name_fa=item["name"]["fa"],
                    name_en=item["name"]["en"],
                    deliverables_fa=item["deliverables"]["fa"],
                    deliverables_en=item["deliverables"]["en"],
                )
                for item in phase["items"]
            ),
        )
        for phase in raw["phases"]
    )


@dataclass(frozen=True, kw_only=True)
class RoadmapInput:
    title: str
    starts_on: dt.date | None


@dataclass(frozen=True, kw_only=True)
class RoadmapItemInput:
    owner: User | None = None
    starts_on: dt.date | None
    ends_on: dt.date | None
    deliverables: str = ""
    status: str = ItemStatus.NOT_STARTED


@transaction.atomic
def roadmap_create(*, actor: User, data: RoadmapInput) -> Roadmap:
    """A project's roadmap with every sub-phase of the template, one after another from the
    start date, each as long as the template suggests, for the team to adjust."""
    policy.require_create(actor, Roadmap)
    errors: dict[str, list[str]] = {}
    title = clean_text(data.title)
    if not title:
        errors["title"] = [_("Give the roadmap a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Use at most %(limit)d characters.") % {"limit": TITLE_MAX}]
    if data.starts_on is None:
        errors["starts_on"] = [_("Enter the date the project starts.")]
    if errors:
        raise ValidationError(errors)
    assert data.starts_on is not None
    roadmap = Roadmap.objects.create(
        title=title, starts_on=data.starts_on, created_by=actor, updated_by=actor
    )
    english = (get_language() or "fa").startswith("en")
    day, items = data.starts_on, []
    for phase_order, phase in enumerate(template(), start=1):
        for order, item in enumerate(phase.items, start=1):
            end = day + dt.timedelta(weeks=item.weeks, days=-1)
            items.append(
                RoadmapItem(
                    roadmap=roadmap,
                    phase_key=phase.key,
                    phase_order=phase_order,
                    phase_fa=phase.name_fa,
                    phase_en=phase.name_en,
                    stage=phase.stage,
                    key=item.key,
                    order=order,
                    title_fa=item.name_fa,
                    title_en=item.name_en,
                    starts_on=day,
                    ends_on=end,
                    deliverables=item.deliverables_en if english else item.deliverables_fa,
                )
            )
            day = end + dt.timedelta(days=1)
    RoadmapItem.objects.bulk_create(items)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=roadmap,
        changes={"title": [None, title], "items": [None, len(items)]},
    )
    return roadmap


@transaction.atomic
def item_save(*, actor: User, item: RoadmapItem, data: RoadmapItemInput) -> RoadmapItem:
    """Change an item: its owner, dates, deliverables or status; audited on the roadmap."""
    roadmap = Roadmap.objects.select_for_update().get(pk=item.roadmap_id)
    policy.require_change(actor, roadmap)
    item = RoadmapItem.objects.select_for_update().get(pk=item.pk)
    errors: dict[str, list[str]] = {}
    if data.starts_on is None:
        errors["starts_on"] = [_("Enter a start date.")]
    if data.ends_on is None:
        errors["ends_on"] = [_("Enter an end date.")]
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The end cannot come before the start.")]
    deliverables = (data.deliverables or "").strip()
    if len(deliverables) > DELIVERABLES_MAX:
        errors["deliverables"] = [_("Use at most %(limit)d characters.") % {"limit": DELIVERABLES_MAX}]
    if data.status not in ItemStatus.values:
        errors["status"] = [_("Choose a valid status.")]
    if data.owner is not None and not data.owner.is_active:
        errors["owner"] = [_("Choose an active user.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(item, ITEM_AUDITED)
    item.owner = data.owner
    item.starts_on, item.ends_on = data.starts_on, data.ends_on  # type: ignore[assignment]
    item.deliverables = deliverables
    item.status = data.status
    item.save()
    changes = changes_between(before, snapshot(item, ITEM_AUDITED))
    if changes:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=roadmap,
            changes={f"{item.key} {name}": value for name, value in changes.items()},
        )
        roadmap.updated_by = actor
        roadmap.save(update_fields=["updated_by", "updated_at"])
    return item
