"""Writing rules: create, change, switch on and off, delete, and the ready-made templates.

A rule is checked whole when it is saved (its trigger, every condition and every action), so
a rule that runs has nothing left to misread; a value typed with Persian or Arabic digits is
read as the field holds it. A rule is made switched off: switching on is a step of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import policy
from peyvand.core.models import AuditEvent, Scope, Team, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text, to_ascii_digits
from peyvand.interactions.models import MessageTemplate, WebhookEndpoint
from peyvand.interactions.services.messaging import TemplateInput, template_create

from ..models import TIME_TRIGGERS, Rule, Trigger
from ..targets import DATE, RECORD_TYPES, USER, RecordType, parse_value

NAME_MAX_LENGTH = 100
MAX_CONDITIONS = 10
MAX_ACTIONS = 10
MAX_DAYS = 3650
AUDITED = ("name", "description", "record_type", "trigger", "trigger_field", "trigger_value", "days")
AUDITED_ALL = (*AUDITED, "conditions", "actions", "active")

OPS = ("equals", "not_equals", "contains", "empty", "not_empty", "greater", "less")
VALUELESS_OPS = ("empty", "not_empty")
ORDERED_OPS = ("greater", "less")
ACTION_TYPES = (
    "set_field",
    "assign",
    "add_tag",
    "create_activity",
    "send_email",
    "send_sms",
    "notify",
    "webhook",
)
ASSIGN_MODES = ("user", "round_robin", "least_loaded")
ACTIVITY_KINDS = ("task", "call")
TAG_MAX_LENGTH = 50
TEXT_MAX_LENGTH = 500


@dataclass(frozen=True, kw_only=True)
class RuleInput:
    """A rule as the form and the API give it. ``conditions`` and ``actions`` are lists of
    plain mappings (``{"field", "op", "value"}``; ``{"type", ...}``), checked here."""

    name: str
    record_type: str
    trigger: str
    description: str = ""
    trigger_field: str = ""
    trigger_value: str = ""
    days: Any = 0
    conditions: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    actions: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def may_manage(user: Any) -> bool:
    """Whether ``user`` may see and write rules (administrators and managers by default)."""
    return policy.scope(user, "automation", "change") != Scope.NONE


def require_manage(user: Any) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("You may not manage automation rules."))


def _text(value: Any) -> str:
    return clean_text(str(value)) if value is not None else ""


def _int(value: Any) -> int | None:
    text = to_ascii_digits(_text(value))
    return int(text) if text.isdigit() else None


def _clean_days(raw: Any, errors: dict[str, list[str]], *, required: bool) -> int:
    days = _int(raw) if raw not in (None, "") else 0
    if days is None or days > MAX_DAYS:
        errors["days"] = [_("Enter a whole number of days from 0 to %(max)s.") % {"max": MAX_DAYS}]
        return 0
    if required and days < 1:
        errors["days"] = [_("Enter how many days (at least one).")]
    return days


def _clean_trigger(data: RuleInput, kind: RecordType, errors: dict[str, list[str]]) -> dict[str, Any]:
    trigger = data.trigger
    values: dict[str, Any] = {"trigger": trigger, "trigger_field": "", "trigger_value": "", "days": 0}
    if trigger not in Trigger.values:
        errors["trigger"] = [_("Choose when the rule runs.")]
        return values
    if trigger == Trigger.FIELD_CHANGED:
        name = _text(data.trigger_field)
        if name not in kind.fields:
            errors["trigger_field"] = [_("Choose a field of this record.")]
            return values
        values["trigger_field"] = name
        raw = _text(data.trigger_value)
        if raw:
            try:
                parse_value(kind.fields[name], raw)
            except ValidationError as exc:
                errors["trigger_value"] = exc.messages
        values["trigger_value"] = to_ascii_digits(raw)
    elif trigger == Trigger.STAGE_ENTERED:
        spec = kind.fields[kind.stage_field]
        raw = _text(data.trigger_value)
        try:
            parse_value(spec, raw)
        except ValidationError:
            errors["trigger_value"] = [_("Choose the stage or status entered.")]
        values.update(trigger_field=kind.stage_field, trigger_value=to_ascii_digits(raw))
    elif trigger in TIME_TRIGGERS:
        values["days"] = _clean_days(data.days, errors, required=True)
        if trigger != Trigger.NO_ACTIVITY:
            name = _text(data.trigger_field)
            if name not in kind.date_fields:
                errors["trigger_field"] = [_("Choose the date to count from.")]
            values["trigger_field"] = name
    return values


def _clean_conditions(rows: Sequence[Mapping[str, Any]], kind: RecordType) -> tuple[list[dict], list[str]]:
    cleaned: list[dict[str, Any]] = []
    problems: list[str] = []
    if len(rows) > MAX_CONDITIONS:
        return [], [_("At most %(max)s conditions.") % {"max": MAX_CONDITIONS}]
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            problems.append(_("Condition %(number)s is not understood.") % {"number": number})
            continue
        name, op, raw = _text(row.get("field")), _text(row.get("op")), _text(row.get("value"))
        spec = kind.fields.get(name)
        if spec is None:
            problems.append(_("Condition %(number)s: choose a field of this record.") % {"number": number})
            continue
        if op not in OPS:
            problems.append(_("Condition %(number)s: choose how to compare.") % {"number": number})
            continue
        if op in ORDERED_OPS and spec.kind not in ("number", DATE):
            problems.append(
                _("Condition %(number)s: only numbers and dates are greater or less.") % {"number": number}
            )
            continue
        if op in VALUELESS_OPS:
            raw = ""
        elif op == "contains":
            if not raw:
                problems.append(_("Condition %(number)s: enter the text to look for.") % {"number": number})
                continue
        else:
            try:
                parse_value(spec, raw)
            except ValidationError as exc:
                problems.append(
                    _("Condition %(number)s: %(error)s") % {"number": number, "error": " ".join(exc.messages)}
                )
                continue
        cleaned.append({"field": name, "op": op, "value": to_ascii_digits(raw)})
    return cleaned, problems


def _clean_action(number: int, row: Mapping[str, Any], kind: RecordType) -> tuple[dict[str, Any], str]:
    """One action's settings, or what is wrong with them."""
    action_type = _text(row.get("type"))

    def problem(message: str) -> tuple[dict[str, Any], str]:
        return {}, _("Action %(number)s: %(error)s") % {"number": number, "error": message}

    if action_type == "set_field":
        name, raw = _text(row.get("field")), _text(row.get("value"))
        spec = kind.fields.get(name)
        if spec is None or not spec.settable:
            return problem(_("choose a field the rule may set."))
        if spec.kind == USER:
            return problem(_("to change the owner, use “Assign”."))
        try:
            parse_value(spec, raw)
        except ValidationError as exc:
            return problem(" ".join(exc.messages))
        return {"type": action_type, "field": name, "value": to_ascii_digits(raw)}, ""
    if action_type == "assign":
        mode = _text(row.get("mode")) or "user"
        if mode not in ASSIGN_MODES:
            return problem(_("choose a user, round-robin or the least loaded."))
        if mode == "user":
            user_id = _int(row.get("user"))
            if user_id is None or not User.objects.filter(pk=user_id, is_active=True).exists():
                return problem(_("choose an active user."))
            return {"type": action_type, "mode": mode, "user": user_id}, ""
        team_id = _int(row.get("team")) if _text(row.get("team")) else None
        if _text(row.get("team")) and (team_id is None or not Team.objects.filter(pk=team_id).exists()):
            return problem(_("choose a team."))
        return {"type": action_type, "mode": mode, "team": team_id}, ""
    if action_type == "add_tag":
        tag = _text(row.get("tag"))
        if not tag or len(tag) > TAG_MAX_LENGTH:
            return problem(_("enter a tag of at most %(max)s characters.") % {"max": TAG_MAX_LENGTH})
        return {"type": action_type, "tag": tag}, ""
    if action_type == "create_activity":
        activity_kind = _text(row.get("kind")) or "task"
        title = _text(row.get("title"))
        days = _int(row.get("days")) if _text(row.get("days")) else 0
        if activity_kind not in ACTIVITY_KINDS:
            return problem(_("choose a task or a call."))
        if not title or len(title) > 200:
            return problem(_("enter a title of at most 200 characters."))
        if days is None or days > MAX_DAYS:
            return problem(_("enter a whole number of days from 0 to %(max)s.") % {"max": MAX_DAYS})
        return {"type": action_type, "kind": activity_kind, "title": title, "days": days}, ""
    if action_type in ("send_email", "send_sms"):
        channel = "email" if action_type == "send_email" else "sms"
        template_id = _int(row.get("template"))
        if (
            template_id is None
            or not MessageTemplate.objects.filter(pk=template_id, channel=channel, deleted_at=None).exists()
        ):
            return problem(_("choose a template for this channel."))
        return {"type": action_type, "template": template_id}, ""
    if action_type == "notify":
        text = _text(row.get("text"))
        to = _text(row.get("to")) or "owner"
        if not text or len(text) > TEXT_MAX_LENGTH:
            return problem(_("write the message (at most %(max)s characters).") % {"max": TEXT_MAX_LENGTH})
        if to != "owner":
            user_id = _int(to)
            if user_id is None or not User.objects.filter(pk=user_id, is_active=True).exists():
                return problem(_("choose whom to tell."))
            to = str(user_id)
        return {"type": action_type, "to": to, "text": text}, ""
    if action_type == "webhook":
        endpoint_id = _int(row.get("webhook"))
        if endpoint_id is None or not WebhookEndpoint.objects.filter(pk=endpoint_id).exists():
            return problem(_("choose one of the outgoing webhooks."))
        return {"type": action_type, "webhook": endpoint_id}, ""
    return problem(_("choose what to do."))


