"""Running rules: the record-event listener, the time sweep, conditions, actions, the run log.

**Events.** Every service writes an audit event for each record it creates or changes, in
the transaction of the change, and ``core.hooks`` hands them to ``record_events_listen``.
It picks the active rules whose trigger the event meets (one query, none when the event is
not about a lead, deal, customer or ticket) and asks, once the change commits, for the job
``automation.run`` per rule and record. So a change rolled back runs nothing, and the rule
reads the record as committed.

**Time.** ``time_rules_run`` (a periodic job) finds, for each active time rule, the records
whose moment (a date plus or minus N days, or the last change plus N days) has come since
the rule was switched on. A run row claims its (rule, record, moment) under a unique
constraint before any action: each moment runs once, whichever worker gets there first.

**Loops.** Actions run with ``_DEPTH`` set to the run's depth: a change a rule makes sets
off rules at depth 2, and those runs stop at once (``MAX_DEPTH`` is 1), saying so in the
log. A rule also runs at most ``HOURLY_CAP`` times an hour for one record.

**Actions** go through the record's own services as the rule's owner (or the system user
when the owner is gone), so validation, the audit log and the permission policy apply.
Each runs in a savepoint of its own: one that fails is logged with its error, the others
still run. A dry run (``rule_test``) does all of it inside a transaction rolled back at the
end: what each action would do, and nothing written.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peyvand.activities.services.activities import activity_create
from peyvand.core import hooks, jalali, jobs, policy
from peyvand.core.models import AuditEvent, Role, User
from peyvand.core.text import search_key
from peyvand.customers.models import Party
from peyvand.customers.rules import PartyInput
from peyvand.customers.services.parties import party_update
from peyvand.customers.services.tags import party_bulk_add_tag
from peyvand.interactions import placeholders, smscount
from peyvand.interactions.models import MessageTemplate, OutboundMessage, Purpose, WebhookEndpoint
from peyvand.interactions.services.messaging import Draft, email_send, sms_send
from peyvand.interactions.services.outbox import message_queue
from peyvand.interactions.services.webhooks import webhook_send
from peyvand.interactions.system import system_actor
from peyvand.sales.models import Deal, Lead, Stage
from peyvand.sales.services.deals import deal_move_stage, deal_update
from peyvand.sales.services.leads import OPEN_STAGES, lead_set_stage, lead_update
from peyvand.service.models import Ticket
from peyvand.service.models.tickets import Status as TicketStatus
from peyvand.service.services.tickets import TicketInput, ticket_update

from ..models import EVENT_TRIGGERS, TIME_TRIGGERS, Rule, Run, Trigger
from ..targets import (
    BY_AUDIT_LABEL,
    DATE,
    RECORD_TYPES,
    FieldSpec,
    RecordType,
    comparable,
    parse_value,
    show_value,
)

RUN_JOB = "automation.run"  # the job's name (core.jobs), registered by tasks.py
MAX_DEPTH = 1
HOURLY_CAP = 10
WEBHOOK_EVENT = "automation.rule"
OPS_LABELS = {
    "equals": "=",
    "not_equals": "≠",
    "contains": "∋",
    "greater": ">",
    "less": "<",
}

logger = logging.getLogger("peyvand.automation")
# How deep in rules the current code runs: 0 for a person's change, 1 inside a rule's actions.
_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("automation_depth", default=0)


class SkipAction(Exception):
    """An action with nothing to do for this record (no customer, no address): skipped, not failed."""


class _DryRun(Exception):
    pass


# --- conditions ---------------------------------------------------------------------------


def _record_value(spec: FieldSpec, record: models.Model) -> Any:
    return spec.read(record)


def condition_label(kind: RecordType, condition: dict[str, Any]) -> str:
    spec = kind.fields.get(condition["field"])
    if spec is None:
        return condition["field"]
    op = condition["op"]
    if op == "empty":
        return _("%(field)s is empty") % {"field": spec.label}
    if op == "not_empty":
        return _("%(field)s is not empty") % {"field": spec.label}
    if op == "contains":
        return _("%(field)s contains “%(value)s”") % {"field": spec.label, "value": condition["value"]}
    try:
        shown = show_value(spec, parse_value(spec, condition["value"]))
    except ValidationError:
        shown = condition["value"]
    return f"{spec.label} {OPS_LABELS.get(op, op)} {shown}"


def trigger_value_label(rule: Rule) -> str:
    """The value a field-changed or stage-entered trigger waits for, as people read it."""
    kind = RECORD_TYPES[rule.record_type]
    spec = kind.fields.get(rule.trigger_field)
    if spec is None or not rule.trigger_value:
        return ""
    try:
        return show_value(spec, parse_value(spec, rule.trigger_value))
    except ValidationError:
        return rule.trigger_value


def _holds(spec: FieldSpec, op: str, raw: str, actual: Any) -> bool:
    if op == "empty":
        return actual in (None, "")
    if op == "not_empty":
        return actual not in (None, "")
    if op == "contains":
        return search_key(raw) in search_key(str(actual or ""))
    if actual in (None, ""):
        return op == "not_equals"
    wanted = comparable(parse_value(spec, raw))
    have = comparable(actual)
    if spec.kind == DATE and isinstance(have, dt.date) and not isinstance(wanted, dt.date):
        return False
    if op == "equals":
        return bool(have == wanted)
    if op == "not_equals":
        return bool(have != wanted)
    try:
        return bool(have > wanted) if op == "greater" else bool(have < wanted)
    except TypeError:
        return False


def conditions_check(rule: Rule, record: models.Model) -> tuple[bool, list[dict[str, Any]]]:
    """Whether every condition holds, and each one's label, the record's value and verdict."""
    kind = RECORD_TYPES[rule.record_type]
    checks = []
    for condition in rule.conditions:
        spec = kind.fields.get(condition["field"])
        if spec is None:
            checks.append({"label": condition["field"], "value": "", "met": False})
            continue
        actual = _record_value(spec, record)
        try:
            met = _holds(spec, condition["op"], condition.get("value", ""), actual)
        except ValidationError:
            met = False
        checks.append(
            {"label": condition_label(kind, condition), "value": show_value(spec, actual), "met": met}
        )
    return all(check["met"] for check in checks), checks


# --- actions ------------------------------------------------------------------------------


def _reload(kind: RecordType, record: models.Model) -> Any:
    found = kind.queryset().filter(pk=record.pk).first()
    if found is None:
        raise SkipAction(_("The record is gone."))
    return found


def _set(kind: RecordType, record: Any, actor: User, name: str, value: Any) -> None:
    """Change one field through the record's own service."""
    if kind.key == "lead":
        if name == "stage":
            lead_set_stage(lead=record, actor=actor, stage=value)
        else:
            lead_update(lead=record, actor=actor, data={name: value})
    elif kind.key == "deal":
        if name == "stage":
            stage = Stage.objects.select_related("pipeline").filter(pk=value).first()
            if stage is None:
                raise ValidationError(_("The stage no longer exists."))
            deal_move_stage(deal=record, stage=stage, actor=actor)
        else:
            deal_update(deal=record, actor=actor, data={name: value})
    elif kind.key in ("person", "organisation"):
        party_update(party=record, actor=actor, data=PartyInput(**{name: value}))
    elif kind.key == "ticket":
        ticket_update(ticket=record, actor=actor, data=TicketInput(**{name: value}))


