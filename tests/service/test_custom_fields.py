"""Custom fields on tickets: the form (Persian digits, Jalali dates, required), the ticket's
page, the list's filters, columns and sort, the API's ``custom`` object and the policy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from peyvand.core.custom_fields import Entity
from peyvand.service.models import Ticket
from peyvand.service.selectors.tickets import ticket_list
from peyvand.service.services import tickets

from ..sales.test_custom_fields import (
    PERSIAN,
    STORED,
    api_for,
    assert_custom_errors,
    client_for,
    define_fields,
)

pytestmark = pytest.mark.django_db


def test_the_ticket_form_takes_persian_digits_and_jalali_dates_and_the_page_shows_them(
    admin, users, customer
):
    define_fields(admin, Entity.TICKET)
    client = client_for(users["support"], "fa")
    form = {"party": customer.pk, "subject": "خرابی", "channel": "phone", "kind": "question", "priority": "2"}
    refused = client.post("/tickets/new/", form)
    assert refused.context["form"].errors["cf_budget"] == ["این فیلد الزامی است."]
    response = client.post("/tickets/new/", form | PERSIAN)
    assert response.status_code == 302, response.context["form"].errors
    ticket = Ticket.objects.get(subject="خرابی")
    assert ticket.custom == STORED
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert ">۱۴۰۳/۰۵/۱۲<" in page and ">بزرگ<" in page and ">۱,۲۵۰,۰۰۰<" in page


def test_a_channels_ticket_needs_no_required_custom_value(admin, customer):
    define_fields(admin, Entity.TICKET)
    ticket = tickets.ticket_open_system(
        party=customer, data=tickets.TicketInput(subject="ایمیل"), body="سلام"
    )
    assert ticket.custom == {}


def test_the_service_checks_types_and_keeps_what_was_not_given(admin, users, open_ticket, english):
    define_fields(admin, Entity.TICKET)
    ticket = open_ticket(custom={"budget": "۳۰۰", "visit": "1403/01/01"})
    assert ticket.custom == {"budget": "300", "visit": "2024-03-20"}
    with pytest.raises(ValidationError) as refused:
        tickets.ticket_update(
            ticket=ticket,
            actor=users["support"],
            data=tickets.TicketInput(custom={"size": "x", "budget": ""}),
        )
    assert refused.value.message_dict == {
        "custom.size": ["“x” is not one of the options."],
        "custom.budget": ["This field is required."],
    }
    tickets.ticket_update(
        ticket=ticket, actor=users["support"], data=tickets.TicketInput(custom={"size": "small"})
    )
    ticket.refresh_from_db()
    assert ticket.custom == {"budget": "300", "visit": "2024-03-20", "size": "small"}


def test_the_ticket_list_filters_and_sorts_by_custom_fields(admin, users, open_ticket):
    define_fields(admin, Entity.TICKET)
    for subject, visit, size, budget in (
        ("یکم", "2024-01-10", "small", "900"),
        ("دوم", "2024-03-01", "large", "20000"),
        ("سوم", "2024-05-20", "large", "5"),
    ):
        open_ticket(subject=subject, custom={"visit": visit, "size": size, "budget": budget})
    client = client_for(admin, "fa")
    page = client.get("/tickets/", {"view": "all", "cf_size": "large", "cf_visit_from": "۱۴۰۲/۱۲/۰۱"})
    body = page.content.decode()
    assert 'data-testid="custom-column-cf_visit"' in body
    assert "دوم" in body and "سوم" in body and "یکم" not in body
    by_budget = ticket_list(user=admin, filters={"view": "all"}, sort="-cf_budget", limit=2)
    assert [t.subject for t in by_budget] == ["دوم", "یکم"]
    rest = ticket_list(user=admin, filters={"view": "all"}, sort="-cf_budget", cursor=by_budget.next_cursor)
    assert [t.subject for t in rest] == ["سوم"]
    # The API reads the same filters and sort.
    api = api_for(admin)
    listed = api.get("/tickets", {"view": "all", "cf_size": "large", "sort": "-cf_budget"}).json()["items"]
    assert [t["subject"] for t in listed] == ["دوم", "سوم"]
    assert_custom_errors(api.get("/tickets", {"view": "all", "cf_budget_from": "lots"}), {"cf_budget_from"})


def test_the_ticket_api_reads_and_writes_the_custom_object_through_the_policy(
    admin, users, customer, open_ticket
):
    define_fields(admin, Entity.TICKET)
    api = api_for(users["support"])
    created = api.post(
        "/tickets",
        {
            "party_id": customer.pk,
            "subject": "API",
            "assignee_id": users["support"].pk,
            "custom": {"budget": "1,000", "visit": "1403/05/12"},
        },
    )
    assert created.status_code == 201, created.content
    ticket_id = created.json()["id"]
    assert created.json()["custom"] == {"budget": "1000", "visit": "2024-08-02"}
    assert_custom_errors(
        api.patch(f"/tickets/{ticket_id}", {"custom": {"visit": "1403/12/31"}}), {"custom.visit"}
    )
    assert (
        api.patch(f"/tickets/{ticket_id}", {"custom": {"size": "بزرگ"}}).json()["custom"]["size"] == "large"
    )
    assert_custom_errors(api.post("/tickets", {"party_id": customer.pk, "subject": "B"}), {"custom.budget"})
    # A sales user of another team does not see a ticket assigned in team A, nor its values.
    outsider = api_for(users["outsider"])
    assert outsider.get(f"/tickets/{ticket_id}").status_code == 404
    assert all(t["id"] != ticket_id for t in outsider.get("/tickets", {"view": "all"}).json()["items"])