def _clean_actions(rows: Sequence[Mapping[str, Any]], kind: RecordType) -> tuple[list[dict], list[str]]:
    if not rows:
        return [], [_("Add at least one action.")]
    if len(rows) > MAX_ACTIONS:
        return [], [_("At most %(max)s actions.") % {"max": MAX_ACTIONS}]
    cleaned, problems = [], []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            problems.append(_("Action %(number)s is not understood.") % {"number": number})
            continue
        action, problem = _clean_action(number, row, kind)
        if problem:
            problems.append(problem)
        else:
            cleaned.append(action)
    return cleaned, problems


def clean_rule(data: RuleInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = _text(data.name)
    if not name:
        errors["name"] = [_("Give the rule a name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}]
    description = _text(data.description)
    if len(description) > TEXT_MAX_LENGTH:
        errors["description"] = [_("At most %(limit)s characters.") % {"limit": TEXT_MAX_LENGTH}]
    kind = RECORD_TYPES.get(data.record_type)
    if kind is None:
        errors["record_type"] = [_("Choose the kind of record the rule watches.")]
        raise ValidationError(errors)
    values = _clean_trigger(data, kind, errors)
    conditions, problems = _clean_conditions(list(data.conditions or ()), kind)
    if problems:
        errors["conditions"] = problems
    actions, problems = _clean_actions(list(data.actions or ()), kind)
    if problems:
        errors["actions"] = problems
    if errors:
        raise ValidationError(errors)
    return {
        **values,
        "name": name,
        "description": description,
        "record_type": kind.key,
        "conditions": conditions,
        "actions": actions,
    }


@transaction.atomic
def rule_create(*, actor: User, data: RuleInput) -> Rule:
    """A new rule, switched off."""
    require_manage(actor)
    rule = Rule.objects.create(**clean_rule(data), active=False, created_by=actor, updated_by=actor)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=rule,
        changes={
            name: [None, value] for name, value in snapshot(rule, AUDITED).items() if value not in ("", 0)
        },
    )
    return rule


def _lock(rule: Rule, actor: User) -> Rule:
    require_manage(actor)
    return Rule.objects.select_for_update().get(pk=rule.pk)


@transaction.atomic
def rule_update(*, rule: Rule, actor: User, data: RuleInput) -> Rule:
    rule = _lock(rule, actor)
    values = clean_rule(data)
    before = snapshot(rule, AUDITED_ALL)
    if values["actions"] != rule.actions:
        rule.turns = {}
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_by = actor
    rule.save()
    changes = changes_between(before, snapshot(rule, AUDITED_ALL))
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=rule, changes=changes)
    return rule


@transaction.atomic
def rule_switch(*, rule: Rule, actor: User, active: bool) -> Rule:
    """Switch a rule on (from now: a time trigger counts moments from this one) or off."""
    rule = _lock(rule, actor)
    if rule.active == active:
        return rule
    rule.active = active
    rule.activated_at = timezone.now() if active else rule.activated_at
    rule.updated_by = actor
    rule.save(update_fields=["active", "activated_at", "updated_by", "updated_at"])
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=rule, changes={"active": [not active, active]})
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule, actor: User) -> None:
    """Remove a rule and its run log."""
    rule = _lock(rule, actor)
    audit_log(actor=actor, kind=AuditEvent.Kind.DELETE, obj=rule, changes={"name": [rule.name, None]})
    rule.delete()