def _do_set_field(ctx: _Context, action: dict[str, Any]) -> str:
    spec = ctx.kind.fields[action["field"]]
    value = parse_value(spec, action["value"])
    if ctx.kind.key == "deal" and spec.name == "expected_close" and value is None:
        raise ValidationError(_("Enter a valid date."))
    _set(ctx.kind, ctx.fresh(), ctx.actor, spec.name, value)
    return _("%(field)s set to %(value)s") % {"field": spec.label, "value": show_value(spec, value)}


def _candidates(kind: RecordType, team_id: int | None) -> list[User]:
    users = User.objects.filter(is_active=True).exclude(role=Role.READONLY).order_by("id")
    # A team's members; without one, the staff who work records (not the administrators).
    users = users.filter(team_id=team_id) if team_id is not None else users.exclude(role=Role.ADMIN)
    return [user for user in users if policy.may_own(user, kind.model, user)]


def _open_records(kind: RecordType) -> models.QuerySet:
    queryset = kind.queryset()
    if kind.model is Lead:
        return queryset.filter(stage__in=OPEN_STAGES)
    if kind.model is Deal:
        return queryset.filter(status="open")
    if kind.model is Ticket:
        return queryset.exclude(status__in=(TicketStatus.RESOLVED, TicketStatus.CLOSED))
    return queryset


