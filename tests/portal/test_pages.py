"""What a customer does in the portal: balance and orders, the invoice's PDF, a ticket opened
and answered (public replies only), the knowledge base; each action on the timeline and in
the audit log; lists in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from peyvand.core.models import AuditEvent
from peyvand.interactions.selectors.timeline import party_timeline
from peyvand.notifications.models import Notification
from peyvand.portal.models import SignInLog
from peyvand.portal.refs import ref_for
from peyvand.sales.models import Order, QuoteStatus
from peyvand.service.models import Channel, Message, Ticket, Visibility
from peyvand.service.services import knowledge, messages
from tests.portal.conftest import portal_client

pytestmark = pytest.mark.django_db


def test_home_shows_the_balance_and_what_is_due(world):
    client = portal_client(world["accounts"]["a"])
    response = client.get(reverse("portal:home"))
    invoice = world["records"]["a"].invoice
    assert response.status_code == 200
    assert invoice.due > 0
    assert response.context["balances"][0].due == invoice.due
    assert [i.pk for i in response.context["due"]] == [invoice.pk]
    page = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in page and invoice.number in page
    assert response["Cache-Control"] == "private, no-store"


def test_a_contact_allowed_the_organisation_owes_what_it_owes_too(world):
    client = portal_client(world["accounts"]["manager"])
    balances = client.get(reverse("portal:home")).context["balances"]
    expected = world["records"]["manager"].invoice.due + world["records"]["o"].invoice.due
    assert sum(b.due for b in balances) == expected


def test_the_invoice_pdf_is_the_customers_invoice_and_is_noted_on_the_timeline(world):
    account = world["accounts"]["a"]
    invoice = world["records"]["a"].invoice
    response = portal_client(account).get(
        reverse("portal:invoice_pdf", args=[ref_for("invoice", invoice.pk)])
    )
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert invoice.number in text and "آرش" in text
    event = AuditEvent.objects.filter(model="portal.portalaccount").order_by("-pk").first()
    assert event.changes == {"portal_invoice_downloaded": [None, invoice.number]}
    assert event.party_id == invoice.party_id


def test_english_pages_and_pdf(world):
    client = portal_client(world["accounts"]["a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("portal:orders")).content.decode()
    assert '<html lang="en" dir="ltr">' in page and "Your orders" in page
    invoice = world["records"]["a"].invoice
    pdf = client.get(reverse("portal:invoice_pdf", args=[ref_for("invoice", invoice.pk)]))
    assert pdf["Content-Disposition"].endswith(f'{invoice.number}-en.pdf"')


def test_a_ticket_thread_shows_public_replies_and_never_internal_notes(world):
    rec = world["records"]["a"]
    page = portal_client(world["accounts"]["a"]).get(
        reverse("portal:ticket_detail", args=[rec.refs["ticket"]])
    )
    kinds = [m.kind for m in page.context["thread"]]
    assert kinds == [Message.Kind.CUSTOMER, Message.Kind.REPLY]
    content = page.content.decode()
    assert "پاسخ عمومی به مشتری" in content and "یادداشت داخلی محرمانه" not in content


def test_opening_and_answering_a_ticket(world, users):
    account = world["accounts"]["a"]
    client = portal_client(account)
    order = world["records"]["a"].order
    response = client.post(
        reverse("portal:ticket_create"),
        {"kind": "complaint", "subject": "کالا آسیب دیده بود", "body": "جعبه پاره بود", "order": order.pk},
    )
    ticket = Ticket.objects.get(subject="کالا آسیب دیده بود")
    assert response["Location"] == reverse("portal:ticket_detail", args=[ref_for("ticket", ticket.pk)])
    assert (ticket.channel, ticket.kind, ticket.party, ticket.order) == (
        Channel.PORTAL,
        "complaint",
        account.party,
        order,
    )
    messages.ticket_reply(
        ticket=ticket,
        actor=users["admin"],
        data=messages.ReplyInput(body="جایگزین می‌فرستیم", to=account.email),
    )
    messages.ticket_note(ticket=ticket, actor=users["admin"], body="مشتری ناراضی است")
    reply = client.post(
        reverse("portal:ticket_reply", args=[ref_for("ticket", ticket.pk)]), {"body": "ممنون"}
    )
    assert reply.status_code == 302
    thread = client.get(reply["Location"]).content.decode()
    assert "جایگزین می‌فرستیم" in thread and "ممنون" in thread and "مشتری ناراضی است" not in thread
    # On the customer's timeline: what they wrote (interactions) and the portal's audit events.
    timeline = party_timeline(user=users["admin"], party=account.party, limit=50)
    portal_events = [e for e in timeline.items if e.kind == "change" and "portal" in e.obj.changes]
    assert len(portal_events) == 2
    assert sum(1 for e in timeline.items if e.kind == "interaction" and e.obj.channel == "website") == 2


def test_bad_ticket_input_is_refused_with_reasons_and_changes_nothing(world):
    client = portal_client(world["accounts"]["a"])
    before = Ticket.objects.count()
    others = world["records"]["b"].order
    for data in (
        {},
        {"kind": "nonsense", "subject": "x", "body": "y"},
        {"kind": "question", "subject": "x" * 300, "body": "y"},
        {"kind": "question", "subject": "x", "body": "y", "order": others.pk},
        {"kind": "question", "subject": "   ", "body": "y"},
    ):
        response = client.post(reverse("portal:ticket_create"), data)
        assert response.status_code == 200 and response.context["form"].errors, data
    assert Ticket.objects.count() == before
    rec = world["records"]["a"]
    empty = client.post(reverse("portal:ticket_reply", args=[rec.refs["ticket"]]), {"body": ""})
    assert empty.status_code == 200 and empty.context["form"].errors
    assert client.get(reverse("portal:orders") + "?cursor=garbage").status_code == 302


def test_the_knowledge_base_finds_published_public_articles_only(world, users):
    def article(title: str, visibility: str, published: bool = True) -> None:
        data = knowledge.ArticleInput(
            title_fa=title, body_fa=f"<p>{title} متن</p>", visibility=visibility, published=published
        )
        knowledge.article_save(actor=users["admin"], data=data)

    article("راهنمای بازگشت کالا", Visibility.PUBLIC)
    article("بازگشت کالا برای کارکنان", Visibility.INTERNAL)
    article("بازگشت کالا پیش‌نویس", Visibility.PUBLIC, published=False)
    client = portal_client(world["accounts"]["a"])
    found = client.get(reverse("portal:knowledge"), {"q": "بازگشت"}).context["articles"]
    assert [a.title_fa for a in found] == ["راهنمای بازگشت کالا"]
    assert client.get(reverse("portal:knowledge"), {"q": "x" * 500}).status_code == 200


@pytest.mark.parametrize(
    "page", ["portal:home", "portal:orders", "portal:invoices", "portal:quotes", "portal:tickets"]
)
def test_lists_take_a_fixed_number_of_queries(world, make_records, page, django_assert_max_num_queries):
    account = world["accounts"]["manager"]
    client = portal_client(account)
    client.get(reverse(page))
    for _more in range(3):
        make_records(account.party)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(page))
    assert response.status_code == 200


def test_accepting_a_quote_makes_the_order_and_tells_its_owner(world):
    account = world["accounts"]["a"]
    quote = world["records"]["a"].quote
    client = portal_client(account)
    page = client.get(reverse("portal:quotes")).content.decode()
    assert quote.number in page and 'data-testid="quote-accept"' in page
    orders = Order.objects.filter(party=account.party).count()
    response = client.post(reverse("portal:quote_accept", args=[ref_for("quote", quote.pk)]))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert Order.objects.filter(party=account.party).count() == orders + 1
    event = AuditEvent.objects.filter(model="sales.quote", object_id=quote.pk, actor__isnull=True).get()
    assert event.changes["status"] == [QuoteStatus.SENT, QuoteStatus.ACCEPTED] and "portal" in event.changes
    note = Notification.objects.get(kind="portal_quote_decided")
    assert note.recipient == quote.owner
    # Once only: a second answer changes nothing.
    before = AuditEvent.objects.count()
    client.post(reverse("portal:quote_decline", args=[ref_for("quote", quote.pk)]), {"reason": "دیر شد"})
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and AuditEvent.objects.count() == before


def test_declining_a_quote_keeps_the_reason(world):
    quote = world["records"]["b"].quote
    client = portal_client(world["accounts"]["b"])
    long = client.post(
        reverse("portal:quote_decline", args=[ref_for("quote", quote.pk)]), {"reason": "x" * 600}
    )
    assert long.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    client.post(reverse("portal:quote_decline", args=[ref_for("quote", quote.pk)]), {"reason": "قیمت بالاست"})
    quote.refresh_from_db()
    assert (quote.status, quote.decline_reason) == (QuoteStatus.DECLINED, "قیمت بالاست")
    pdf = client.get(reverse("portal:quote_pdf", args=[ref_for("quote", quote.pk)]))
    assert pdf.content.startswith(b"%PDF")


def test_a_customer_chooses_their_language_and_consent(world):
    account = world["accounts"]["a"]
    party = account.party
    assert not party.email_consent
    client = portal_client(account)
    response = client.post(reverse("portal:profile"), {"language": "en", "email_consent": "on"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    party.refresh_from_db()
    account.refresh_from_db()
    assert (party.email_consent, party.email_consent_source, party.sms_consent) == (True, "portal", False)
    assert party.email_consent_at is not None and account.language == "en"
    changed = AuditEvent.objects.filter(model="customers.party", object_id=party.pk).order_by("-pk").first()
    assert changed.changes["email_consent"] == [False, True]
    assert AuditEvent.objects.filter(model="portal.portalaccount", changes__language=["fa", "en"]).exists()
    before = AuditEvent.objects.count()
    bad = client.post(reverse("portal:profile"), {"language": "de", "sms_consent": "on"})
    assert bad.status_code == 400 and bad.context["form"].errors["language"]
    party.refresh_from_db()
    assert not party.sms_consent and AuditEvent.objects.count() == before


def test_an_answer_long_after_a_ticket_closed_opens_a_new_one_and_shows_it(world):
    rec = world["records"]["a"]
    long_ago = timezone.now() - dt.timedelta(days=30)
    Ticket.objects.filter(pk=rec.ticket.pk).update(status="closed", closed_at=long_ago, updated_at=long_ago)
    client = portal_client(world["accounts"]["a"])
    response = client.post(
        reverse("portal:ticket_reply", args=[rec.refs["ticket"]]), {"body": "دوباره خراب شد"}
    )
    follower = Ticket.objects.get(follows=rec.ticket)
    assert response["Location"] == reverse("portal:ticket_detail", args=[ref_for("ticket", follower.pk)])
    assert "دوباره خراب شد" in client.get(response["Location"]).content.decode()


def test_a_merged_ticket_is_not_listed(world):
    rec = world["records"]["a"]
    other = Ticket.objects.create(
        number="T-999999", party=rec.party, subject="تکراری", merged_into=rec.ticket
    )
    client = portal_client(world["accounts"]["a"])
    assert other.subject not in client.get(reverse("portal:tickets")).content.decode()
    assert client.get(reverse("portal:ticket_detail", args=[ref_for("ticket", other.pk)])).status_code == 404


def test_staff_see_the_access_and_the_sign_ins_on_the_customer_page(world, users):
    account = world["accounts"]["a"]
    client = Client()
    client.force_login(users["sales"])
    url = reverse("party_detail", args=[account.party_id])
    assert "arash@example.com" in client.get(url).content.decode()  # invited, not signed in yet
    SignInLog.objects.create(
        account=account, identifier=account.email, method="password", succeeded=False, address="10.1.2.3"
    )
    page = client.get(url).content.decode()
    assert 'data-testid="portal-sign-ins"' in page and "10.1.2.3" in page
    org_page = client.get(reverse("party_detail", args=[world["org"].pk])).content.decode()
    assert 'data-testid="portal-panel"' not in org_page  # people are invited, not organisations


def test_a_customer_rates_a_resolved_request_once_and_only_their_own(world):
    from peyvand.service.models import Survey

    rec = world["records"]["a"]
    client = portal_client(world["accounts"]["a"])
    rate = reverse("portal:ticket_rate", args=[rec.refs["ticket"]])
    page = client.get(reverse("portal:ticket_detail", args=[rec.refs["ticket"]])).content.decode()
    assert 'data-testid="rating-form"' not in page  # still open: nothing to rate yet
    refused = client.post(rate, {"score": "5"})
    assert refused.status_code == 200 and not Survey.objects.filter(answered_at__isnull=False).exists()

    Ticket.objects.filter(pk=rec.ticket.pk).update(status="resolved")
    assert client.post(rate, {"score": "9"}).status_code == 200  # not a mark
    response = client.post(rate, {"score": "۲", "comment": "دیر جواب دادید"})
    assert response.status_code == 302
    survey = Survey.objects.get(ticket=rec.ticket)
    assert (survey.score, survey.comment, survey.channel) == (2, "دیر جواب دادید", "portal")
    page = client.get(reverse("portal:ticket_detail", args=[rec.refs["ticket"]])).content.decode()
    assert 'data-testid="rating"' in page and 'data-testid="rating-form"' not in page
    assert client.post(rate, {"score": "5"}).status_code == 200
    survey.refresh_from_db()
    assert survey.score == 2  # once

    other = portal_client(world["accounts"]["b"])
    assert other.post(rate, {"score": "1"}).status_code == 404
