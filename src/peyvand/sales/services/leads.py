"""Leads: capture, assignment rules, scoring with its explanation, stages and contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import jobs, policy
from peyvand.core.custom_fields import Entity, custom_changes
from peyvand.core.jalali import local_digits
from peyvand.core.models import AuditEvent, Role, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.services.custom_fields import record_custom
from peyvand.core.text import search_key
from peyvand.customers.models import Source
from peyvand.customers.normalize import normalize_email, normalize_phone
from peyvand.interactions.models import Channel

from ..models import AssignmentRule, Lead, LeadStage, LeadTouch, ScoreRule
from .common import text_field

RESCORE_LEADS = "sales.rescore_leads"  # the job's name (core.jobs), registered by tasks.py

TEXT_FIELDS = {
    "first_name": 100,
    "last_name": 100,
    "company": 200,
    "job_title": 100,
    "province": 100,
    "city": 100,
    "message": 5000,
}
LEAD_FIELDS = (*TEXT_FIELDS, "email", "phone", "source", "owner", "email_consent", "sms_consent")
# Fields a scoring rule may give points for having.
SCORABLE_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "job_title",
    "email",
    "phone",
    "province",
    "city",
    "message",
)
OPEN_STAGES = (LeadStage.SUSPECT, LeadStage.PROSPECT, LeadStage.QUALIFIED)
MAX_TOUCHES_SCORED = 10


def clean_lead(
    data: Mapping[str, Any], *, actor: User | None, custom: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The lead's fields from ``data``; its ``custom`` values applied to ``custom`` (the
    lead's current values; None for a new lead, whose required fields must be given)."""
    unknown = set(data) - {*LEAD_FIELDS, "custom"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name in TEXT_FIELDS:
            cleaned[name] = text_field(errors, name, value, TEXT_FIELDS[name])
        elif name in ("email", "phone"):
            try:
                normalize = normalize_email if name == "email" else normalize_phone
                cleaned[name] = normalize(value) if value else ""
            except ValidationError as exc:
                errors[name] = exc.messages
        elif name == "source":
            if value not in Source.values:
                errors[name] = [_("Choose a valid source.")]
            cleaned[name] = value
        elif name == "owner":
            if value is not None and (not isinstance(value, User) or not value.is_active):
                errors[name] = [_("Choose an active user.")]
            elif actor is not None and not policy.may_own(actor, Lead, value):
                errors[name] = [_("You may not give a lead to this user.")]
            cleaned[name] = value
        elif name in ("email_consent", "sms_consent"):
            cleaned[name] = bool(value)
        elif name == "custom":
            cleaned[name] = record_custom(Entity.LEAD, value, current=custom, errors=errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _refresh(lead: Lead) -> None:
    lead.display_name = (
        " ".join(p for p in (lead.first_name, lead.last_name) if p) or lead.company or lead.email
    )
    lead.display_name = lead.display_name or lead.phone


@transaction.atomic
def lead_create(*, actor: User | None, data: Mapping[str, Any], web_form: Any = None) -> Lead:
    """Capture a lead. Without an owner the assignment rules choose one (else the creator).

    ``actor`` is None for a lead from a public web form.
    """
    if actor is not None:
        policy.require_create(actor, Lead)
    # Custom values only when given (the form and the API give them, required ones checked);
    # a web form's, a partner's or a programme's lead has no one to fill them.
    cleaned = clean_lead(data, actor=actor)
    lead = Lead(created_by=actor, updated_by=actor, web_form=web_form, **cleaned)
    if not (lead.first_name or lead.last_name or lead.company):
        raise ValidationError({"last_name": [_("Enter a name or a company.")]})
    if not (lead.email or lead.phone):
        raise ValidationError({"phone": [_("Enter a phone number or an email address.")]})
    if lead.email_consent or lead.sms_consent:
        lead.consent_at = timezone.now()
    if "owner" not in data:
        assigned = assign(lead)
        lead.owner = assigned if assigned is not None else (actor if _sells(actor) else None)
    lead.team_id = lead.owner.team_id if lead.owner is not None else lead.team_id
    _refresh(lead)
    lead.save()
    _score(lead)
    lead.save(update_fields=["score", "score_details"])
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=lead,
        changes={k: [None, v] for k, v in snapshot(lead, LEAD_FIELDS).items() if v not in (None, "", False)}
        | custom_changes({}, lead.custom),
    )
    return lead


def _sells(user: User | None) -> bool:
    return user is not None and user.role in (Role.SALES, Role.MANAGER)


def _lock(lead: Lead, actor: User) -> Lead:
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    policy.require_change(actor, lead)
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, actor: User, data: Mapping[str, Any]) -> Lead:
    lead = _lock(lead, actor)
    if lead.stage == LeadStage.CONVERTED:
        raise ValidationError(_("A converted lead cannot be changed; change its customer instead."))
    custom_before = dict(lead.custom or {})
    cleaned = clean_lead(data, actor=actor, custom=custom_before)
    before = snapshot(lead, LEAD_FIELDS)
    for name, value in cleaned.items():
        setattr(lead, name, value)
    if (lead.email_consent or lead.sms_consent) and lead.consent_at is None:
        lead.consent_at = timezone.now()
    if "owner" in cleaned and lead.owner is not None:
        lead.team_id = lead.owner.team_id
    _refresh(lead)
    _score(lead)
    lead.updated_by = actor
    lead.save()
    changes = changes_between(before, snapshot(lead, LEAD_FIELDS)) | custom_changes(
        custom_before, lead.custom
    )
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=lead, changes=changes)
    return lead