def _choose(ctx: _Context, action: dict[str, Any]) -> User:
    mode = action.get("mode", "user")
    if mode == "user":
        user = User.objects.filter(pk=int(action.get("user") or 0), is_active=True).first()
        if user is None:
            raise SkipAction(_("The user chosen is no longer active."))
        return user
    candidates = _candidates(ctx.kind, action.get("team"))
    if not candidates:
        raise SkipAction(_("Nobody active may own this record."))
    if mode == "least_loaded":
        loads = dict(
            _open_records(ctx.kind)
            .filter(**{f"{ctx.kind.owner_field}__in": candidates})
            .values_list(ctx.kind.owner_field)
            .annotate(n=Count("id"))
            .values_list(ctx.kind.owner_field, "n")
        )
        return min(candidates, key=lambda user: (loads.get(user.pk, 0), user.pk))
    # Round-robin: the rule's row lock makes two records at once take consecutive turns.
    rule = Rule.objects.select_for_update().get(pk=ctx.rule.pk)
    last = rule.turns.get(str(ctx.index))
    after = [user for user in candidates if last is not None and user.pk > last]
    chosen = after[0] if after else candidates[0]
    Rule.objects.filter(pk=rule.pk).update(turns={**rule.turns, str(ctx.index): chosen.pk})
    return chosen


def _do_assign(ctx: _Context, action: dict[str, Any]) -> str:
    user = _choose(ctx, action)
    _set(ctx.kind, ctx.fresh(), ctx.actor, ctx.kind.owner_field, user)
    return _("Assigned to %(user)s") % {"user": user.get_full_name() or user.username}


def _do_add_tag(ctx: _Context, action: dict[str, Any]) -> str:
    party = ctx.kind.party(ctx.fresh())
    if party is None:
        raise SkipAction(_("The record has no customer to tag."))
    result = party_bulk_add_tag(actor=ctx.actor, party_ids=[party.pk], tag_name=action["tag"])
    if result.skipped:
        raise PermissionDenied(_("The rule's owner may not change this customer."))
    return _("Tagged %(customer)s “%(tag)s”") % {"customer": party.display_name, "tag": action["tag"]}


def _do_create_activity(ctx: _Context, action: dict[str, Any]) -> str:
    record = ctx.fresh()
    owner = getattr(record, ctx.kind.owner_field) or ctx.actor
    due = timezone.now() + dt.timedelta(days=int(action.get("days") or 0))
    activity = activity_create(
        actor=ctx.actor,
        data={
            "kind": action.get("kind", "task"),
            "title": action["title"],
            "due_at": due,
            "assignee": owner,
            "party": ctx.kind.party(record),
            "deal": record if isinstance(record, Deal) else None,
        },
    )
    return _("%(kind)s “%(title)s” for %(user)s, due %(due)s") % {
        "kind": activity.get_kind_display(),
        "title": activity.title,
        "user": owner.get_full_name() or owner.username,
        "due": jalali.format_date(timezone.localdate(due)),
    }


def _lead_values(lead: Lead, sender: User, language: str) -> dict[str, str]:
    with translation.override(language):
        today = jalali.format_date(timezone.localdate(), language, long=True)
    return {
        "name": lead.display_name,
        "first_name": lead.first_name or lead.display_name,
        "last_name": lead.last_name,
        "company": lead.company,
        "owner": str(lead.owner) if lead.owner_id else "",
        "sender": str(sender),
        "today": today,
    }


