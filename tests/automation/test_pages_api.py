"""Automation pages and API: who reaches them, the form's validation (Persian digits, bad
input, no 500), the list's filters and pages, switching on, the dry run, the run log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peyvand.automation.models import Rule, Run
from peyvand.automation.services.rules import RuleInput, rule_create, rule_from_template
from peyvand.core.models import User
from peyvand.interactions.models import OutboundMessage
from peyvand.sales.models import Lead
from peyvand.sales.services.leads import lead_create

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("manager", 200),
        ("sales", 403),
        ("support", 403),
        ("marketing", 403),
        ("readonly", 403),
    ],
)
def test_only_administrators_and_managers_reach_the_pages_and_the_api(
    users: dict[str, User], role: str, status: int
) -> None:
    rule = rule_from_template(actor=users["admin"], key="greet_new_leads")
    client = _client(users[role])
    for url in (
        reverse("automation:rule_list"),
        reverse("automation:rule_create"),
        reverse("automation:rule_detail", args=[rule.pk]),
        reverse("automation:rule_test", args=[rule.pk]),
    ):
        assert client.get(url).status_code == status, url
    assert client.get("/api/v1/automation/rules").status_code == status
    response = client.post(reverse("automation:rule_switch", args=[rule.pk]), {"active": "on"})
    assert response.status_code == (302 if status == 200 else 403)
    rule.refresh_from_db()
    assert rule.active is (status == 200)


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Qualified leads get a call",
        "record_type": "lead",
        "trigger": "field_changed",
        "trigger_field": "lead.stage",
        "trigger_value": "qualified",
        "days": "",
        "conditions-TOTAL_FORMS": "1",
        "conditions-INITIAL_FORMS": "0",
        "conditions-0-field": "lead.score",
        "conditions-0-op": "greater",
        "conditions-0-value": "۱۰",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-0-type": "create_activity",
        "actions-0-kind": "call",
        "actions-0-title": "تماس با سرنخ",
        "actions-0-due_days": "۲",
        "actions-0-mode": "user",
        "actions-0-to": "",
        "actions-1-type": "add_tag",
        "actions-1-tag": "گرم",
        "actions-1-mode": "user",
    }
    data.update(overrides)
    return data


def test_the_form_saves_a_rule_with_persian_digits_and_it_starts_switched_off(users: dict[str, User]) -> None:
    client = _client(users["manager"])
    response = client.post(reverse("automation:rule_create"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get()
    assert rule.active is False and rule.trigger_field == "stage" and rule.trigger_value == "qualified"
    assert rule.conditions == [{"field": "score", "op": "greater", "value": "10"}]
    assert rule.actions[0] == {"type": "create_activity", "kind": "call", "title": "تماس با سرنخ", "days": 2}
    page = client.get(reverse("automation:rule_detail", args=[rule.pk]))
    assert "تماس با سرنخ" in page.content.decode()
    # The form opens again with what was saved, and saves it unchanged.
    edit = client.get(reverse("automation:rule_edit", args=[rule.pk]))
    assert edit.status_code == 200 and 'value="lead.score" selected' in edit.content.decode()


@pytest.mark.parametrize(
    "overrides",
    [
        {"conditions-0-value": "ده"},  # not a number
        {"trigger_field": "deal.stage"},  # another kind's field
        {"record_type": "planet"},
        {"actions-0-type": "", "actions-1-type": ""},  # no action
        {"actions-0-due_days": "-3"},
        {"conditions-TOTAL_FORMS": "x"},  # a broken formset
        {"name": "ي" * 101},
        {"trigger": "after_date", "days": "۰"},
    ],
)
def test_the_form_refuses_bad_input_with_errors_not_a_500(users: dict[str, User], overrides: dict) -> None:
    response = _client(users["admin"]).post(reverse("automation:rule_create"), _form(**overrides))
    assert response.status_code in (200, 422)
    assert not Rule.objects.exists()


def test_the_list_filters_sorts_and_pages_in_few_queries(
    users: dict[str, User], django_assert_max_num_queries: Any
) -> None:
    admin = users["admin"]
    for n in range(30):
        rule_create(
            actor=admin,
            data=RuleInput(
                name=f"rule {n:02}",
                record_type="deal" if n % 2 else "lead",
                trigger="created",
                actions=[{"type": "notify", "to": "owner", "text": "hi"}],
            ),
        )
    client = _client(admin)
    client.get(reverse("automation:rule_list"))
    with django_assert_max_num_queries(12):
        first = client.get(reverse("automation:rule_list"), {"sort": "-name"})
    body = first.content.decode()
    assert "rule 29" in body and "rule 00" not in body and 'rel="next"' in body
    filtered = client.get(
        reverse("automation:rule_list"), {"record_type": "deal", "q": "rule 1"}
    ).content.decode()
    assert "rule 11" in filtered and "rule 10" not in filtered
    assert client.get(reverse("automation:rule_list"), {"cursor": "garbage"}).status_code == 302


def test_test_page_and_switching_on_then_the_run_log(
    users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    admin = users["admin"]
    rule = rule_from_template(actor=admin, key="greet_new_leads")
    lead = lead_create(actor=admin, data={"first_name": "نیما", "email": "nima@example.com"})
    client = _client(admin)
    found = client.get(reverse("automation:rule_test", args=[rule.pk]), {"q": "نیما"}).content.decode()
    assert "نیما" in found
    result = client.post(reverse("automation:rule_test", args=[rule.pk]), {"record": lead.pk})
    assert result.status_code == 200 and "nima@example.com" in result.content.decode()
    assert Lead.objects.get(pk=lead.pk).owner_id is None and not Run.objects.exists()
    assert (
        client.post(reverse("automation:rule_test", args=[rule.pk]), {"record": "۹۹۹۹۹"}).status_code == 404
    )

    client.post(reverse("automation:rule_switch", args=[rule.pk]), {"active": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        new = lead_create(actor=admin, data={"first_name": "مینا", "email": "mina@example.com"})
    detail = reverse("automation:rule_detail", args=[rule.pk])
    log = client.get(detail, {"status": "done"}).content.decode()
    assert "مینا" in log and 'data-testid="run-row"' in log
    empty = client.get(
        reverse("automation:rule_detail", args=[rule.pk]), {"status": "failed"}
    ).content.decode()
    assert 'data-testid="run-row"' not in empty
    # The greeting to a lead (no customer yet) is in the outbox, and may be sent again from there.
    outbox = client.get(reverse("outbox")).content.decode()
    assert "mina@example.com" in outbox
    greeting = OutboundMessage.objects.get(to_address="mina@example.com")
    OutboundMessage.objects.filter(pk=greeting.pk).update(status="failed")
    again = client.post(reverse("outbound_retry", args=[greeting.pk]))
    assert again.status_code == 302 and again.url == reverse("outbox")
    runs = client.get(f"/api/v1/automation/rules/{rule.pk}/runs", {"record_id": new.pk}).json()
    assert [r["object_id"] for r in runs["items"]] == [new.pk]


def test_api_writes_tests_and_switches_rules(users: dict[str, User]) -> None:
    client = _client(users["admin"])
    body = {
        "name": "Urgent tickets",
        "record_type": "ticket",
        "trigger": "created",
        "conditions": [{"field": "priority", "op": "equals", "value": "4"}],
        "actions": [{"type": "notify", "to": "owner", "text": "urgent"}],
    }
    created = client.post("/api/v1/automation/rules", json.dumps(body), content_type="application/json")
    assert created.status_code == 201 and created.json()["active"] is False
    rule_id = created.json()["id"]
    bad = client.post(
        "/api/v1/automation/rules",
        json.dumps({**body, "actions": [{"type": "explode"}]}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert client.post("/api/v1/automation/rules", "{bad", content_type="application/json").status_code in (
        400,
        422,
    )
    switched = client.post(
        f"/api/v1/automation/rules/{rule_id}/switch",
        json.dumps({"active": True}),
        content_type="application/json",
    )
    assert switched.status_code == 200 and switched.json()["active"] is True
    templated = client.post(
        "/api/v1/automation/rules/from-template",
        json.dumps({"template": "greet_new_leads"}),
        content_type="application/json",
    )
    lead = lead_create(actor=users["admin"], data={"first_name": "x", "email": "x@example.com"})
    tested = client.post(
        f"/api/v1/automation/rules/{templated.json()['id']}/test",
        json.dumps({"record_id": lead.pk}),
        content_type="application/json",
    )
    assert tested.status_code == 200 and tested.json()["met"] is True and tested.json()["id"] is None
    assert client.delete(f"/api/v1/automation/rules/{rule_id}").status_code == 204
    assert not Rule.objects.filter(pk=rule_id).exists()