@transaction.atomic
def lead_set_stage(*, lead: Lead, actor: User, stage: str, reason: str = "") -> Lead:
    """Move a lead between suspect, prospect and qualified, or disqualify it with a reason."""
    lead = _lock(lead, actor)
    if lead.stage == LeadStage.CONVERTED:
        raise ValidationError(_("This lead has been converted already."))
    if stage == LeadStage.CONVERTED:
        raise ValidationError({"stage": [_("Convert a qualified lead with the conversion step.")]})
    if stage not in LeadStage.values:
        raise ValidationError({"stage": [_("Choose a valid stage.")]})
    errors: dict[str, list[str]] = {}
    reason = text_field(errors, "reason", reason, 500, required=stage == LeadStage.DISQUALIFIED)
    if errors:
        if stage == LeadStage.DISQUALIFIED and not reason:
            raise ValidationError({"reason": [_("Say why the lead is disqualified.")]})
        raise ValidationError(errors)
    before = {"stage": lead.stage, "disqualify_reason": lead.disqualify_reason}
    lead.stage = stage
    lead.disqualify_reason = reason if stage == LeadStage.DISQUALIFIED else ""
    lead.updated_by = actor
    lead.save()
    changes = changes_between(before, {"stage": lead.stage, "disqualify_reason": lead.disqualify_reason})
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=lead, changes=changes)
    return lead


@transaction.atomic
def lead_touch(
    *, lead: Lead, actor: User, channel: str, note: str = "", at: dt.datetime | None = None
) -> LeadTouch:
    """Log a call, email or meeting with a lead; contacts and recency count towards its score."""
    lead = _lock(lead, actor)
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Choose a valid channel.")]})
    errors: dict[str, list[str]] = {}
    note = text_field(errors, "note", note, 500)
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    touch = LeadTouch.objects.create(lead=lead, channel=channel, note=note, at=at, actor=actor)
    if lead.last_touch_at is None or at > lead.last_touch_at:
        lead.last_touch_at = at
    if lead.stage == LeadStage.SUSPECT:
        lead.stage = LeadStage.PROSPECT  # someone answered: no longer a mere suspect
    _score(lead)
    lead.save()
    return touch


# --- assignment ---------------------------------------------------------------------------


def may_own_leads(user: User) -> bool:
    """Whether ``user`` can hold a lead as its owner (an active salesperson, a manager, an
    administrator; not support or read-only staff, who could not work it)."""
    return user.is_active and policy.may_own(user, Lead, user)


def lead_owners() -> list[User]:
    """The active users who can own leads, for a rule's choice of salesperson. Whether one
    can depends on the role alone: it is asked once per role, not once per person."""
    people = list(
        User.objects.filter(is_active=True).select_related("team").order_by("first_name", "username")
    )
    allowed: dict[str, bool] = {}
    for person in people:
        if person.role not in allowed:
            allowed[person.role] = may_own_leads(person)
    return [person for person in people if allowed[person.role]]


def assign(lead: Lead) -> User | None:
    """The owner the first matching active rule gives ``lead``, taking turns within a team."""
    for rule in AssignmentRule.objects.filter(active=True).order_by("order", "id"):
        if rule.kind == AssignmentRule.Kind.SOURCE and rule.value != lead.source:
            continue
        if rule.kind == AssignmentRule.Kind.PROVINCE and search_key(rule.value) != search_key(lead.province):
            continue
        if rule.user_id is not None:
            if rule.user is not None and may_own_leads(rule.user):
                return rule.user
            continue
        chosen = _round_robin(rule)
        if chosen is not None:
            return chosen
    return None


