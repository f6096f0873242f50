"""The desk's pages in Persian and English: queues, a new ticket, a ticket's page with its
reply and note forms, the settings; forms keep what was typed and say what is wrong."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from peyvand.interactions.models import OutboundMessage
from peyvand.service.models import BusinessCalendar, CalendarDay, Category, SlaPolicy, Status, Ticket

from .conftest import EMAIL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_page_renders(as_user, open_ticket, language, users):
    ticket = open_ticket()
    calendar = BusinessCalendar.objects.get()
    client = as_user("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in [
        reverse("service:ticket_list"),
        reverse("service:ticket_list") + "?view=overdue&priority=2&q=سفارش",
        reverse("service:ticket_create"),
        reverse("service:ticket_create") + f"?party={ticket.party_id}",
        reverse("service:ticket_detail", args=[ticket.pk]),
        reverse("service:settings"),
        reverse("service:calendar_edit", args=[calendar.pk]),
        reverse("service:calendar_edit", args=[calendar.pk]) + "?year=2027",
        reverse("service:calendar_create"),
        reverse("service:policy_edit", args=[SlaPolicy.objects.first().pk]),
        reverse("service:policy_create"),
        reverse("party_detail", args=[ticket.party_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode(), url
    html = client.get(reverse("service:ticket_detail", args=[ticket.pk])).content.decode()
    assert ticket.number in html or "T-۰۰۰۰۰۱" in html


def test_the_seeded_names_are_in_the_installations_language():
    assert BusinessCalendar.objects.get().name == "ساعات کاری تهران"
    assert set(SlaPolicy.objects.values_list("name", flat=True)) == {"فوری", "استاندارد"}
    assert Category.objects.filter(name="ارسال و تحویل").exists()


def test_opening_a_ticket_from_the_customer_page(as_user, customer):
    client = as_user("support")
    page = client.get(reverse("party_detail", args=[customer.pk])).content.decode()
    assert reverse("service:ticket_create") + f"?party={customer.pk}" in page
    response = client.post(
        reverse("service:ticket_create") + f"?party={customer.pk}",
        {
            "party": customer.pk,
            "subject": "فاکتور اشتباه",
            "description": "مبلغ اشتباه است",
            "channel": "phone",
            "kind": "complaint",
            "priority": 2,
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "service:ticket_detail", args=[ticket.pk]
    )
    assert ticket.kind == "complaint" and ticket.party == customer


def test_a_form_with_mistakes_keeps_what_was_typed(as_user, customer):
    response = as_user("support").post(
        reverse("service:ticket_create"),
        {"party": customer.pk, "subject": "", "description": "متن", "priority": 2},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "متن" in html and "is-invalid" in html
    assert not Ticket.objects.exists()


def test_replying_and_noting_on_the_page(as_user, open_ticket):
    ticket = open_ticket()
    client = as_user("support")
    seen = ticket.messages.get().pk
    response = client.post(
        reverse("service:ticket_reply", args=[ticket.pk]),
        {"body": "پیگیری شد", "to": f"email:{EMAIL}", "status": Status.WAITING_CUSTOMER, "seen": seen},
    )
    assert response.status_code == 302
    assert OutboundMessage.objects.count() == 1
    # Another agent who saw only the first message is stopped, then may send anyway.
    other = as_user("manager")
    response = other.post(
        reverse("service:ticket_reply", args=[ticket.pk]),
        {"body": "جواب دوم", "to": f"email:{EMAIL}", "status": Status.OPEN, "seen": seen},
    )
    assert response.status_code == 422 and "send_anyway" in response.content.decode()
    assert OutboundMessage.objects.count() == 1
    response = other.post(
        reverse("service:ticket_reply", args=[ticket.pk]),
        {
            "body": "جواب دوم",
            "to": f"email:{EMAIL}",
            "status": Status.OPEN,
            "seen": seen,
            "send_anyway": "on",
        },
    )
    assert response.status_code == 302 and OutboundMessage.objects.count() == 2
    response = client.post(reverse("service:ticket_note", args=[ticket.pk]), {"body": "داخلی"})
    assert response.status_code == 302
    assert ticket.messages.filter(kind="note").count() == 1


def test_readonly_users_get_no_write_forms_and_their_writes_are_refused(as_user, open_ticket, users):
    ticket = open_ticket(actor="admin", assignee=users["support"])
    readonly = as_user("readonly")
    assert readonly.get(reverse("service:ticket_detail", args=[ticket.pk])).status_code == 404
    assert readonly.get(reverse("service:ticket_create")).status_code == 403
    response = readonly.post(reverse("service:ticket_status", args=[ticket.pk]), {"status": "closed"})
    assert response.status_code == 404
    assert Ticket.objects.get().status == Status.OPEN


def test_the_status_buttons_resolve_and_reopen(as_user, open_ticket, users):
    ticket = open_ticket(actor="admin", assignee=users["support"])
    client = as_user("support")
    client.post(reverse("service:ticket_status", args=[ticket.pk]), {"status": Status.RESOLVED})
    assert Ticket.objects.get().status == Status.RESOLVED
    client.post(reverse("service:ticket_status", args=[ticket.pk]), {"status": Status.OPEN})
    assert Ticket.objects.get().status == Status.OPEN


def test_the_list_costs_the_same_few_queries_for_many_tickets(as_user, open_ticket, queries):
    client = as_user("support")
    open_ticket()
    client.get(reverse("service:ticket_list"))
    with queries() as few:
        client.get(reverse("service:ticket_list"))
    for i in range(10):
        open_ticket(subject=f"مورد {i}")
    with queries() as many:
        client.get(reverse("service:ticket_list"))
    assert len(many) == len(few)


def test_settings_save_a_calendar_a_day_off_and_a_policy(as_user):
    client = as_user("admin")
    calendar = BusinessCalendar.objects.get()
    data = {
        "name": "تهران",
        "time_zone": "Asia/Tehran",
        "official_holidays": "on",
        "day_5": "۰۸:۰۰-۱۲:۰۰, 13:00-17:00",
    }
    response = client.post(reverse("service:calendar_edit", args=[calendar.pk]), data)
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.week["5"] == [[480, 720], [780, 1020]] and calendar.week["4"] == []
    response = client.post(reverse("service:calendar_edit", args=[calendar.pk]), {**data, "day_6": "9-5"})
    html = response.content.decode()
    assert response.status_code == 200 and "is-invalid" in html and 'value="9-5"' in html
    response = client.post(
        reverse("service:calendar_day", args=[calendar.pk]),
        {"date": "1405/10/01", "holiday": "1", "name": "تعمیرات"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert str(day.date) == "2026-12-22" and day.is_holiday
    response = client.post(
        reverse("service:policy_create"),
        {
            "name": "VIP",
            "calendar": calendar.pk,
            "first_response_minutes": 30,
            "resolution_minutes": 240,
            "warn_before_minutes": 10,
            "order": 1,
            "active": "on",
        },
    )
    assert response.status_code == 302 and SlaPolicy.objects.filter(name="VIP").exists()
    assert as_user("support").get(reverse("service:settings")).status_code == 403


def test_a_ringing_calls_pop_up_offers_a_ticket_for_the_caller(as_user, customer, users):
    from peyvand.interactions.services.telephony import CallEvent, call_event_record, extension_set

    extension_set(user=users["support"], extension="101", actor=users["admin"])
    call_event_record(event=CallEvent(call_id="c1", event="ringing", number="09121234567", extension="101"))
    html = as_user("support").get(reverse("screen_pop")).content.decode()
    link = reverse("service:ticket_create") + f"?party={customer.pk}&amp;channel=phone"
    assert link in html
    form = as_user("support").get(reverse("service:ticket_create") + f"?party={customer.pk}&channel=phone")
    assert form.context["form"].initial["channel"] == "phone"


def test_a_reply_carries_files_to_the_customer_and_shows_them_in_the_thread(as_user, open_ticket, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from peyvand.interactions.models import Attachment

    ticket = open_ticket()
    client = as_user("support")
    files = [
        SimpleUploadedFile("راهنما.pdf", b"%PDF-1.4 guide"),
        SimpleUploadedFile("photo.png", b"\x89PNG\r\n"),
    ]
    response = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {
            "body": "راهنما پیوست است.",
            "to": f"email:{EMAIL}",
            "status": "waiting_customer",
            "attachments": files,
        },
    )
    assert response.status_code == 302
    sent = OutboundMessage.objects.get()
    attached = {(a.filename, a.content_type) for a in Attachment.objects.filter(message=sent)}
    assert attached == {("راهنما.pdf", "application/pdf"), ("photo.png", "image/png")}
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="message-files"' in page and "راهنما.pdf" in page

    # By SMS, or more than the outbox takes: refused, nothing sent, what was typed kept.
    settings.PEYVAND_ATTACHMENT_MAX_BYTES = 10
    response = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {
            "body": "دوباره",
            "to": f"email:{EMAIL}",
            "status": "open",
            "attachments": [SimpleUploadedFile("a.txt", b"x" * 11)],
        },
    )
    assert response.status_code == 422 and "دوباره" in response.content.decode()
    assert OutboundMessage.objects.count() == 1