def _message_to_lead(ctx: _Context, lead: Lead, template: MessageTemplate) -> str:
    """A lead not yet a customer: the message goes to the address the lead gave, through the outbox."""
    email = template.channel == MessageTemplate.Kind.EMAIL
    address = lead.email if email else lead.phone
    if not address:
        raise SkipAction(
            _("The lead gave no email address.") if email else _("The lead gave no phone number.")
        )
    if template.purpose == Purpose.MARKETING and not (lead.email_consent if email else lead.sms_consent):
        raise SkipAction(_("The lead has not agreed to marketing messages."))
    language = template.language or settings.LANGUAGE_CODE
    values = _lead_values(lead, ctx.actor, language)
    body = placeholders.render(template.body.strip(), values)
    if email:
        subject = placeholders.render(template.subject, values)[:200]
        with translation.override(language):
            html = render_to_string(
                "interactions/email/message.html",
                {
                    "language": language,
                    "direction": "rtl" if translation.get_language_bidi() else "ltr",
                    "align": "right" if translation.get_language_bidi() else "left",
                    "subject": subject,
                    "body": body,
                    "unsubscribe_url": "",
                },
            )
        message_queue(
            channel=OutboundMessage.Kind.EMAIL,
            purpose=template.purpose,
            to_address=address,
            subject=subject,
            body_text=body,
            body_html=html,
            template=template,
            actor=ctx.actor,
            language=language,
            reply_to=ctx.actor.email,
        )
    else:
        counted = smscount.count(body)
        message_queue(
            channel=OutboundMessage.Kind.SMS,
            purpose=template.purpose,
            to_address=address,
            body_text=body,
            template=template,
            actor=ctx.actor,
            language=language,
            segments=counted.segments,
            cost=counted.cost,
        )
    return _("“%(template)s” queued to %(address)s") % {"template": template.name, "address": address}


def _do_message(ctx: _Context, action: dict[str, Any]) -> str:
    template = MessageTemplate.objects.filter(pk=action["template"], deleted_at=None).first()
    if template is None:
        raise SkipAction(_("The template was deleted."))
    record = ctx.fresh()
    party = ctx.kind.party(record)
    if party is None and isinstance(record, Lead):
        return _message_to_lead(ctx, record, template)
    if party is None:
        raise SkipAction(_("The record has no customer to write to."))
    email = template.channel == MessageTemplate.Kind.EMAIL
    address = party.primary_email if email else party.primary_phone
    if not address:
        raise SkipAction(
            _("The customer has no email address.") if email else _("The customer has no phone number.")
        )
    draft = Draft(
        to=address,
        subject=template.subject,
        body=template.body,
        purpose=template.purpose,
        language=template.language,
        template=template,
    )
    if email:
        email_send(party=party, actor=ctx.actor, draft=draft)
    else:
        sms_send(party=party, actor=ctx.actor, draft=draft)
    return _("“%(template)s” queued to %(address)s") % {"template": template.name, "address": address}


def _do_notify(ctx: _Context, action: dict[str, Any]) -> str:
    record = ctx.fresh()
    if action.get("to", "owner") == "owner":
        recipient = getattr(record, ctx.kind.owner_field)
        if recipient is None:
            raise SkipAction(_("The record has no owner to tell."))
    else:
        recipient = User.objects.filter(pk=action["to"], is_active=True).first()
        if recipient is None:
            raise SkipAction(_("The user chosen is no longer active."))
    hooks.notify(
        recipient=recipient,
        kind="automation_rule",
        data={"text": action["text"], "rule": ctx.rule.name, "record": str(record)},
        url=reverse(ctx.kind.url_name, args=[record.pk]),
        key=f"automation:{ctx.rule.pk}:{record.pk}:{uuid.uuid4().hex}",
        actor=ctx.actor,
    )
    return _("%(user)s told") % {"user": recipient.get_full_name() or recipient.username}


