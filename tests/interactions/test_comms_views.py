"""Sending from the customer page, templates, the outbox page, extensions, unsubscribing."""

import re

import pytest

from peyvand.customers import services as customer_services
from peyvand.customers.rules import PartyInput
from peyvand.interactions.models import Interaction, MessageTemplate, OutboundMessage, TelephonyProfile
from peyvand.interactions.services import messaging, outbox


def test_the_customer_page_offers_email_and_sms(as_user, customer):
    html = as_user("sales").get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="email-form"' in html and 'data-testid="sms-form"' in html
    assert "maryam@example.com" in html and 'data-testid="sms-count"' in html
    assert 'data-testid="messaging"' not in as_user("readonly").get("/").content.decode()


def test_send_an_email_from_the_customer_page_and_see_its_status(as_user, customer, users):
    client = as_user("sales")
    response = client.post(
        f"/customers/{customer.pk}/email/",
        {
            "to": "maryam@example.com",
            "purpose": "transactional",
            "language": "fa",
            "subject": "سلام {first_name}",
            "body": "متن",
        },
    )
    assert response.status_code == 302
    message = OutboundMessage.objects.get()
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "سلام مریم" in html and 'data-status="queued"' in html
    outbox.outbound_deliver(message_id=message.pk)  # the test settings' mail backend keeps it in memory
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-status="sent"' in html