def _round_robin(rule: AssignmentRule) -> User | None:
    # The rule's row lock makes concurrent leads take consecutive turns, in any process.
    rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    if rule.team_id is None:
        return None
    members = [
        user
        for user in User.objects.filter(
            team_id=rule.team_id, is_active=True, role__in=(Role.SALES, Role.MANAGER)
        ).order_by("id")
        if may_own_leads(user)
    ]
    if not members:
        return None
    after = [u for u in members if rule.last_user_id is not None and u.pk > rule.last_user_id]
    chosen = after[0] if after else members[0]
    rule.last_user_id = chosen.pk
    rule.save(update_fields=["last_user"])
    return chosen


# --- scoring ------------------------------------------------------------------------------


def _score(lead: Lead, rules: list[ScoreRule] | None = None, touches: int | None = None) -> None:
    """Add up the active rules' points; keep each rule that counted, to explain the score."""
    if rules is None:
        rules = list(ScoreRule.objects.filter(active=True))
    if touches is None:
        touches = lead.touches.count() if lead.pk else 0
    details: list[dict[str, Any]] = []
    for rule in rules:
        points = 0
        if rule.kind == ScoreRule.Kind.FIELD and rule.value in SCORABLE_FIELDS:
            points = rule.points if getattr(lead, rule.value) else 0
        elif rule.kind == ScoreRule.Kind.SOURCE:
            points = rule.points if lead.source == rule.value else 0
        elif rule.kind == ScoreRule.Kind.PROVINCE:
            points = (
                rule.points if lead.province and search_key(lead.province) == search_key(rule.value) else 0
            )
        elif rule.kind == ScoreRule.Kind.TOUCHES:
            points = rule.points * min(touches, MAX_TOUCHES_SCORED)
        elif rule.kind == ScoreRule.Kind.RECENCY and rule.value.isdigit() and lead.last_touch_at:
            # Only a contact counts: a lead nobody has reached is not a recent conversation.
            recent = timezone.now() - lead.last_touch_at <= dt.timedelta(days=int(rule.value))
            points = rule.points if recent else 0
        if points:
            details.append({"rule": rule.pk, "kind": rule.kind, "value": rule.value, "points": points})
    lead.score = sum(item["points"] for item in details)
    lead.score_details = details


def leads_rescore(*, batch_size: int = 500) -> int:
    """Score every open lead again (after the rules change, and nightly for recency)."""
    rules = list(ScoreRule.objects.filter(active=True))
    changed = 0
    queryset = Lead.objects.filter(stage__in=OPEN_STAGES).order_by("id")
    last_id = 0
    while True:
        chunk = list(queryset.filter(id__gt=last_id)[:batch_size])
        if not chunk:
            return changed
        counts = dict(
            LeadTouch.objects.filter(lead__in=chunk)
            .values("lead_id")
            .annotate(n=Count("id"))
            .values_list("lead_id", "n")
        )
        dirty = []
        for lead in chunk:
            old = (lead.score, lead.score_details)
            _score(lead, rules, counts.get(lead.pk, 0))
            if (lead.score, lead.score_details) != old:
                dirty.append(lead)
        Lead.objects.bulk_update(dirty, ["score", "score_details"])
        changed += len(dirty)
        last_id = chunk[-1].pk


SCORE_RULE_AUDITED = ("kind", "value", "points", "active")
ASSIGNMENT_RULE_AUDITED = ("order", "kind", "value", "team", "user", "active")


