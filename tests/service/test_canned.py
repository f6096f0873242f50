"""Canned replies: who sees and changes which (personal, shared with a team or with all), the
placeholders filled in the ticket customer's language, the reply form's picker, the list with
its search, and the API."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peyvand.service.models import CannedReply, Ticket
from peyvand.service.selectors import canned as selectors
from peyvand.service.services import canned, tickets

pytestmark = pytest.mark.django_db


def write(user, title="ارسال شد", **fields):
    fields.setdefault("body_fa", "{first_name} عزیز، سفارش {ticket} ارسال شد. {agent}")
    return canned.canned_save(actor=user, data=canned.CannedInput(title=title, **fields))


def test_placeholders_are_filled_in_the_customers_language(open_ticket, users):
    reply = write(users["support"], body_en="Dear {first_name}, order {ticket} is on its way. {customer}")
    ticket = open_ticket()
    assert ticket.language == "fa"  # the customer wrote in Persian
    text = canned.canned_render(reply=reply, ticket=ticket, agent=users["support"])
    assert text == f"مریم عزیز، سفارش {ticket.number} ارسال شد. {users['support'].get_full_name()}"
    english = open_ticket(subject="Order not delivered", language="en")
    text = canned.canned_render(reply=reply, ticket=english, agent=users["support"])
    assert text == f"Dear مریم, order {english.number} is on its way. مریم احمدی"
    only_persian = write(users["support"], title="فقط فارسی", body_fa="سلام {customer}")
    assert (
        canned.canned_render(reply=only_persian, ticket=english, agent=users["support"]) == "سلام مریم احمدی"
    )


def test_unknown_placeholders_and_empty_texts_are_refused_and_python_formatting_never_runs(
    users, open_ticket
):
    with pytest.raises(ValidationError) as caught:
        write(users["support"], body_fa="{customer.__class__} {name}")
    assert "{customer.__class__}" in caught.value.message_dict["body_fa"][0]
    with pytest.raises(ValidationError) as caught:
        write(users["support"], title=" ", body_fa="", body_en="")
    assert set(caught.value.message_dict) == {"title", "body_fa"}
    reply = write(users["support"], body_fa="{{customer}} {} }{")
    text = canned.canned_render(reply=reply, ticket=open_ticket(), agent=users["support"])
    assert text == "{مریم احمدی} {} }{"
    assert CannedReply.objects.count() == 1


def test_personal_replies_are_their_owners_and_shared_ones_reach_their_team(users, team_b):
    mine = write(users["support"], title="شخصی")
    team_a_reply = write(users["manager"], title="تیم الف", shared=True, team=users["manager"].team)
    everyone = write(users["admin"], title="همه", shared=True)
    team_b_reply = write(users["admin"], title="تیم ب", shared=True, team=team_b)

    def titles(name):
        return {r.title for r in selectors.canned_visible(users[name])}

    assert titles("support") == {"شخصی", "تیم الف", "همه"}
    assert titles("sales") == {"تیم الف", "همه"}
    assert titles("outsider") == {"همه", "تیم ب"}
    assert titles("admin") == {"تیم الف", "همه", "تیم ب"}  # not another's personal ones
    assert titles("readonly") == set()
    # Sharing is for administrators, and managers within their team.
    with pytest.raises(ValidationError) as caught:
        write(users["support"], title="x", shared=True, team=users["support"].team)
    assert "shared" in caught.value.message_dict
    with pytest.raises(ValidationError):
        write(users["manager"], title="x", shared=True, team=team_b)
    with pytest.raises(PermissionDenied):
        canned.canned_save(
            actor=users["manager"], data=canned.CannedInput(title="y", body_fa="z"), reply=mine
        )
    with pytest.raises(PermissionDenied):
        canned.canned_delete(actor=users["support"], reply=team_a_reply)
    with pytest.raises(PermissionDenied):
        write(users["readonly"])
    assert CannedReply.objects.count() == 4
    canned.canned_delete(actor=users["admin"], reply=team_b_reply)
    assert titles("outsider") == {"همه"} and everyone.pk


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_list_searches_with_persian_normalisation_and_the_forms_write(as_user, users, language):
    write(users["support"], title="پیگیری ارسال")
    write(users["support"], title="Refund", body_fa="", body_en="Your refund for {ticket} is done.")
    client = as_user("support")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("service:canned_list")).content.decode()
    assert f'lang="{language}"' in html and "پیگیری ارسال" in html and "Refund" in html
    html = client.get(reverse("service:canned_list"), {"q": "پيگيري"}).content.decode()  # Arabic yeh
    assert "پیگیری ارسال" in html and "Refund" not in html
    html = client.get(reverse("service:canned_list"), {"sort": "-updated", "shown": "mine"}).content.decode()
    assert html.index("Refund") < html.index("پیگیری ارسال")
    response = client.post(reverse("service:canned_create"), {"title": "", "body_fa": "{oops}"})
    assert response.status_code == 422 and "is-invalid" in response.content.decode()
    assert "{oops}" in response.content.decode()
    response = client.post(reverse("service:canned_create"), {"title": "سلام", "body_fa": "سلام {customer}"})
    assert response.status_code == 302
    reply = CannedReply.objects.get(title="سلام")
    assert reply.owner == users["support"] and not reply.shared
    assert client.get(reverse("service:canned_edit", args=[reply.pk])).status_code == 200
    assert "shared" not in client.get(reverse("service:canned_create")).context["form"].fields
    response = client.post(reverse("service:canned_delete", args=[reply.pk]))
    assert response.status_code == 302 and not CannedReply.objects.filter(pk=reply.pk).exists()
    assert as_user("readonly").get(reverse("service:canned_list")).status_code == 403
    other = write(users["sales"], title="مال دیگری")
    assert client.get(reverse("service:canned_edit", args=[other.pk])).status_code == 404


def test_the_reply_forms_picker_fills_the_reply_box(as_user, users, open_ticket):
    reply = write(users["support"])
    ticket = open_ticket()
    client = as_user("support")
    page = client.get(reverse("service:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="canned-pick"' in page and reply.title in page
    url = reverse("service:canned_fill", args=[ticket.pk])
    box = client.get(url, {"canned": reply.pk, "body": "سلام"}).content.decode()
    assert box.startswith("<textarea") and 'id="reply_body"' in box
    assert f"سلام\n\nمریم عزیز، سفارش {ticket.number} ارسال شد." in box
    assert client.get(url, {"canned": 999999, "body": ""}).status_code == 404
    other = write(users["sales"], title="شخصی فروش")
    assert client.get(url, {"canned": other.pk}).status_code == 404
    foreign = open_ticket(actor="admin", assignee=users["outsider"])
    assert (
        client.get(reverse("service:canned_fill", args=[foreign.pk]), {"canned": reply.pk}).status_code == 404
    )
    readonly_page = as_user("readonly").get(reverse("service:canned_fill", args=[ticket.pk]))
    assert readonly_page.status_code == 404


def test_canned_replies_through_the_api(api_as, users, open_ticket):
    api = api_as("support")
    created = api.post(
        "/canned-replies", {"title": "پیگیری", "body_fa": "{first_name} عزیز", "body_en": "Hi"}
    )
    assert created.status_code == 201, created.content
    reply = created.json()
    assert reply["owner"]["username"] == "support" and reply["shared"] is False
    listed = api.get("/canned-replies", {"q": "پيگيري"}).json()["items"]
    assert [r["id"] for r in listed] == [reply["id"]]
    changed = api.patch(f"/canned-replies/{reply['id']}", {"body_en": "Hello {first_name}"})
    assert changed.status_code == 200 and changed.json()["body_en"] == "Hello {first_name}"
    ticket = open_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(language="en")
    filled = api.get(f"/tickets/{ticket.pk}/canned-replies/{reply['id']}").json()
    assert filled == {"body": "Hello مریم", "language": "en"}
    bad = api.post("/canned-replies", {"title": "x", "body_fa": "{nope}", "shared": True})
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"body_fa", "shared"}
    assert api_as("sales").get(f"/canned-replies/{reply['id']}").status_code == 404
    assert api_as("sales").delete(f"/canned-replies/{reply['id']}").status_code == 404
    assert api_as("readonly").post("/canned-replies", {"title": "x", "body_fa": "y"}).status_code == 403
    assert api.delete(f"/canned-replies/{reply['id']}").status_code == 204
    assert not CannedReply.objects.exists()


def test_the_language_is_guessed_from_what_the_customer_wrote_and_can_be_changed(
    open_ticket, users, customer
):
    data = tickets.TicketInput(party=customer, subject="Refund please")
    assert tickets.ticket_open(actor=users["support"], data=data, description="It broke.").language == "en"
    assert open_ticket(subject="Refund please").language == "fa"  # the description is Persian
    ticket = open_ticket(subject="12345")
    tickets.ticket_update(ticket=ticket, actor=users["support"], data=tickets.TicketInput(language="en"))
    ticket.refresh_from_db()
    assert ticket.language == "en"
    with pytest.raises(ValidationError) as caught:
        tickets.ticket_update(ticket=ticket, actor=users["support"], data=tickets.TicketInput(language="de"))
    assert "language" in caught.value.message_dict
