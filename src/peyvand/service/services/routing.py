"""Routing tickets nobody was given: the agents' skills, the assignment rules, and the choice
of an agent (taking turns, or the one with the fewest open tickets).

A ticket opened without an assignee, from any channel (the pages, the API, email, SMS, the web
form), goes to the first active rule, in order, whose conditions it meets and whose team has
an active support agent with the rule's skill. The rule's row is locked while it chooses, so
tickets opened at the same moment in several processes take consecutive turns.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.inputs import UNSET, Unset, given
from peyvand.core.models import AuditEvent, Role, Team, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot
from peyvand.core.text import clean_text
from peyvand.sales.models import Product

from ..models import OPEN_STATUSES, AssignmentRule, Category, Kind, Skill, Ticket

MAX_ORDER = 10_000
RULE_FIELDS = ("order", "team", "category", "product", "kind", "skill", "method", "active")


# --- skills -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SkillInput:
    name: str | Unset = UNSET
    agents: tuple[User, ...] | Unset = UNSET


@transaction.atomic
def skill_save(*, actor: User, data: SkillInput, skill: Skill | None = None) -> Skill:
    """Name a skill and say which agents have it (what ``data`` leaves UNSET stays)."""
    policy.require_admin(actor)
    errors: dict[str, list[str]] = {}
    name = skill.name if skill else ""
    if data.name is not UNSET:
        name = clean_text(data.name)
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > 100:
        errors["name"] = [
            _("Use at most %(limit)d characters (this has %(count)d).") % {"limit": 100, "count": len(name)}
        ]
    elif Skill.objects.filter(name=name).exclude(pk__in=[skill.pk] if skill else []).exists():
        errors["name"] = [_("There is a skill with this name already.")]
    agents = data.agents
    if agents is not UNSET and any(not (isinstance(a, User) and a.is_active) for a in agents):
        errors["agents"] = [_("Choose active users.")]
    if errors:
        raise ValidationError(errors)
    created = skill is None
    before = {} if skill is None else {"name": skill.name, "agents": _agent_ids(skill)}
    skill = skill or Skill()
    skill.name = name
    try:
        with transaction.atomic():
            skill.save()
    except IntegrityError:
        raise ValidationError({"name": [_("There is a skill with this name already.")]}) from None
    if agents is not UNSET:
        skill.agents.set(agents)
    changes = changes_between(before, {"name": skill.name, "agents": _agent_ids(skill)})
    if changes:
        kind = AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE
        audit_log(actor=actor, kind=kind, obj=skill, changes=changes)
    return skill


def _agent_ids(skill: Skill) -> list[int]:
    return sorted(skill.agents.values_list("pk", flat=True))


# --- rules --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RuleInput:
    """An assignment rule; on a new rule a field left UNSET takes its default (any category,
    product and type, no skill, taking turns, active); on a change it stays."""

    team: Team | Unset = UNSET
    order: int | Unset = UNSET
    category: Category | Unset | None = UNSET
    product: Product | Unset | None = UNSET
    kind: str | Unset = UNSET
    skill: Skill | Unset | None = UNSET
    method: str | Unset = UNSET
    active: bool | Unset = UNSET


def _clean_rule(data: RuleInput, *, creating: bool) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    values = given(data)
    if creating and "team" not in values:
        errors["team"] = [_("Choose the team whose agents take the tickets.")]
    for name, value in values.items():
        if name == "team" and not isinstance(value, Team):
            errors[name] = [_("Choose the team whose agents take the tickets.")]
        elif name == "order" and not (type(value) is int and 0 <= value <= MAX_ORDER):
            errors[name] = [_("Enter a whole number between 0 and %(high)d.") % {"high": MAX_ORDER}]
        elif name == "category" and value is not None and not (isinstance(value, Category) and value.active):
            errors[name] = [_("Choose an active category.")]
        elif name == "product" and value is not None and not (isinstance(value, Product) and value.active):
            errors[name] = [_("Choose an active product.")]
        elif name == "kind" and value and value not in Kind.values:
            errors[name] = [_("Choose a valid type.")]
        elif name == "skill" and value is not None and not isinstance(value, Skill):
            errors[name] = [_("Choose a skill.")]
        elif name == "method" and value not in AssignmentRule.Method.values:
            errors[name] = [_("Choose how the team's agents take turns.")]
        elif name == "active" and not isinstance(value, bool):
            errors[name] = [_("Choose true or false.")]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def assignment_rule_save(
    *, actor: User, data: RuleInput, rule: AssignmentRule | None = None
) -> AssignmentRule:
    """Add a rule or change one; its turn's place is kept across changes."""
    policy.require_admin(actor)
    cleaned = _clean_rule(data, creating=rule is None)
    created = rule is None
    rule = rule or AssignmentRule()
    before = {} if created else snapshot(rule, RULE_FIELDS)
    for name, value in cleaned.items():
        setattr(rule, name, (value or "") if name == "kind" else value)
    rule.save()
    changes = changes_between(before, snapshot(rule, RULE_FIELDS))
    if changes:
        kind = AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE
        audit_log(actor=actor, kind=kind, obj=rule, changes=changes)
    return rule