def _do_webhook(ctx: _Context, action: dict[str, Any]) -> str:
    endpoint = WebhookEndpoint.objects.filter(pk=action["webhook"]).first()
    if endpoint is None:
        raise SkipAction(_("The webhook was removed."))
    record = ctx.fresh()
    party = ctx.kind.party(record)
    webhook_send(
        endpoint=endpoint,
        event=WEBHOOK_EVENT,
        data={
            "rule": {"id": ctx.rule.pk, "name": ctx.rule.name},
            "record": {"kind": ctx.kind.key, "id": record.pk, "name": str(record)},
            "customer_id": party.pk if party is not None else None,
        },
    )
    return _("Sent to the webhook %(name)s") % {"name": endpoint.name}


ACTIONS: dict[str, Callable[[_Context, dict[str, Any]], str]] = {
    "set_field": _do_set_field,
    "assign": _do_assign,
    "add_tag": _do_add_tag,
    "create_activity": _do_create_activity,
    "send_email": _do_message,
    "send_sms": _do_message,
    "notify": _do_notify,
    "webhook": _do_webhook,
}


class _Context:
    def __init__(self, rule: Rule, kind: RecordType, record: models.Model, actor: User) -> None:
        self.rule, self.kind, self.record, self.actor = rule, kind, record, actor
        self.index = 0

    def fresh(self) -> Any:
        """The record as it is now (an earlier action may have changed it)."""
        return _reload(self.kind, self.record)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


def _actions_run(ctx: _Context) -> list[dict[str, Any]]:
    outcomes = []
    for index, action in enumerate(ctx.rule.actions):
        ctx.index = index
        label = str(action_label(ctx.kind, action))
        try:
            with transaction.atomic():
                detail = ACTIONS[action["type"]](ctx, action)
        except SkipAction as exc:
            outcomes.append({"label": label, "status": "skipped", "detail": str(exc)})
        except (ValidationError, PermissionDenied, IntegrityError, LookupError, ValueError) as exc:
            outcomes.append({"label": label, "status": "failed", "detail": _error_text(exc)})
        else:
            outcomes.append({"label": label, "status": "done", "detail": str(detail)})
    return outcomes


def action_label(kind: RecordType, action: dict[str, Any]) -> str:
    from_types = {
        "set_field": _("Set a field"),
        "assign": _("Assign"),
        "add_tag": _("Add a tag"),
        "create_activity": _("Create an activity"),
        "send_email": _("Send an email"),
        "send_sms": _("Send an SMS"),
        "notify": _("Notify"),
        "webhook": _("Call a webhook"),
    }
    label = from_types.get(action.get("type", ""), action.get("type", ""))
    if action.get("type") == "set_field" and action.get("field") in kind.fields:
        spec = kind.fields[action["field"]]
        try:
            shown = show_value(spec, parse_value(spec, action.get("value", "")))
        except ValidationError:
            shown = action.get("value", "")
        return f"{label}: {spec.label} = {shown}"
    if action.get("type") == "assign":
        modes = {
            "user": _("a user"),
            "round_robin": _("round-robin"),
            "least_loaded": _("the least loaded"),
        }
        return f"{label}: {modes.get(action.get('mode', 'user'), '')}"
    if action.get("type") == "add_tag":
        return f"{label}: {action.get('tag', '')}"
    if action.get("type") == "create_activity":
        return f"{label}: {action.get('title', '')}"
    return str(label)


# --- a run ---------------------------------------------------------------------------------


def rule_actor(rule: Rule) -> User:
    """Who a rule acts as: its owner while they are active, else the system user."""
    owner = rule.created_by
    if owner is not None and owner.is_active:
        return owner
    return system_actor()


def _status(outcomes: list[dict[str, Any]]) -> str:
    statuses = {outcome["status"] for outcome in outcomes}
    if "failed" in statuses:
        return Run.Status.PARTLY if "done" in statuses else Run.Status.FAILED
    return Run.Status.DONE


def _execute(run: Run, rule: Rule, record: models.Model, depth: int) -> Run:
    """Check the conditions and, when they hold, do the actions; fills ``run`` (not saved)."""
    kind = RECORD_TYPES[rule.record_type]
    met, checks = conditions_check(rule, record)
    run.met, run.checks = met, checks
    if not met:
        run.status = Run.Status.NOT_MET
        failed = [check["label"] for check in checks if not check["met"]]
        run.note = (_("Not met: %(conditions)s") % {"conditions": "; ".join(failed)})[:500]
        return run
    actor = rule_actor(rule)
    run.actor = actor
    token = _DEPTH.set(depth)
    try:
        run.outcomes = _actions_run(_Context(rule, kind, record, actor))
    finally:
        _DEPTH.reset(token)
    run.status = _status(run.outcomes)
    return run