# --- templates ------------------------------------------------------------------------------

GREETING_TEMPLATE = "greet_new_leads"


def _greeting_template(actor: User) -> MessageTemplate:
    """The greeting email, in the installation's language; made once, then reused (and editable)."""
    subject = _("Thank you for contacting us")
    existing = MessageTemplate.objects.filter(channel="email", subject=subject, deleted_at=None).first()
    if existing is not None:
        return existing
    return template_create(
        actor=actor,
        data=TemplateInput(
            name=_("Greeting for new leads"),
            channel="email",
            subject=subject,
            body=_(
                "Hello {first_name},\n\nThank you for your interest. {owner} will be in touch with you "
                "shortly."
            ),
        ),
    )


RULE_TEMPLATES: dict[str, Any] = {
    GREETING_TEMPLATE: {
        "title": gettext_lazy("Assign and greet new leads"),
        "description": gettext_lazy(
            "A new lead without an owner goes to the next salesperson in turn and gets a greeting email."
        ),
    }
}


@transaction.atomic
def rule_from_template(*, actor: User, key: str) -> Rule:
    """A ready-made rule (switched off, to test and switch on): "Assign and greet new leads"."""
    require_manage(actor)
    if key != GREETING_TEMPLATE:
        raise ValidationError({"template": [_("Choose one of the ready-made rules.")]})
    template = _greeting_template(actor)
    return rule_create(
        actor=actor,
        data=RuleInput(
            name=str(RULE_TEMPLATES[key]["title"]),
            description=str(RULE_TEMPLATES[key]["description"]),
            record_type="lead",
            trigger=Trigger.CREATED,
            conditions=[{"field": "owner", "op": "empty", "value": ""}],
            actions=[
                {"type": "assign", "mode": "round_robin", "team": ""},
                {"type": "send_email", "template": template.pk},
            ],
        ),
    )