# --- routing a ticket ---------------------------------------------------------------------------


def rule_matches(rule: AssignmentRule, ticket: Ticket) -> bool:
    """Whether ``ticket`` meets the rule's conditions; a ticket already given to a team goes
    only to that team's rules."""
    return (
        (rule.category_id is None or rule.category_id == ticket.category_id)
        and (rule.product_id is None or rule.product_id == ticket.product_id)
        and (not rule.kind or rule.kind == ticket.kind)
        and (ticket.team_id is None or ticket.team_id == rule.team_id)
    )


def rule_agents(rule: AssignmentRule) -> list[User]:
    """Who may take the rule's tickets: the team's active support agents with its skill,
    in a fixed order (the order turns are taken in)."""
    agents = User.objects.filter(team_id=rule.team_id, is_active=True, role=Role.SUPPORT)
    if rule.skill_id is not None:
        agents = agents.filter(service_skills=rule.skill_id)
    return list(agents.order_by("id"))


@transaction.atomic
def ticket_route(ticket: Ticket) -> User | None:
    """Give an unassigned ticket (saved or not) to the agent the first matching rule chooses,
    and to that rule's team; None (and the ticket left in the queue) when no rule has one."""
    if ticket.assignee_id is not None:
        return ticket.assignee
    for rule in AssignmentRule.objects.filter(active=True).order_by("order", "id"):
        if not rule_matches(rule, ticket):
            continue
        chosen = _choose(rule)
        if chosen is not None:
            ticket.assignee, ticket.team_id = chosen, rule.team_id
            return chosen
    return None


def _choose(rule: AssignmentRule) -> User | None:
    # The lock serialises every choice of this rule: the turn and the open counts it reads
    # are those the previous choice left.
    rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    agents = rule_agents(rule)
    if not agents:
        return None
    # Turns start after the last agent chosen; the fewest-open method breaks ties the same way.
    after = [a for a in agents if rule.last_user_id is not None and a.pk > rule.last_user_id]
    in_turn = after + [a for a in agents if a not in after]
    if rule.method == AssignmentRule.Method.LEAST_OPEN:
        load = dict(
            Ticket.objects.filter(
                assignee__in=agents,
                status__in=OPEN_STATUSES,
                deleted_at__isnull=True,
                merged_into__isnull=True,
            )
            .order_by()
            .values("assignee_id")
            .annotate(open=Count("id"))
            .values_list("assignee_id", "open")
        )
        chosen = min(in_turn, key=lambda agent: load.get(agent.pk, 0))
    else:
        chosen = in_turn[0]
    rule.last_user = chosen
    rule.save(update_fields=["last_user"])
    return chosen