@transaction.atomic
def score_rule_save(
    *, actor: User | None, data: Mapping[str, Any], rule: ScoreRule | None = None
) -> ScoreRule:
    """Add a scoring rule or change one (what ``data`` leaves out stays); leads are scored again.
    ``actor`` None is the installation's own set-up (the demo)."""
    if actor is not None:
        policy.require_admin(actor)
    kind = data.get("kind", rule.kind if rule else None)
    if kind not in ScoreRule.Kind.values:
        raise ValidationError({"kind": [_("Choose a valid kind.")]})
    value = str(data.get("value", rule.value if rule else "") or "").strip()
    errors: dict[str, list[str]] = {}
    if kind == ScoreRule.Kind.FIELD and value not in SCORABLE_FIELDS:
        errors["value"] = [_("Choose one of the lead's fields.")]
    elif kind == ScoreRule.Kind.SOURCE and value not in Source.values:
        errors["value"] = [_("Choose a valid source.")]
    elif kind == ScoreRule.Kind.RECENCY and not (value.isdigit() and 0 < int(value) <= 3650):
        errors["value"] = [
            _("Enter a number of days between %(low)s and %(high)s.")
            % {"low": local_digits(1), "high": local_digits(3650)}
        ]
    elif kind == ScoreRule.Kind.PROVINCE and not value:
        errors["value"] = [_("Enter a province.")]
    elif kind == ScoreRule.Kind.PROVINCE and len(value) > 100:
        errors["value"] = [_("Use at most %(limit)s characters.") % {"limit": local_digits(100)}]
    elif kind == ScoreRule.Kind.TOUCHES:
        value = ""
    points = data.get("points", rule.points if rule else None)
    if isinstance(points, bool) or not isinstance(points, int) or not -100 <= points <= 100:
        errors["points"] = [
            _("Enter whole points between %(low)s and %(high)s.")
            % {"low": local_digits(-100), "high": local_digits(100)}
        ]
    if errors:
        raise ValidationError(errors)
    created = rule is None
    rule = rule or ScoreRule()
    before = snapshot(rule, SCORE_RULE_AUDITED) if not created else {}
    rule.kind, rule.value, rule.points = kind, value, points
    rule.active = bool(data.get("active", rule.active))
    rule.save()
    _audit_rule(actor, rule, created, before, SCORE_RULE_AUDITED)
    transaction.on_commit(_rescore_later)
    return rule


@transaction.atomic
def score_rule_retire(*, actor: User, rule: ScoreRule) -> ScoreRule:
    """Stop a rule counting; it is kept, so scores given before still explain themselves."""
    return score_rule_save(actor=actor, data={"active": False}, rule=rule)


def _audit_rule(
    actor: User | None, rule: Any, created: bool, before: Mapping[str, Any], fields: tuple[str, ...]
) -> None:
    after = snapshot(rule, fields)
    changes = {k: [None, v] for k, v in after.items()} if created else changes_between(before, after)
    if changes:
        kind = AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE
        audit_log(actor=actor, kind=kind, obj=rule, changes=changes)


def _rescore_later() -> None:
    jobs.enqueue(RESCORE_LEADS)


@transaction.atomic
def assignment_rule_save(
    *, actor: User | None, data: Mapping[str, Any], rule: AssignmentRule | None = None
) -> AssignmentRule:
    """Add an assignment rule or change one (what ``data`` leaves out stays).
    ``actor`` None is the installation's own set-up (the demo)."""
    if actor is not None:
        policy.require_admin(actor)
    kind = data.get("kind", rule.kind if rule else None)
    errors: dict[str, list[str]] = {}
    if kind not in AssignmentRule.Kind.values:
        errors["kind"] = [_("Choose a valid kind.")]
    value = str(data.get("value", rule.value if rule else "") or "").strip()
    if kind == AssignmentRule.Kind.SOURCE and value not in Source.values:
        errors["value"] = [_("Choose a valid source.")]
    elif kind == AssignmentRule.Kind.PROVINCE and not value:
        errors["value"] = [_("Enter a province.")]
    elif kind == AssignmentRule.Kind.PROVINCE and len(value) > 100:
        errors["value"] = [_("Use at most %(limit)s characters.") % {"limit": local_digits(100)}]
    elif kind == AssignmentRule.Kind.ANY:
        value = ""
    team = data.get("team", rule.team if rule else None)
    user = data.get("user", rule.user if rule else None)
    if user is None and team is None:
        errors["team"] = [_("Choose a team to take turns in, or a salesperson.")]
    if user is not None and not user.is_active:
        errors["user"] = [_("Choose an active user.")]
    elif user is not None and not may_own_leads(user):
        errors["user"] = [_("This user cannot own leads; choose a salesperson.")]
    order = data.get("order", rule.order if rule else 10)
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 10000:
        errors["order"] = [
            _("Enter a whole number between %(low)s and %(high)s.")
            % {"low": local_digits(0), "high": local_digits(10000)}
        ]
    if errors:
        raise ValidationError(errors)
    created = rule is None
    rule = rule or AssignmentRule()
    before = snapshot(rule, ASSIGNMENT_RULE_AUDITED) if not created else {}
    rule.kind, rule.value, rule.team, rule.user, rule.order = kind, value, team, user, order
    rule.active = bool(data.get("active", rule.active))
    rule.save()
    _audit_rule(actor, rule, created, before, ASSIGNMENT_RULE_AUDITED)
    return rule


@transaction.atomic
def assignment_rule_retire(*, actor: User, rule: AssignmentRule) -> AssignmentRule:
    """Stop a rule handing out leads; kept, with its place in the round-robin."""
    return assignment_rule_save(actor=actor, data={"active": False}, rule=rule)
