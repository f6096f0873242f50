"""Public request forms: a visitor's request opens a ticket for the customer their email or
phone finds (or a new suspect), acknowledged by email through the outbox; the spam protection
(honeypot, signed token with a time check, rate limit per address); the administrator's pages
and API."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from peyvand.customers.models import ContactPoint, Party
from peyvand.interactions.models import Interaction, OutboundMessage
from peyvand.service.models import Category, Message, Ticket, TicketWebForm
from peyvand.service.services import routing, webforms

from .conftest import EMAIL

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def generous_limit(monkeypatch):
    monkeypatch.setenv("PEYVAND_WEBFORM_LIMIT", "100")


@pytest.fixture
def web_form(users, team_a):
    return webforms.web_form_save(
        actor=users["admin"],
        data=webforms.WebFormInput(
            name="پشتیبانی سایت",
            title="درخواست پشتیبانی",
            kind="request",
            category=Category.objects.order_by("order").first(),
            team=team_a,
        ),
    )


def post(web_form, client=None, *, age=10, **fields):
    """Send the form as a visitor who opened the page ``age`` seconds ago."""
    data = {"subject": "مودم کار نمی‌کند", "message": "از دیروز چراغ قرمز است.\nکمک کنید.", **fields}
    data.setdefault("token", webforms.form_token(web_form, now=time.time() - age))
    return (client or Client()).post(reverse("service:request_form", args=[web_form.key]), data)


def test_a_known_customers_request_opens_a_ticket_and_is_acknowledged_by_email(web_form, customer, settings):
    settings.PEYVAND_SUPPORT_EMAIL = "support@zarrindaneh.example"
    response = post(web_form, Client(enforce_csrf_checks=True), email="MARYAM@example.com")
    assert response.status_code == 200 and 'data-testid="thanks"' in response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.party == customer and ticket.channel == "web" and ticket.kind == "request"
    assert (ticket.team, ticket.category, ticket.language) == (web_form.team, web_form.category, "fa")
    first = ticket.messages.get(kind=Message.Kind.CUSTOMER)
    assert first.body == "از دیروز چراغ قرمز است.\nکمک کنید." and first.interaction.channel == "website"
    ack = OutboundMessage.objects.get()
    assert ack.to_address == EMAIL and ack.purpose == "transactional" and ticket.number in ack.subject
    assert ack.reply_to == "support@zarrindaneh.example" and ticket.number in ack.body_text
    acknowledged = ticket.messages.get(kind=Message.Kind.REPLY)
    assert acknowledged.outbound == ack and acknowledged.author is None and acknowledged.message_id
    assert ticket.first_responded_at is None  # an acknowledgement is not an answer
    assert Party.objects.count() == 1  # no duplicate


def test_an_unknown_visitor_becomes_a_suspect_with_both_contacts_and_rules_route_the_ticket(
    web_form, users, team_a
):
    routing.assignment_rule_save(actor=users["admin"], data=routing.RuleInput(team=team_a))
    response = post(web_form, name="سارا نادری", email="sara@example.com", phone="۰۹۱۲ ۳۳۳ ۴۴۵۵")
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    party = ticket.party
    assert party.display_name == "سارا نادری" and party.source == "website"
    assert set(party.contact_points.values_list("kind", "value")) == {
        (ContactPoint.Kind.EMAIL, "sara@example.com"),
        (ContactPoint.Kind.PHONE, "+989123334455"),
    }
    assert ticket.assignee == users["support"]
    response = post(web_form, phone="09123334455")  # found again by the phone alone
    assert Ticket.objects.count() == 2 and Ticket.objects.order_by("id").last().party == party
    assert OutboundMessage.objects.count() == 1  # no email to acknowledge to the second time


def test_bots_are_thanked_and_nothing_is_written(web_form, customer):
    response = post(web_form, email=EMAIL, website="http://spam.example")
    assert response.status_code == 200 and 'data-testid="thanks"' in response.content.decode()
    response = post(web_form, email=EMAIL, age=0)  # faster than anyone types
    assert response.status_code == 200 and 'data-testid="thanks"' in response.content.decode()
    assert not Ticket.objects.exists() and not Interaction.objects.exists()


def test_bad_tokens_and_bad_fields_are_said_and_what_was_typed_is_kept(web_form, customer, make_person):
    for token in ("", "forged", webforms.form_token(web_form, now=time.time() - 2 * 24 * 3600)):
        response = post(web_form, email=EMAIL, token=token)
        assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    other = TicketWebForm.objects.create(name="x", key="other-key", title="x")
    response = post(web_form, email=EMAIL, token=webforms.form_token(other, now=time.time() - 10))
    assert response.status_code == 400
    response = post(web_form, subject="", message="", email="not-an-address", phone="123")
    html = response.content.decode()
    assert response.status_code == 400 and html.count("invalid-feedback") >= 4
    assert 'value="not-an-address"' in html
    response = post(web_form, email="", phone="")
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    assert not Ticket.objects.exists() and Party.objects.count() == 1


def test_an_address_sending_too_many_is_slowed_down(web_form, customer, monkeypatch):
    monkeypatch.setenv("PEYVAND_WEBFORM_LIMIT", "2")
    assert post(web_form, email=EMAIL).status_code == 200
    assert post(web_form, email=EMAIL).status_code == 200
    response = post(web_form, email=EMAIL)
    assert response.status_code == 429
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_public_page_speaks_the_forms_language_and_may_be_framed(web_form, users, language):
    web_form.language = language
    web_form.save()
    response = Client().get(reverse("service:request_form", args=[web_form.key]))
    html = response.content.decode()
    assert response.status_code == 200 and f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "fa")
    assert 'name="token"' in html and 'name="website"' in html
    assert "frame-ancestors" not in response.headers["Content-Security-Policy"]
    web_form.active = False
    web_form.save()
    assert Client().get(reverse("service:request_form", args=[web_form.key])).status_code == 404
    assert Client().get(reverse("service:request_form", args=["x" * 50])).status_code == 404


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_administrators_pages(as_user, team_a, language):
    client = as_user("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("service:web_form_create"),
        {
            "name": "فرم",
            "title": "درخواست",
            "language": "en",
            "kind": "incident",
            "team": team_a.pk,
            "active": "on",
        },
    )
    form = TicketWebForm.objects.get()
    assert response.status_code == 302 and (form.language, form.kind, form.team) == ("en", "incident", team_a)
    page = client.get(reverse("service:web_form_edit", args=[form.pk])).content.decode()
    assert f'lang="{language}"' in page and form.key in page and "iframe" in page
    assert form.name in client.get(reverse("service:web_forms")).content.decode()
    response = client.post(
        reverse("service:web_form_edit", args=[form.pk]), {"name": "", "title": "x", "language": "de"}
    )
    assert response.status_code == 422
    form.refresh_from_db()
    assert form.name == "فرم"
    for name in ("support", "manager"):
        assert as_user(name).get(reverse("service:web_forms")).status_code == 403
        assert (
            as_user(name).post(reverse("service:web_form_create"), {"name": "x", "title": "y"}).status_code
            == 403
        )
    assert TicketWebForm.objects.count() == 1


def test_request_forms_through_the_api(api_as, team_a):
    api = api_as("admin")
    created = api.post("/ticket-web-forms", {"name": "سایت", "title": "درخواست", "team_id": team_a.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"].endswith(f"/support/{body['key']}/") and body["team"]["name"] == "Team A"
    changed = api.patch(f"/ticket-web-forms/{body['id']}", {"active": False, "team_id": None})
    assert changed.status_code == 200 and changed.json()["active"] is False and changed.json()["team"] is None
    bad = api.post("/ticket-web-forms", {"name": "", "title": "x", "category_id": 999999})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "category_id"
    bad = api.post("/ticket-web-forms", {"name": " ", "title": "x"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "name"
    assert api_as("support").get("/ticket-web-forms").status_code == 403
    assert [f["id"] for f in api.get("/ticket-web-forms").json()] == [body["id"]]
