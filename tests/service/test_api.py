"""The desk through the API: the same services and policy as the pages."""

from __future__ import annotations

import pytest

from peyvand.interactions.models import OutboundMessage
from peyvand.service.models import Message, Ticket

from .conftest import EMAIL

pytestmark = pytest.mark.django_db


def test_open_list_change_and_answer_a_ticket(api_as, customer, users):
    api = api_as("support")
    response = api.post(
        "/tickets",
        {
            "party_id": customer.pk,
            "subject": "کالای خراب",
            "kind": "complaint",
            "priority": 3,
            "description": "شکسته",
        },
    )
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["number"] == "T-000001" and ticket["kind"] == "complaint" and ticket["assignee"] is None
    assert ticket["first_response_due"] is not None
    listed = api.get("/tickets", {"view": "unassigned"}).json()["items"]
    assert [t["id"] for t in listed] == [ticket["id"]]
    changed = api.patch(f"/tickets/{ticket['id']}", {"assignee_id": users["support"].pk, "status": "open"})
    assert changed.status_code == 200 and changed.json()["assignee"]["username"] == "support"
    reply = api.post(f"/tickets/{ticket['id']}/replies", {"body": "جایگزین ارسال شد", "to": EMAIL})
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    assert OutboundMessage.objects.get().subject.startswith("[#T-000001]")
    note = api.post(f"/tickets/{ticket['id']}/notes", {"body": "یادداشت داخلی"})
    assert note.status_code == 201
    thread = api.get(f"/tickets/{ticket['id']}/messages").json()
    assert [m["kind"] for m in thread] == ["customer", "reply", "note"]


def test_bad_bodies_are_field_errors_and_write_nothing(api_as, customer):
    api = api_as("support")
    response = api.post("/tickets", {"party_id": customer.pk, "subject": "", "channel": "pigeon", "extra": 1})
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert {"channel", "extra"} <= fields
    response = api.post("/tickets", {"party_id": customer.pk, "subject": "x", "category_id": 999999})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "category_id"
    assert not Ticket.objects.exists()


def test_what_a_role_may_not_see_is_not_found_and_what_it_may_not_do_is_refused(api_as, open_ticket, users):
    ticket = open_ticket(actor="admin", assignee=users["outsider"])
    assert api_as("support").get(f"/tickets/{ticket.pk}").status_code == 404
    assert api_as("readonly").get("/tickets").json()["items"] == []
    response = api_as("readonly").post("/tickets", {"party_id": ticket.party_id, "subject": "x"})
    assert response.status_code in (403, 422)
    assert Ticket.objects.count() == 1
    response = api_as("support").post(f"/tickets/{ticket.pk}/notes", {"body": "x"})
    assert response.status_code == 404
    assert Message.objects.filter(kind=Message.Kind.NOTE).count() == 0


def test_the_list_pages_by_cursor_and_sorts(api_as, open_ticket):
    for i in range(5):
        open_ticket(subject=f"تیکت {i}")
    api = api_as("support")
    first = api.get("/tickets", {"limit": 2}).json()
    second = api.get("/tickets", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == len(second["items"]) == 2
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}
    oldest = api.get("/tickets", {"sort": "created", "limit": 1}).json()["items"][0]
    assert oldest["number"] == "T-000001"