def _new_run(rule: Rule, record: models.Model, trigger: str, moment: dt.datetime | None = None) -> Run:
    return Run(
        rule=rule,
        at=timezone.now(),
        record_type=rule.record_type,
        object_id=record.pk,
        object_repr=str(record)[:200],
        trigger=trigger,
        moment=moment,
        status=Run.Status.NOT_MET,
    )


def _guard(rule: Rule, record: models.Model, depth: int, run: Run) -> bool:
    """Stop a run that a rule's own change set off, or one too many this hour; say why."""
    if depth > MAX_DEPTH:
        run.status = Run.Status.BLOCKED
        run.note = _(
            "Not run: a rule's own change set it off. Rules do not set off rules more than one step deep."
        )
        return False
    hour_ago = run.at - dt.timedelta(hours=1)
    recent = (
        Run.objects.filter(rule=rule, record_type=rule.record_type, object_id=record.pk, at__gte=hour_ago)
        .exclude(status=Run.Status.BLOCKED)
        .count()
    )
    if recent >= HOURLY_CAP:
        run.status = Run.Status.BLOCKED
        run.note = _("Not run: it already ran %(count)s times for this record in the past hour.") % {
            "count": HOURLY_CAP
        }
        return False
    return True


def rule_run(*, rule: Rule, record: models.Model, trigger: str, depth: int = 1) -> Run:
    """Run ``rule`` on ``record`` for an event, and log it."""
    run = _new_run(rule, record, trigger)
    if _guard(rule, record, depth, run):
        _execute(run, rule, record, depth)
    run.save()
    return run


def run_job(rule_id: int, record_type: str, object_id: int, trigger: str, depth: int) -> str:
    """The job ``automation.run``: thin and safe to repeat (a rule switched off since, or a
    record deleted since, runs nothing)."""
    rule = Rule.objects.filter(pk=rule_id, active=True).select_related("created_by").first()
    kind = RECORD_TYPES.get(record_type)
    if rule is None or kind is None:
        return "skipped"
    record = kind.queryset().filter(pk=object_id).first()
    if record is None:
        return "skipped"
    return rule_run(rule=rule, record=record, trigger=trigger, depth=depth).status


def rule_test(*, rule: Rule, record: models.Model, actor: User) -> Run:
    """A dry run: whether the conditions hold for ``record`` and what each action would do,
    with everything it would write rolled back. The run returned is not saved."""
    if not policy.can_view(actor, record):
        raise PermissionDenied(_("You do not have permission to see this record."))
    run = _new_run(rule, record, "test")
    try:
        with transaction.atomic():
            _execute(run, rule, record, 1)
            raise _DryRun
    except _DryRun:
        pass
    return run


# --- events --------------------------------------------------------------------------------


def _new_value(changes: dict[str, Any], name: str) -> Any:
    pair = changes.get(name)
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def _value_matches(spec: FieldSpec, wanted: str, value: Any) -> bool:
    if not wanted:
        return True
    try:
        target = comparable(parse_value(spec, wanted))
    except ValidationError:
        return False
    if spec.kind == DATE and isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return False
    return bool(comparable(value) == target)


def event_meets(rule: Rule, event: AuditEvent) -> bool:
    """Whether an audit event is what ``rule``'s trigger waits for."""
    kind = RECORD_TYPES[rule.record_type]
    if rule.trigger == Trigger.CREATED:
        return event.kind == AuditEvent.Kind.CREATE
    if event.kind != AuditEvent.Kind.UPDATE or not event.changes:
        return False
    if rule.trigger == Trigger.CHANGED:
        return True
    name = rule.trigger_field
    if name not in event.changes:
        return False
    spec = kind.fields.get(name)
    if spec is None:
        return False
    return _value_matches(spec, rule.trigger_value, _new_value(event.changes, name))


