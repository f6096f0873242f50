"""The risk register: writing a risk, and adding the checklist of seed [004] (the items of its
six groups that are not in the register yet)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_event, audit_log, audit_log_many, changes_between, snapshot
from peyvand.core.text import clean_text

from ..models import Risk, RiskGroup, RiskStatus
from ..models.risks import RATING_MAX, RATING_MIN
from . import catalogue

TITLE_MAX = 300
MITIGATION_MAX = 5000
AUDITED = ("group", "title_fa", "title_en", "likelihood", "impact", "owner", "mitigation", "status")


@dataclass(frozen=True, kw_only=True)
class RiskInput:
    group: RiskGroup
    title_fa: str = ""
    title_en: str = ""
    likelihood: int = 3
    impact: int = 3
    owner: User | None = None
    mitigation: str = ""
    status: str = RiskStatus.IDENTIFIED


def _clean(data: RiskInput) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    titles = {}
    for name in ("title_fa", "title_en"):
        title = clean_text(getattr(data, name))
        if len(title) > TITLE_MAX:
            errors[name] = [_("Use at most %(limit)d characters.") % {"limit": TITLE_MAX}]
        titles[name] = title
    if not (titles["title_fa"] or titles["title_en"]) and not errors:
        errors["title_fa"] = [_("Write the risk in Persian, in English or in both.")]
    for name in ("likelihood", "impact"):
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
            errors[name] = [_("Choose from %(low)d to %(high)d.") % {"low": RATING_MIN, "high": RATING_MAX}]
    mitigation = (data.mitigation or "").strip()
    if len(mitigation) > MITIGATION_MAX:
        errors["mitigation"] = [_("Use at most %(limit)d characters.") % {"limit": MITIGATION_MAX}]
    if data.status not in RiskStatus.values:
        errors["status"] = [_("Choose a valid status.")]
    if data.owner is not None and not data.owner.is_active:
        errors["owner"] = [_("Choose an active user.")]
    if errors:
        raise ValidationError(errors)
    return {
        "group": data.group,
        **titles,
        "likelihood": data.likelihood,
        "impact": data.impact,
        "owner": data.owner,
        "mitigation": mitigation,
        "status": data.status,
    }


@transaction.atomic
def risk_save(*, actor: User, data: RiskInput, risk: Risk | None = None) -> Risk:
    """Add a risk to the register, or change one."""
    if risk is None:
        policy.require_create(actor, Risk)
    else:
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        policy.require_change(actor, risk)
    cleaned = _clean(data)
    created = risk is None
    before = {} if risk is None else snapshot(risk, AUDITED)
    risk = risk or Risk(created_by=actor)
    for name, value in cleaned.items():
        setattr(risk, name, value)
    risk.score = risk.likelihood * risk.impact
    risk.updated_by = actor
    risk.save()
    changes = changes_between(before, snapshot(risk, AUDITED))
    if changes:
        kind = AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE
        audit_log(actor=actor, kind=kind, obj=risk, changes=changes)
    return risk


@transaction.atomic
def risks_add_standard(*, actor: User) -> int:
    """Add the checklist items of seed [004] that the register lacks, each rated 3 × 3 for the
    team to rate; safe to run again. Returns how many were added."""
    policy.require_create(actor, Risk)
    catalogue.risk_groups_load()
    groups = {g.key: g for g in RiskGroup.objects.all()}
    present = set(Risk.all_objects.exclude(catalogue_key="").values_list("catalogue_key", flat=True))
    risks = [
        Risk(
            group=groups[item.group_key],
            catalogue_key=item.key,
            title_fa=item.title_fa,
            title_en=item.title_en,
            likelihood=3,
            impact=3,
            score=9,
            created_by=actor,
            updated_by=actor,
        )
        for item in catalogue.catalogue_items()
        if item.key not in present
    ]
    Risk.objects.bulk_create(risks)
    saved = Risk.objects.filter(catalogue_key__in=[r.catalogue_key for r in risks])
    audit_log_many(
        [
            audit_event(
                actor=actor,
                kind=AuditEvent.Kind.CREATE,
                obj=risk,
                changes={"title_fa": [None, risk.title_fa]},
            )
            for risk in saved
        ]
    )
    return len(risks)
