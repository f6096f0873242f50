"""Assignment rules: which rule takes a ticket opened without an assignee (by category, product,
type and team), whom it chooses (turns, fewest open tickets, a skill), from every channel, and
the rules' settings page and API (administrators only; bad input names its field and writes
nothing)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse

from peyvand.core.models import Role
from peyvand.interactions.services import inbound
from peyvand.sales.models import Product
from peyvand.service.models import AssignmentRule, Category, Skill, Status, Ticket
from peyvand.service.services import routing, tickets
from tests.conftest import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents(users, team_a, team_b):
    """Three support agents in team A (the users fixture's and two more) and one in team B."""
    return {
        "a1": users["support"],
        "a2": UserFactory(username="support2", role=Role.SUPPORT, team=team_a),
        "a3": UserFactory(username="support3", role=Role.SUPPORT, team=team_a),
        "b1": UserFactory(username="support_b", role=Role.SUPPORT, team=team_b),
    }


def rule(users, **fields):
    return routing.assignment_rule_save(actor=users["admin"], data=routing.RuleInput(**fields))


def test_a_ticket_opened_into_the_queue_takes_turns_among_the_teams_support_agents(
    open_ticket, users, agents, team_a
):
    rule(users, team=team_a)
    given = [open_ticket().assignee for _ in range(4)]
    assert given == [agents["a1"], agents["a2"], agents["a3"], agents["a1"]]
    first = Ticket.objects.order_by("id").first()
    assert first.team == team_a and first.status == Status.OPEN
    assert agents["a2"].notifications.filter(kind="ticket_assigned").count() == 1


def test_inactive_agents_and_other_roles_are_passed_over(open_ticket, users, agents, team_a):
    agents["a2"].is_active = False
    agents["a2"].save()
    rule(users, team=team_a)
    assert [open_ticket().assignee for _ in range(3)] == [agents["a1"], agents["a3"], agents["a1"]]


def test_the_first_matching_rule_in_order_decides_by_category_product_and_type(
    open_ticket, users, agents, team_a, team_b
):
    billing = Category.objects.order_by("order").first()
    product = Product.objects.create(sku="P-1", name_fa="روتر")
    rule(users, team=team_b, order=1, category=billing, kind="complaint")
    rule(users, team=team_b, order=2, product=product)
    rule(users, team=team_a, order=9)
    assert open_ticket(category=billing, kind="complaint").assignee == agents["b1"]
    assert open_ticket(category=billing, kind="question").assignee == agents["a1"]
    assert open_ticket(product=product).assignee == agents["b1"]
    # A ticket given to a team stays with it: only that team's rules apply.
    assert open_ticket(product=product, team=team_a).assignee == agents["a2"]


def test_a_skill_narrows_the_agents_and_a_team_without_one_passes_to_the_next_rule(
    open_ticket, users, agents, team_a, team_b
):
    english = routing.skill_save(
        actor=users["admin"], data=routing.SkillInput(name="English", agents=(agents["a3"],))
    )
    rule(users, team=team_a, order=1, kind="incident", skill=english)
    nobody = routing.skill_save(actor=users["admin"], data=routing.SkillInput(name="Welding"))
    rule(users, team=team_b, order=2, skill=nobody)
    rule(users, team=team_b, order=3)
    assert [open_ticket(kind="incident").assignee for _ in range(2)] == [agents["a3"], agents["a3"]]
    assert open_ticket().assignee == agents["b1"]  # the skilled rule of team B has nobody


def test_fewest_open_tickets_goes_to_the_least_loaded_agent(open_ticket, users, agents, team_a):
    for _ in range(2):
        open_ticket(actor="admin", assignee=agents["a1"])
    open_ticket(actor="admin", assignee=agents["a2"])
    closed = open_ticket(actor="admin", assignee=agents["a3"])
    tickets.ticket_update(ticket=closed, actor=users["admin"], data=tickets.TicketInput(status=Status.CLOSED))
    rule(users, team=team_a, method=AssignmentRule.Method.LEAST_OPEN)
    given = [open_ticket().assignee for _ in range(3)]
    # a3's only ticket is closed: it gets the first; then a2 and a3, each the least loaded in turn.
    assert given == [agents["a3"], agents["a2"], agents["a3"]]


def test_no_rule_or_no_agent_leaves_the_ticket_in_the_queue(open_ticket, users, team_b):
    assert open_ticket().assignee is None
    rule(users, team=team_b)  # team B has no support agent
    ticket = open_ticket()
    assert ticket.assignee is None and ticket.team is None and ticket.status == Status.NEW


def test_an_assignee_chosen_by_the_opener_is_kept(open_ticket, users, agents, team_a):
    rule(users, team=team_a)
    assert open_ticket(actor="admin", assignee=agents["a3"]).assignee == agents["a3"]
    assert open_ticket(actor="sales").assignee == users["sales"]  # who may not queue takes it


def test_rules_route_email_sms_and_api_tickets_too(customer, users, agents, team_a, settings, api_as):
    from email.message import EmailMessage

    rule(users, team=team_a)
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = ("maryam@example.com", "سلام", "<r1@x>")
    message.set_content("سفارش کجاست؟")
    settings.PEYVAND_ATTACHMENTS_DIR = django_settings.DATA_DIR / "test-attachments"
    inbound.email_receive(raw=message.as_bytes(), source="test")
    settings.PEYVAND_TICKETS_FROM_SMS = True
    inbound.sms_receive(sender="09121234567", text="سفارشم کجاست؟", key="r2")
    response = api_as("support").post("/tickets", {"party_id": customer.pk, "subject": "از API"})
    assert response.status_code == 201
    assert [(t.channel, t.assignee) for t in Ticket.objects.order_by("id")] == [
        ("email", agents["a1"]),
        ("sms", agents["a2"]),
        ("phone", agents["a3"]),
    ]
    assert response.json()["assignee"]["username"] == "support3"


def test_a_ticket_routed_to_another_team_sends_its_opener_back_to_the_list(as_user, customer, users, team_b):
    UserFactory(username="support_b", role=Role.SUPPORT, team=team_b)
    rule(users, team=team_b)
    response = as_user("support").post(
        reverse("service:ticket_create"),
        {
            "party": customer.pk,
            "subject": "برای تیم ب",
            "channel": "phone",
            "kind": "question",
            "priority": 2,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("service:ticket_list")
    assert Ticket.objects.get().team == team_b


# --- concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every writer already")
def test_tickets_routed_at_the_same_moment_take_consecutive_turns(users, agents, team_a, customer):
    """The second routing waits on the rule's lock and reads the turn the first one left."""
    the_rule = rule(users, team=team_a)
    chosen: dict[str, object] = {}
    locked, go = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                chosen["first"] = routing.ticket_route(Ticket(party=customer, subject="1"))
                locked.set()
                go.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            locked.wait(10)
            with transaction.atomic():
                chosen["second"] = routing.ticket_route(Ticket(party=customer, subject="2"))
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    locked.wait(10)
    # Let the first commit only once the second is waiting on the lock.
    with connection.cursor() as cursor:
        for _ in range(1000):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                break
            cursor.execute("SELECT pg_sleep(0.01)")
    go.set()
    for t in threads:
        t.join(10)
    assert (chosen["first"], chosen["second"]) == (agents["a1"], agents["a2"])
    the_rule.refresh_from_db()
    assert the_rule.last_user == agents["a2"]


# --- settings ----------------------------------------------------------------------------------


def test_only_administrators_change_rules_and_bad_rules_name_every_field(users, team_a):
    with pytest.raises(PermissionDenied):
        routing.assignment_rule_save(actor=users["manager"], data=routing.RuleInput(team=team_a))
    retired = Category.objects.create(name="قدیمی", active=False)
    data = routing.RuleInput(order=-1, category=retired, kind="whim", method="coin")
    with pytest.raises(ValidationError) as caught:
        routing.assignment_rule_save(actor=users["admin"], data=data)
    assert set(caught.value.message_dict) == {"team", "order", "category", "kind", "method"}
    assert not AssignmentRule.objects.exists()


def test_skills_have_unique_names_and_active_agents(users, agents):
    routing.skill_save(actor=users["admin"], data=routing.SkillInput(name="English"))
    with pytest.raises(ValidationError) as caught:
        routing.skill_save(actor=users["admin"], data=routing.SkillInput(name=" English "))
    assert "name" in caught.value.message_dict
    agents["a2"].is_active = False
    with pytest.raises(ValidationError) as caught:
        routing.skill_save(actor=users["admin"], data=routing.SkillInput(name="SQL", agents=(agents["a2"],)))
    assert "agents" in caught.value.message_dict
    assert Skill.objects.count() == 1


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_rules_pages_in_both_languages(as_user, users, agents, team_a, language):
    client = as_user("admin")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("service:skill_create"), {"name": "انگلیسی", "agents": [agents["a2"].pk]})
    assert response.status_code == 302
    skill = Skill.objects.get()
    response = client.post(
        reverse("service:rule_create"),
        {
            "order": 5,
            "team": team_a.pk,
            "kind": "incident",
            "skill": skill.pk,
            "method": "least_open",
            "active": "on",
        },
    )
    assert response.status_code == 302
    the_rule = AssignmentRule.objects.get()
    assert (the_rule.kind, the_rule.skill, the_rule.method) == ("incident", skill, "least_open")
    for url in (
        reverse("service:rules"),
        reverse("service:rule_create"),
        reverse("service:rule_edit", args=[the_rule.pk]),
        reverse("service:skill_edit", args=[skill.pk]),
        reverse("service:settings"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and f'lang="{language}"' in response.content.decode(), url
    html = client.get(reverse("service:rules")).content.decode()
    assert "انگلیسی" in html and str(agents["a2"]) in html
    response = client.post(
        reverse("service:rule_edit", args=[the_rule.pk]), {"order": "x", "method": "least_open"}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    the_rule.refresh_from_db()
    assert the_rule.order == 5
    for name in ("support", "manager"):
        assert as_user(name).get(reverse("service:rules")).status_code == 403
        assert as_user(name).post(reverse("service:rule_create"), {"team": team_a.pk}).status_code == 403
    assert AssignmentRule.objects.count() == 1


def test_rules_and_skills_through_the_api(api_as, users, agents, team_a):
    api = api_as("admin")
    skill = api.post("/ticket-skills", {"name": "English", "agent_ids": [agents["a1"].pk, agents["a2"].pk]})
    assert skill.status_code == 201, skill.content
    assert [a["username"] for a in skill.json()["agents"]] == ["support", "support2"]
    changed = api.patch(f"/ticket-skills/{skill.json()['id']}", {"agent_ids": [agents["a3"].pk]})
    assert [a["username"] for a in changed.json()["agents"]] == ["support3"]
    created = api.post(
        "/ticket-assignment-rules",
        {"team_id": team_a.pk, "kind": "incident", "skill_id": skill.json()["id"], "method": "least_open"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["team"]["name"] == "Team A" and body["skill"]["name"] == "English" and body["order"] == 10
    patched = api.patch(f"/ticket-assignment-rules/{body['id']}", {"kind": None, "active": False})
    assert patched.status_code == 200 and patched.json()["kind"] == "" and not patched.json()["active"]
    assert [r["id"] for r in api.get("/ticket-assignment-rules").json()] == [body["id"]]
    bad = api.post("/ticket-assignment-rules", {"team_id": 999999, "method": "coin"})
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} >= {"method"}
    bad = api.post("/ticket-assignment-rules", {"team_id": 999999})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "team_id"
    bad = api.post("/ticket-skills", {"name": "x", "agent_ids": [999999]})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "agent_ids"
    assert api_as("support").get("/ticket-assignment-rules").status_code == 403
    assert api_as("manager").post("/ticket-skills", {"name": "y"}).status_code == 403
    assert AssignmentRule.objects.count() == 1 and Skill.objects.count() == 1
