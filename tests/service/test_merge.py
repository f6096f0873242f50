"""Merging a ticket into another of the customer's (nothing lost) and splitting a customer's
message off into a new ticket: the services, who may, the confirmation pages and the API."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peyvand.core.models import AuditEvent
from peyvand.service.models import Message, SlaEvent, Status, Survey, Ticket
from peyvand.service.services import merge, surveys, tickets
from peyvand.service.services import messages as thread

from .conftest import EMAIL

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def support_inbox(settings):
    settings.PEYVAND_SUPPORT_EMAIL = "support@zarrindaneh.example"


def test_a_merge_moves_everything_closes_the_other_and_points_it_at_the_kept_one(
    open_ticket, users, customer
):
    kept, other = open_ticket(subject="سفارش ۱"), open_ticket(subject="سفارش ۱ دوباره")
    sent = thread.ticket_reply(
        ticket=other, actor=users["support"], data=thread.ReplyInput(body="بررسی می‌کنیم", to=EMAIL)
    )
    SlaEvent.objects.create(
        ticket=other, metric="first_response", kind="warning", due_at=other.created_at, at=other.created_at
    )
    tickets.ticket_update(
        ticket=other, actor=users["support"], data=tickets.TicketInput(status=Status.RESOLVED)
    )
    assert Survey.objects.filter(ticket=other).count() == 1
    before = Message.objects.filter(ticket=other).count()

    result = merge.ticket_merge(ticket=kept, other=other, actor=users["support"])

    assert result == kept
    other.refresh_from_db()
    assert other.merged_into == kept and other.status == Status.CLOSED and other.resolved_at is not None
    bodies = list(kept.messages.values_list("kind", "body"))
    assert len(bodies) == 1 + before + 1  # its own, the other's, and the note saying so
    assert [body for kind, body in bodies if kind == Message.Kind.NOTE and other.number in body]
    assert list(other.messages.values_list("kind", flat=True)) == [Message.Kind.NOTE]
    assert (
        SlaEvent.objects.filter(ticket=kept).count() == 1 and Survey.objects.filter(ticket=kept).count() == 1
    )
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.MERGE, party_id=customer.pk)
    assert {e.object_id for e in events} == {kept.pk, other.pk}
    # The customer's answer to the reply sent on the merged ticket lands on the kept one.
    assert Message.objects.get(pk=sent.pk).ticket == kept
    thread.customer_message(ticket=other, party=customer, body="ممنون", subject="Re", channel="email")
    assert kept.messages.filter(body="ممنون").exists()
    # The merged ticket leaves the queues.
    assert Ticket.objects.filter(merged_into__isnull=True).count() == 1


def test_the_kept_ticket_reopens_when_only_the_other_was_open(open_ticket, users):
    kept, other = open_ticket(), open_ticket()
    tickets.ticket_update(ticket=kept, actor=users["support"], data=tickets.TicketInput(status=Status.CLOSED))
    merge.ticket_merge(ticket=kept, other=other, actor=users["support"])
    kept.refresh_from_db()
    assert kept.status == Status.NEW and kept.closed_at is None and kept.resolution_due is not None


def test_a_merge_is_refused_across_customers_teams_and_twice_and_writes_nothing(
    open_ticket, users, make_person, english
):
    kept, other = open_ticket(), open_ticket()
    stranger = tickets.ticket_open(
        actor=users["support"], data=tickets.TicketInput(party=make_person(first_name="رضا"), subject="x")
    )
    with pytest.raises(ValidationError) as caught:
        merge.ticket_merge(ticket=kept, other=stranger, actor=users["support"])
    assert "merge the customers first" in caught.value.message_dict["other"][0]
    with pytest.raises(ValidationError):
        merge.ticket_merge(ticket=kept, other=kept, actor=users["support"])
    theirs = open_ticket(actor="admin", assignee=users["outsider"])
    with pytest.raises(PermissionDenied):
        merge.ticket_merge(ticket=kept, other=theirs, actor=users["support"])
    with pytest.raises(PermissionDenied):
        merge.ticket_merge(ticket=kept, other=other, actor=users["readonly"])
    assert not Ticket.objects.filter(merged_into__isnull=False).exists()
    assert not Message.objects.filter(kind=Message.Kind.NOTE).exists()
    merge.ticket_merge(ticket=kept, other=other, actor=users["support"])
    with pytest.raises(ValidationError):
        merge.ticket_merge(ticket=theirs, other=other, actor=users["admin"])


def test_a_split_moves_one_customer_message_to_a_new_ticket_that_follows(open_ticket, users, customer):
    ticket = open_ticket(kind="complaint", priority=3)
    later = thread.customer_message(
        ticket=ticket,
        party=customer,
        body="یک مشکل دیگر: فاکتور اشتباه\nجزئیات",
        subject="Re",
        channel="email",
    )
    new = merge.ticket_split(message=later, actor=users["support"])
    assert new.subject == "یک مشکل دیگر: فاکتور اشتباه" and new.follows == ticket and new.party == customer
    assert (new.kind, new.priority, new.language) == ("complaint", 3, ticket.language)
    assert list(new.messages.exclude(kind=Message.Kind.NOTE).values_list("pk", flat=True)) == [later.pk]
    assert not ticket.messages.filter(pk=later.pk).exists()
    assert ticket.messages.filter(kind=Message.Kind.NOTE).count() == 1
    assert AuditEvent.objects.filter(object_id=ticket.pk, changes__split=[None, new.number]).exists()
    note = thread.ticket_note(ticket=ticket, actor=users["support"], body="داخلی")
    with pytest.raises(ValidationError):
        merge.ticket_split(message=note, actor=users["support"])
    only = open_ticket()
    with pytest.raises(ValidationError):
        merge.ticket_split(message=only.messages.get(), actor=users["support"])
    with pytest.raises(PermissionDenied):
        merge.ticket_split(message=ticket.messages.first(), actor=users["readonly"])
    assert Ticket.objects.count() == 3


@pytest.mark.parametrize("language", ["fa", "en"])
def test_merging_and_splitting_from_the_ticket_page_with_a_confirmation(
    as_user, open_ticket, customer, language
):
    kept, other = open_ticket(subject="اولی"), open_ticket(subject="دومی")
    client = as_user("support")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("service:ticket_detail", args=[other.pk])).content.decode()
    assert reverse("service:ticket_merge", args=[other.pk]) in page
    url = reverse("service:ticket_merge", args=[other.pk])
    choose = client.get(url)
    assert choose.status_code == 200 and f'lang="{language}"' in choose.content.decode()
    assert list(choose.context["form"].fields["into"].queryset) == [kept]
    confirm = client.get(url, {"into": kept.pk})
    assert 'data-testid="merge-confirm"' in confirm.content.decode()
    assert not Ticket.objects.filter(merged_into__isnull=False).exists()  # looking changes nothing
    bad = client.post(url, {"into": 999999, "confirm": "1"})
    assert bad.status_code == 422 and "is-invalid" in bad.content.decode()
    done = client.post(url, {"into": kept.pk, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("service:ticket_detail", args=[kept.pk])
    other.refresh_from_db()
    assert other.merged_into == kept
    page = client.get(reverse("service:ticket_detail", args=[other.pk])).content.decode()
    assert 'data-testid="merged-into"' in page
    # Split the other's first message back off.
    moved = Message.objects.filter(ticket=kept, kind=Message.Kind.CUSTOMER).order_by("id").last()
    split_url = reverse("service:ticket_split", args=[kept.pk, moved.pk])
    assert client.get(split_url).status_code == 200
    response = client.post(split_url, {"subject": ""})
    assert response.status_code == 422
    response = client.post(split_url, {"subject": "جدا شده"})
    new = Ticket.objects.get(subject="جدا شده")
    assert response.status_code == 302 and response["Location"] == reverse(
        "service:ticket_detail", args=[new.pk]
    )
    note = Message.objects.filter(ticket=kept, kind=Message.Kind.NOTE).first()
    assert client.get(reverse("service:ticket_split", args=[kept.pk, note.pk])).status_code == 422
    assert as_user("readonly").post(url, {"into": kept.pk, "confirm": "1"}).status_code == 404


def test_merge_and_split_through_the_api(api_as, open_ticket, users, customer):
    kept, other = open_ticket(), open_ticket()
    foreign = open_ticket(actor="admin", assignee=users["outsider"])
    api = api_as("support")
    response = api.post(f"/tickets/{other.pk}/merge", {"into_id": foreign.pk})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "into_id"
    response = api.post(f"/tickets/{other.pk}/merge", {"into_id": other.pk})
    assert response.status_code == 422
    response = api.post(f"/tickets/{other.pk}/merge", {"into_id": kept.pk})
    assert response.status_code == 200 and response.json()["id"] == kept.pk
    message = kept.messages.filter(kind=Message.Kind.CUSTOMER).order_by("id").last()
    response = api.post(f"/tickets/{kept.pk}/messages/{message.pk}/split", {})
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == "سفارش ۱۲۳ هنوز نرسیده است."
    response = api.post(f"/tickets/{kept.pk}/messages/{message.pk}/split", {})
    assert response.status_code == 404  # it is no longer on that ticket
    # Sales sees the team's queued tickets but may not change them; another team's are not found.
    assert api_as("sales").post(f"/tickets/{kept.pk}/merge", {"into_id": other.pk}).status_code == 403
    theirs = open_ticket(actor="admin", assignee=users["support"])
    assert api_as("outsider").post(f"/tickets/{theirs.pk}/merge", {"into_id": kept.pk}).status_code == 404
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 1


def test_a_survey_the_kept_ticket_has_stays_on_the_other(open_ticket, users):
    kept, other = open_ticket(), open_ticket()
    surveys.survey_send(ticket=kept)
    surveys.survey_send(ticket=other)
    merge.ticket_merge(ticket=kept, other=other, actor=users["support"])
    assert (
        Survey.objects.filter(ticket=kept).count() == 1 and Survey.objects.filter(ticket=other).count() == 1
    )
