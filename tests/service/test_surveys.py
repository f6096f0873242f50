"""Satisfaction surveys: sent once when a ticket is resolved, answered once through a signed
link without signing in; a poor mark tells the assignee."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peyvand.interactions.models import OutboundMessage
from peyvand.notifications.models import Notification
from peyvand.service.models import Status, Survey
from peyvand.service.services import surveys, tickets

pytestmark = pytest.mark.django_db


def resolve(ticket, user):
    tickets.ticket_update(ticket=ticket, actor=user, data=tickets.TicketInput(status=Status.RESOLVED))


def test_resolving_sends_one_survey_by_email_with_a_signed_link(open_ticket, users, client):
    ticket = open_ticket(actor="admin", assignee=users["support"])
    resolve(ticket, users["support"])
    tickets.ticket_update(ticket=ticket, actor=users["support"], data=tickets.TicketInput(status=Status.OPEN))
    resolve(ticket, users["support"])  # resolved again: still one survey
    survey = Survey.objects.get()
    assert survey.kind == "csat" and survey.channel == "email"
    message = OutboundMessage.objects.get(pk=survey.outbound_id)
    assert surveys.survey_url(survey) in message.body_text and ticket.number in message.subject
    page = client.get(reverse("service:survey", args=[surveys.survey_token(survey)]))
    assert page.status_code == 200 and len(page.context["scale"]) == 5
    response = client.post(
        reverse("service:survey", args=[surveys.survey_token(survey)]), {"score": "2", "comment": "دیر شد"}
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (2, "دیر شد") and survey.answered_at is not None
    assert Notification.objects.get(kind="survey_poor").recipient == users["support"]
    again = client.post(reverse("service:survey", args=[surveys.survey_token(survey)]), {"score": "5"})
    assert again.status_code == 200 and "thanks" in again.content.decode()
    survey.refresh_from_db()
    assert survey.score == 2


def test_a_bad_link_or_mark_changes_nothing(open_ticket, users, client):
    ticket = open_ticket()
    survey = surveys.survey_send(ticket=ticket)
    assert client.get(reverse("service:survey", args=["not-a-token"])).status_code == 404
    response = client.post(reverse("service:survey", args=[surveys.survey_token(survey)]), {"score": "9"})
    assert response.status_code == 422
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_nps_on_demand_once_and_no_survey_without_an_address(open_ticket, users, as_user, make_person):
    ticket = open_ticket(actor="admin", assignee=users["support"])
    client = as_user("support")
    client.post(reverse("service:survey_ask", args=[ticket.pk]))
    client.post(reverse("service:survey_ask", args=[ticket.pk]))
    assert Survey.objects.filter(kind="nps").count() == 1
    nobody = make_person(first_name="بی‌نشانی")
    silent = tickets.ticket_open(
        actor=users["support"], data=tickets.TicketInput(party=nobody, subject="تماس تلفنی")
    )
    assert surveys.survey_send(ticket=silent) is None