def _enqueue(pending: list[tuple[int, str, int, str, int]]) -> None:
    for args in pending:
        jobs.enqueue(RUN_JOB, *args)


def record_events_listen(events: list[AuditEvent]) -> None:
    """The record-event listener: the runs the events set off, asked for once they commit.

    No query for events about other records (most); one for the active rules otherwise, and
    one more for customers' kinds when a rule watches people or organisations.
    """
    relevant = [
        event
        for event in events
        if event.model in BY_AUDIT_LABEL and event.kind in (AuditEvent.Kind.CREATE, AuditEvent.Kind.UPDATE)
    ]
    if not relevant:
        return
    keys = {kind.key for event in relevant for kind in BY_AUDIT_LABEL[event.model]}
    rules = list(Rule.objects.filter(active=True, trigger__in=EVENT_TRIGGERS, record_type__in=keys))
    if not rules:
        return
    party_kinds: dict[int, str] = {}
    party_ids = {event.object_id for event in relevant if event.model == "customers.party"}
    if party_ids and any(rule.record_type in ("person", "organisation") for rule in rules):
        party_kinds = dict(Party._base_manager.filter(pk__in=party_ids).values_list("pk", "kind"))
    depth = _DEPTH.get() + 1
    pending: list[tuple[int, str, int, str, int]] = []
    for event in relevant:
        for rule in rules:
            kind = RECORD_TYPES[rule.record_type]
            if kind.audit_label != event.model:
                continue
            if kind.base_filter and party_kinds.get(event.object_id) != kind.base_filter.get("kind"):
                continue
            if event_meets(rule, event):
                pending.append((rule.pk, rule.record_type, event.object_id, rule.trigger, depth))
    if pending:
        # robust: a queue that is down must not fail the change that set the rule off.
        transaction.on_commit(lambda: _enqueue(pending), robust=True)


# --- time ----------------------------------------------------------------------------------


def _as_moment(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def _due(rule: Rule, kind: RecordType, now: dt.datetime, limit: int) -> list[tuple[Any, dt.datetime]]:
    """The records whose moment came between the rule's switching on and ``now``, with it."""
    delta = dt.timedelta(days=rule.days)
    since = rule.activated_at or now
    name = "updated_at" if rule.trigger == Trigger.NO_ACTIVITY else rule.trigger_field
    if rule.trigger == Trigger.BEFORE_DATE:
        lower, upper, sign = since + delta, now + delta, -1
    else:
        lower, upper, sign = since - delta, now - delta, 1
    field = kind.model._meta.get_field(name)
    if isinstance(field, models.DateTimeField):
        bounds: tuple[Any, Any] = (lower, upper)
    else:
        bounds = (timezone.localdate(lower), timezone.localdate(upper))
    rows = list(
        kind.queryset()
        .filter(**{f"{name}__gt": bounds[0], f"{name}__lte": bounds[1]})
        .order_by(name, "pk")[:limit]
    )
    return [(record, _as_moment(getattr(record, name)) + sign * delta) for record in rows]


def time_rules_run(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Run every active time rule on the records whose moment has come; each (rule, record,
    moment) once. The number of runs made."""
    now = now or timezone.now()
    made = 0
    for rule in Rule.objects.filter(active=True, trigger__in=TIME_TRIGGERS).select_related("created_by"):
        kind = RECORD_TYPES.get(rule.record_type)
        if kind is None:
            continue
        due = _due(rule, kind, now, limit)
        done = set(
            Run.objects.filter(
                rule=rule, object_id__in=[record.pk for record, _moment in due], moment__isnull=False
            ).values_list("object_id", "moment")
        )
        for record, moment in due:
            if (record.pk, moment) in done:
                continue
            run = _new_run(rule, record, rule.trigger, moment)
            try:
                with transaction.atomic():
                    run.save()  # the claim: a second worker's insert of the same moment fails here
            except IntegrityError:
                continue
            if _guard(rule, record, 1, run):
                _execute(run, rule, record, 1)
            run.save()
            made += 1
    return made
