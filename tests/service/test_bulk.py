"""Bulk actions on the ticket list: each ticked ticket the user may change gets the change
(through the same update as one ticket: clocks, audit, notifications), the rest are counted as
skipped; a bad value changes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from peyvand.core.models import AuditEvent
from peyvand.service.models import Priority, Status, Ticket
from peyvand.service.services import tickets

pytestmark = pytest.mark.django_db


def test_the_change_reaches_only_the_tickets_the_user_may_change(open_ticket, users, team_b):
    queued = [open_ticket(), open_ticket()]
    theirs = open_ticket(actor="admin", assignee=users["outsider"])
    result = tickets.ticket_bulk_update(
        actor=users["support"],
        ticket_ids=[t.pk for t in (*queued, theirs)] + [999999],
        data=tickets.TicketInput(priority=Priority.URGENT),
    )
    assert (result.changed, result.skipped) == (2, 2)
    assert set(Ticket.objects.filter(priority=Priority.URGENT).values_list("pk", flat=True)) == {
        t.pk for t in queued
    }
    # Each as one change: its own audit event and the SLA policy its new priority brings.
    assert AuditEvent.objects.filter(model="service.ticket", kind=AuditEvent.Kind.UPDATE).count() == 2
    assert {t.sla_policy.priority for t in Ticket.objects.filter(pk__in=[t.pk for t in queued])} == {4}
    result = tickets.ticket_bulk_update(
        actor=users["support"],
        ticket_ids=[t.pk for t in queued],
        data=tickets.TicketInput(assignee=users["support"], team=team_b),
    )
    assert result.changed == 2
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in queued]).values_list("status", flat=True)) == {
        Status.OPEN
    }


def test_a_bad_value_or_a_forbidden_assignee_refuses_them_all(open_ticket, users):
    ticket = open_ticket()
    with pytest.raises(ValidationError):
        tickets.ticket_bulk_update(
            actor=users["support"], ticket_ids=[ticket.pk], data=tickets.TicketInput(status="lost")
        )
    with pytest.raises(ValidationError):
        tickets.ticket_bulk_update(
            actor=users["support"],
            ticket_ids=[ticket.pk],
            data=tickets.TicketInput(assignee=users["outsider"]),
        )
    with pytest.raises(ValidationError):
        tickets.ticket_bulk_update(
            actor=users["support"], ticket_ids=[ticket.pk], data=tickets.TicketInput(subject="x")
        )
    with pytest.raises(ValidationError):
        tickets.ticket_bulk_update(
            actor=users["support"], ticket_ids=[], data=tickets.TicketInput(priority=1)
        )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.subject) == (Status.NEW, None, "سفارش نرسیده")


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_list_bulk_bar(as_user, open_ticket, users, language):
    mine = [open_ticket(), open_ticket()]
    theirs = open_ticket(actor="admin", assignee=users["outsider"])
    client = as_user("support")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("service:ticket_list"))
    html = page.content.decode()
    assert 'data-testid="bulk-bar"' in html and f'name="ids" value="{mine[0].pk}"' in html
    back = reverse("service:ticket_list") + "?view=all"
    ids = [t.pk for t in (*mine, theirs)]
    response = client.post(
        reverse("service:ticket_bulk"), {"ids": ids, "action": "status", "status": "resolved", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    assert list(Ticket.objects.filter(status=Status.RESOLVED).order_by("pk")) == mine
    shown = [str(m) for m in client.get(back).context["messages"]]
    assert any("1" in m or "۱" in m for m in shown) and len(shown) == 2  # changed 2, skipped 1
    response = client.post(
        reverse("service:ticket_bulk"),
        {"ids": ids, "action": "assign", "assignee": str(users["support"].pk), "next": "//evil.example/"},
    )
    assert response["Location"] == reverse("service:ticket_list")
    assert Ticket.objects.filter(assignee=users["support"]).count() == 2
    for bad in (
        {"ids": ids, "action": "priority"},
        {"ids": ids, "action": "assign", "assignee": "999999"},
        {"ids": ids, "action": "team", "team": "abc"},
        {"action": "status", "status": "open"},
    ):
        response = client.post(reverse("service:ticket_bulk"), bad)
        assert response.status_code == 302
    assert not Ticket.objects.filter(status=Status.OPEN).exclude(pk=theirs.pk).exists()
    assert Ticket.objects.get(pk=theirs.pk).status == Status.OPEN
    # Readonly users get no bar, and their bulk posts change nothing.
    assert (
        'data-testid="bulk-bar"'
        not in as_user("readonly").get(reverse("service:ticket_list")).content.decode()
    )
    as_user("readonly").post(
        reverse("service:ticket_bulk"), {"ids": ids, "action": "priority", "priority": 4}
    )
    assert not Ticket.objects.filter(priority=4).exists()


def test_bulk_changes_through_the_api(api_as, open_ticket, users):
    mine, theirs = open_ticket(), open_ticket(actor="admin", assignee=users["outsider"])
    api = api_as("support")
    response = api.post("/tickets/bulk", {"ids": [mine.pk, theirs.pk], "priority": 3, "status": "open"})
    assert response.status_code == 200 and response.json() == {"changed": 1, "skipped": 1}
    mine.refresh_from_db()
    assert (mine.priority, mine.status) == (3, "open")
    response = api.post("/tickets/bulk", {"ids": [mine.pk], "assignee_id": users["outsider"].pk})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "assignee"
    response = api.post("/tickets/bulk", {"ids": [], "priority": 1})
    assert response.status_code == 422
    response = api.post("/tickets/bulk", {"ids": [mine.pk], "team_id": 999999})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "team_id"
    mine.refresh_from_db()
    assert mine.assignee is None and mine.team is None
