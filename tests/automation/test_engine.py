"""Automation rules: triggers, conditions, actions through the records' own services, the
loop guard, time triggers once per moment, and the dry run that writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peyvand.activities.models import Activity
from peyvand.automation.models import Rule, Run
from peyvand.automation.services import engine
from peyvand.automation.services.rules import RuleInput, rule_create, rule_from_template, rule_switch
from peyvand.core.models import AuditEvent, User
from peyvand.customers.models import PartyTag
from peyvand.customers.rules import PartyInput
from peyvand.customers.services.parties import party_update
from peyvand.interactions.models import OutboundMessage, WebhookDelivery, WebhookEndpoint
from peyvand.notifications.models import Notification
from peyvand.sales.models import Lead
from peyvand.sales.services.leads import lead_create, lead_update

pytestmark = pytest.mark.django_db


def _rule(actor: User, *, active: bool = True, **kwargs: Any) -> Rule:
    data = {"name": "r", "record_type": "lead", "trigger": "created", **kwargs}
    data.setdefault("actions", [{"type": "add_tag", "tag": "x"}])
    rule = rule_create(actor=actor, data=RuleInput(**data))
    return rule_switch(rule=rule, actor=actor, active=True) if active else rule


def _lead(actor: User | None, capture: Any, **data: Any) -> Lead:
    with capture(execute=True):
        return lead_create(actor=actor, data={"first_name": "سارا", "email": "sara@example.com", **data})


def test_greeting_template_assigns_and_greets_a_new_lead(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    admin = users["admin"]
    rule = rule_from_template(actor=admin, key="greet_new_leads")
    assert rule.active is False
    # Switched off, it does nothing.
    lead = _lead(admin, django_capture_on_commit_callbacks, last_name="Off")
    assert lead.owner is None and not Run.objects.exists()

    rule_switch(rule=rule, actor=admin, active=True)
    lead = _lead(admin, django_capture_on_commit_callbacks, last_name="رضایی")
    lead.refresh_from_db()
    assert lead.owner is not None and lead.owner.role in ("sales", "manager")
    message = OutboundMessage.objects.get(to_address="sara@example.com", channel="email")
    assert "سارا" in message.body_text and str(lead.owner) in message.body_text
    run = Run.objects.get(rule=rule)
    assert run.status == Run.Status.DONE and run.met
    assert [o["status"] for o in run.outcomes] == ["done", "done"]
    # The change went through the lead's service: audited as the rule's owner.
    assert AuditEvent.objects.filter(
        model="sales.lead", object_id=lead.pk, kind="update", actor=admin
    ).exists()

    # Round-robin: the next lead goes to the next person.
    second = _lead(admin, django_capture_on_commit_callbacks, last_name="دوم", email="b@example.com")
    second.refresh_from_db()
    assert second.owner_id != lead.owner_id
    # A lead created with an owner does not meet the condition: logged, nothing done.
    third = _lead(users["sales"], django_capture_on_commit_callbacks, last_name="سوم", email="c@example.com")
    run = Run.objects.get(rule=rule, object_id=third.pk)
    assert run.status == Run.Status.NOT_MET and run.outcomes == [] and run.note
    assert len(mail.outbox) >= 2


def test_conditions_typed_values_persian_digits_and_ops(users: dict[str, User]) -> None:
    admin = users["admin"]
    lead = lead_create(actor=admin, data={"first_name": "علي", "company": "كاشي", "phone": "09121234567"})
    rule = _rule(
        admin,
        active=False,
        conditions=[
            {"field": "score", "op": "greater", "value": "-۱"},
            {"field": "company", "op": "contains", "value": "کاشی"},  # Persian ک and ی match Arabic
            {"field": "email", "op": "empty", "value": ""},
            {"field": "source", "op": "equals", "value": "other"},
        ],
    )
    met, checks = engine.conditions_check(rule, lead)
    assert met, checks
    rule.conditions = [{"field": "score", "op": "less", "value": "۰"}]
    met, checks = engine.conditions_check(rule, lead)
    assert not met and checks[0]["met"] is False


@pytest.mark.parametrize(
    ("conditions", "actions", "error_key"),
    [
        ([{"field": "nope", "op": "equals", "value": "1"}], None, "conditions"),
        ([{"field": "score", "op": "greater", "value": "abc"}], None, "conditions"),
        ([{"field": "company", "op": "greater", "value": "1"}], None, "conditions"),
        ([], [], "actions"),
        ([], [{"type": "explode"}], "actions"),
        ([], [{"type": "set_field", "field": "score", "value": "3"}], "actions"),
        ([], [{"type": "send_email", "template": "999"}], "actions"),
        ([], [{"type": "assign", "mode": "user", "user": "۹۹۹"}], "actions"),
    ],
)
def test_rules_refuse_what_they_could_not_run(
    users: dict[str, User], conditions: list[Any], actions: list[Any] | None, error_key: str
) -> None:
    data: dict[str, Any] = {
        "name": "r",
        "record_type": "lead",
        "trigger": "created",
        "conditions": conditions,
    }
    data["actions"] = actions if actions is not None else [{"type": "add_tag", "tag": "x"}]
    with pytest.raises(ValidationError) as caught:
        rule_create(actor=users["admin"], data=RuleInput(**data))
    assert error_key in caught.value.message_dict
    assert not Rule.objects.exists()


def test_only_administrators_and_managers_write_rules(users: dict[str, User]) -> None:
    for name in ("sales", "support", "marketing", "readonly"):
        with pytest.raises(PermissionDenied):
            _rule(users[name])
    assert _rule(users["manager"]).pk


def test_field_changed_trigger_sets_a_field_and_the_loop_guard_stops_a_second_step(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    admin = users["admin"]
    lead = lead_create(actor=admin, data={"first_name": "a", "phone": "09121234567"})
    # Two rules that would set each other off for ever.
    one = _rule(
        admin,
        trigger="field_changed",
        trigger_field="city",
        actions=[{"type": "set_field", "field": "province", "value": "تهران"}],
    )
    two = _rule(
        admin,
        trigger="field_changed",
        trigger_field="province",
        actions=[{"type": "set_field", "field": "city", "value": "کرج"}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        lead_update(lead=lead, actor=admin, data={"city": "شیراز"})
    lead.refresh_from_db()
    assert lead.province == "تهران"  # rule one ran (depth 1)
    assert lead.city == "شیراز"  # rule two was stopped (depth 2)
    assert Run.objects.get(rule=one).status == Run.Status.DONE
    blocked = Run.objects.get(rule=two)
    assert blocked.status == Run.Status.BLOCKED and blocked.note


def test_hourly_cap_per_record(users: dict[str, User], django_capture_on_commit_callbacks: Any) -> None:
    admin = users["admin"]
    lead = lead_create(actor=admin, data={"first_name": "a", "phone": "09121234567"})
    rule = _rule(admin, trigger="changed", actions=[{"type": "notify", "to": "owner", "text": "t"}])
    for n in range(engine.HOURLY_CAP + 2):
        with django_capture_on_commit_callbacks(execute=True):
            lead_update(lead=lead, actor=admin, data={"city": f"c{n}"})
    statuses = list(Run.objects.filter(rule=rule).values_list("status", flat=True))
    assert statuses.count(Run.Status.BLOCKED) == 2
    assert len(statuses) == engine.HOURLY_CAP + 2


def test_actions_tag_activity_notify_webhook_sms_and_a_failure_does_not_stop_the_rest(
    users: dict[str, User], make_person: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    admin = users["admin"]
    endpoint = WebhookEndpoint.objects.create(
        name="h", url="https://hooks.example.com/x", events=[], secret="s"
    )
    rule = _rule(
        admin,
        record_type="person",
        trigger="changed",
        actions=[
            {"type": "add_tag", "tag": "VIP"},
            {"type": "create_activity", "kind": "call", "title": "Call them", "days": "۲"},
            {"type": "set_field", "field": "first_name", "value": "x" * 150},  # refused by the service
            {"type": "notify", "to": "owner", "text": "look"},
            {"type": "webhook", "webhook": endpoint.pk},
        ],
    )
    person = make_person()
    with django_capture_on_commit_callbacks(execute=True):
        party_update(party=person, actor=admin, data=PartyInput(last_name="نو"))
    # The tag the rule added changed the person again: that run was stopped by the loop guard.
    assert Run.objects.filter(rule=rule, status=Run.Status.BLOCKED).exists()
    run = Run.objects.exclude(status=Run.Status.BLOCKED).get(rule=rule)
    assert [o["status"] for o in run.outcomes] == ["done", "done", "failed", "done", "done"]
    assert run.status == Run.Status.PARTLY and run.outcomes[2]["detail"]
    assert PartyTag.objects.filter(party=person, tag__name="VIP").exists()
    activity = Activity.objects.get(title="Call them")
    assert activity.assignee == users["sales"] and activity.party == person
    assert activity.due_at.date() >= (timezone.now() + dt.timedelta(days=1)).date()
    assert Notification.objects.filter(recipient=users["sales"], kind="automation_rule").exists()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event == "automation.rule" and f'"id":{person.pk}' in delivery.body


def test_test_on_a_record_writes_nothing(users: dict[str, User]) -> None:
    admin = users["admin"]
    rule = rule_from_template(actor=admin, key="greet_new_leads")
    lead = lead_create(actor=admin, data={"first_name": "a", "email": "a@example.com"})
    before = (
        Lead.objects.get(pk=lead.pk).owner_id,
        OutboundMessage.objects.count(),
        AuditEvent.objects.count(),
        Run.objects.count(),
    )
    run = engine.rule_test(rule=rule, record=lead, actor=admin)
    assert run.pk is None and run.met
    assert [o["status"] for o in run.outcomes] == ["done", "done"]
    assert "a@example.com" in run.outcomes[1]["detail"]
    after = (
        Lead.objects.get(pk=lead.pk).owner_id,
        OutboundMessage.objects.count(),
        AuditEvent.objects.count(),
        Run.objects.count(),
    )
    assert after == before
    with pytest.raises(PermissionDenied):
        engine.rule_test(rule=rule, record=lead, actor=users["readonly"])


def test_time_trigger_runs_once_per_record_and_moment(users: dict[str, User]) -> None:
    admin = users["admin"]
    lead = lead_create(actor=admin, data={"first_name": "a", "phone": "09121234567"})
    rule = _rule(
        admin,
        trigger="after_date",
        trigger_field="created_at",
        days="۳",
        actions=[{"type": "set_field", "field": "city", "value": "قم"}],
    )
    # Switched on three days before the moment, so the lead's moment (created + 3 days) counts.
    Rule.objects.filter(pk=rule.pk).update(activated_at=lead.created_at - dt.timedelta(minutes=1))
    assert engine.time_rules_run(now=timezone.now()) == 0  # not yet
    later = timezone.now() + dt.timedelta(days=3, hours=1)
    assert engine.time_rules_run(now=later) == 1
    assert engine.time_rules_run(now=later + dt.timedelta(hours=1)) == 0  # once only
    lead.refresh_from_db()
    assert lead.city == "قم"
    run = Run.objects.get(rule=rule)
    assert run.moment is not None and run.status == Run.Status.DONE


def test_least_loaded_assignment_picks_the_team_member_with_fewest_open_records(
    users: dict[str, User], team_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = users["admin"]
    for _n in range(2):
        lead_create(actor=admin, data={"first_name": "x", "phone": "09121234567", "owner": users["sales"]})
    lead_create(actor=admin, data={"first_name": "y", "phone": "09121234567", "owner": users["manager"]})
    _rule(
        admin,
        conditions=[{"field": "owner", "op": "empty", "value": ""}],
        actions=[{"type": "assign", "mode": "least_loaded", "team": str(team_a.pk)}],
    )
    lead = _lead(admin, django_capture_on_commit_callbacks, last_name="z")
    lead.refresh_from_db()
    assert lead.owner == users["sales2"]  # none open; sales has two, the manager one


def test_no_activity_trigger_counts_from_the_last_change(users: dict[str, User]) -> None:
    admin = users["admin"]
    lead = lead_create(actor=admin, data={"first_name": "a", "phone": "09121234567"})
    rule = _rule(
        admin,
        trigger="no_activity",
        days="7",
        actions=[{"type": "notify", "to": str(users["manager"].pk), "text": "quiet lead"}],
    )
    Rule.objects.filter(pk=rule.pk).update(activated_at=lead.updated_at - dt.timedelta(minutes=1))
    assert engine.time_rules_run(now=timezone.now() + dt.timedelta(days=6)) == 0
    assert engine.time_rules_run(now=timezone.now() + dt.timedelta(days=8)) == 1
    assert Notification.objects.filter(recipient=users["manager"], kind="automation_rule").count() == 1