def test_a_failed_send_shows_its_reason_on_the_timeline(as_user, customer, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.PEYVAND_OUTBOX_MAX_ATTEMPTS = 1
    draft = messaging.Draft(to="maryam@example.com", subject="x", body="y")
    message = messaging.email_send(party=customer, actor=users["sales"], draft=draft)
    outbox.outbound_deliver(message_id=message.pk)
    html = as_user("sales").get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-status="failed"' in html and 'data-testid="delivery-error"' in html and "Connection" in html


def test_marketing_without_consent_is_shown_as_an_error(as_user, customer):
    response = as_user("sales").post(
        f"/customers/{customer.pk}/sms/",
        {"to": "+989121234567", "purpose": "marketing", "language": "fa", "body": "تخفیف ویژه"},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not OutboundMessage.objects.exists() and not Interaction.objects.exists()


def test_sms_count_and_cost_before_sending(as_user, settings):
    settings.PEYVAND_SMS_SEGMENT_PRICE = "1000"
    html = as_user("sales").get("/sms/count/", {"body": "س" * 71}).content.decode()
    assert 'data-segments="2"' in html and "UCS-2" in html
    # The currency as the sales pages write money: «ریال», never "IRR", in Persian digits.
    cost = re.search(r'data-testid="sms-cost">(.*?)</span>\s*</div>', html, re.S).group(1)
    assert "۲٬۰۰۰" in cost and "ریال" in cost and "IRR" not in cost
    english = as_user("sales").get("/sms/count/", {"body": "hello"}, headers={"Accept-Language": "en"})
    shown = " ".join(re.sub(r"<[^>]+>", " ", english.content.decode()).split())
    assert "cost 1,000 Rial" in shown and "IRR" not in shown


def test_the_cost_counts_the_text_as_this_customer_will_receive_it(as_user, customer, make_person, settings):
    """{name} is short in the template and long for this customer: 2 segments, not 1."""
    settings.PEYVAND_SMS_SEGMENT_PRICE = "1000"
    long_name = make_person(
        first_name="عبدالرحمن‌محمدحسین",
        last_name="شریعتمداری‌خراسانی‌اصفهانی‌نژاد",
        contacts=[{"kind": "phone", "value": "09351234567"}],
    )
    text = "سلام {name}، سفارش شما آماده است و فردا ارسال می‌شود. " + "سپاس"
    assert len(text) <= 70
    client = as_user("sales")
    unfilled = client.get("/sms/count/", {"body": text}).content.decode()
    assert 'data-segments="1"' in unfilled
    filled = client.get("/sms/count/", {"body": text, "party": long_name.pk}).content.decode()
    assert 'data-segments="2"' in filled
    # The send page counts the same way, and so does what is charged when it is queued.
    page = client.post(
        f"/customers/{long_name.pk}/sms/", {"to": "+989351234567", "purpose": "transactional", "body": ""}
    ).content.decode()
    assert 'data-testid="sms-count"' in page
    from peyvand.interactions.services import messaging

    draft = messaging.Draft(to="+989351234567", body=text, language="fa")
    sent = messaging.sms_send(party=long_name, actor=client_user(client), draft=draft)
    assert sent.segments == 2


def test_the_count_of_a_customer_one_may_not_see_is_not_found(as_user, customer):
    assert as_user("outsider").get("/sms/count/", {"body": "x", "party": customer.pk}).status_code == 404


def client_user(client):
    from django.contrib.auth import get_user

    return get_user(client)


def test_templates_fill_the_form_and_need_known_placeholders(as_user, customer, users):
    client = as_user("sales")
    response = client.post(
        "/templates/new/",
        {
            "name": "خوشامد مشتری تازه",
            "channel": "email",
            "purpose": "transactional",
            "language": "fa",
            "subject": "{first_name} عزیز",
            "body": "سلام {nickname}",
        },
    )
    assert response.status_code == 200 and "{nickname}" in response.content.decode()
    assert not MessageTemplate.objects.exists()
    client.post(
        "/templates/new/",
        {
            "name": "خوشامد مشتری تازه",
            "channel": "email",
            "purpose": "transactional",
            "language": "fa",
            "subject": "{first_name} عزیز",
            "body": "سلام {name}",
        },
    )
    template = MessageTemplate.objects.get()
    filled = client.get(
        f"/customers/{customer.pk}/compose/email/", {"template": template.pk}
    ).content.decode()
    assert "{first_name} عزیز" in filled and "سلام {name}" in filled
    name = "خوشامد مشتری تازه"  # not "پیگیری": that is also the Follow-up menu's label
    assert name in client.get("/templates/").content.decode()
    assert name not in client.get("/templates/", {"channel": "sms"}).content.decode()
    assert name in client.get("/templates/", {"language": "fa", "sort": "new"}).content.decode()
    assert client.get("/templates/", {"cursor": "nope"}).status_code == 302
    # Another team's rep may use it, but not change it.
    assert as_user("sales2").get(f"/templates/{template.pk}/").status_code == 403
    assert client.get(f"/customers/{customer.pk}/compose/email/", {"template": "999999"}).status_code == 404


def test_the_outbox_page_shows_only_what_the_user_may_see(as_user, customer, users, make_person):
    far = make_person(
        owner="outsider", first_name="دور", contacts=[{"kind": "email", "value": "far@example.com"}]
    )
    messaging.email_send(
        party=customer,
        actor=users["sales"],
        draft=messaging.Draft(to="maryam@example.com", subject="نزدیک", body="x"),
    )
    messaging.email_send(
        party=far,
        actor=users["outsider"],
        draft=messaging.Draft(to="far@example.com", subject="دور", body="x"),
    )
    html = as_user("sales").get("/outbox/").content.decode()
    assert "نزدیک" in html and "far@example.com" not in html
    assert "far@example.com" in as_user("admin").get("/outbox/", {"status": "queued"}).content.decode()


def test_extensions_are_set_by_administrators(as_user, users):
    assert as_user("manager").get("/admin/extensions/").status_code == 403
    client = as_user("admin")
    client.post("/admin/extensions/", {"user": users["sales"].pk, "extension": "۱۰۱"})
    assert TelephonyProfile.objects.get().extension == "101"
    response = client.post("/admin/extensions/", {"user": users["sales2"].pk, "extension": "101"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert TelephonyProfile.objects.count() == 1


def test_unsubscribe_link_withdraws_email_consent(client, customer, users):
    customer_services.parties.party_update(
        party=customer, actor=users["admin"], data=PartyInput(email_consent=True)
    )
    customer.refresh_from_db()
    message = messaging.email_send(
        party=customer,
        actor=users["sales"],
        draft=messaging.Draft(to="maryam@example.com", subject="x", body="y", purpose="marketing"),
    )
    path = re.search(r"http://[^/]+(/unsubscribe/[^/\"]+/)", message.body_html).group(1)
    assert client.get(path).status_code == 200
    customer.refresh_from_db()
    assert customer.email_consent  # a GET (a mail scanner following links) changes nothing
    assert client.post(path).status_code == 200
    customer.refresh_from_db()
    assert not customer.email_consent and customer.email_consent_source == "unsubscribe"
    assert client.post("/unsubscribe/forged-token/").status_code == 404


@pytest.mark.parametrize("url", ["/outbox/", "/templates/", "/admin/extensions/", "/sms/count/"])
def test_pages_need_a_login(client, db, url):
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("who", ["readonly"])
def test_a_user_who_may_not_write_gets_no_write_form(as_user, users, who, customer):
    """The forms are denied like the writes they lead to (issue 13, finding 5)."""
    from peyvand.interactions.services.interactions import InteractionInput, interaction_log

    call = interaction_log(
        party=customer, actor=users["sales"], data=InteractionInput(channel="phone", subject="تماس")
    )
    client = as_user(who)
    assert client.get(f"/interactions/{call.pk}/edit/").status_code in (403, 404)
    assert client.get(f"/customers/{customer.pk}/compose/email/").status_code in (403, 404)
    assert client.get("/templates/new/").status_code == 403


def test_someone_elses_interaction_edit_form_is_refused(as_user, users, customer):
    from peyvand.interactions.services.interactions import InteractionInput, interaction_log

    call = interaction_log(
        party=customer, actor=users["sales"], data=InteractionInput(channel="phone", subject="تماس")
    )
    assert as_user("sales2").get(f"/interactions/{call.pk}/edit/").status_code == 403
    assert as_user("sales").get(f"/interactions/{call.pk}/edit/").status_code == 200
