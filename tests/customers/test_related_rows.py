"""Merging and deleting reach every row that points at a customer, in every app.

Several apps point at customers with ``related_name="+"`` (quotes, payments, leads,
outbound messages, calls, inbound receipts): Django leaves those out of
``Party._meta.related_objects``, so these tests build one of each and check where it ends up.
"""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from peyvand.core.models import AuditEvent
from peyvand.customers import services
from peyvand.customers.models import Party
from peyvand.interactions.models import InboundReceipt, OutboundMessage, PhoneCall
from peyvand.interactions.services.outbox import message_queue
from peyvand.sales.models import Deal, Lead, Payment, Quote
from peyvand.sales.services import billing, deals, leads
from tests.sales.conftest import make_deal, pipeline, price_list, products  # noqa: F401 - fixtures


def test_every_foreign_key_to_a_customer_is_known_to_merge_and_delete():
    declared = {
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.many_to_one and field.related_model is Party
    }
    assert set(services.parties.party_references()) == declared
    hidden = {(m._meta.label, fk) for m, fk in services.parties.party_references()}
    assert {
        ("sales.Quote", "party"),
        ("sales.Payment", "party"),
        ("sales.Lead", "party"),
        ("sales.Lead", "organisation"),
        ("interactions.OutboundMessage", "party"),
        ("interactions.PhoneCall", "party"),
        ("interactions.InboundReceipt", "party"),
    } <= hidden


@pytest.fixture
def sold(users, make_deal, products, make_org):  # noqa: F811 - fixtures imported above
    """An organisation with a deal, its quote, an order, an invoice, a payment, a lead,
    an email in the outbox, a phone call and an inbound receipt."""
    customer = make_org(name="شرکت فروخته")
    deal = make_deal(party=customer, amount=0)
    deals.deal_line_add(deal=deal, actor=users["sales"], data={"product": products["crm"], "quantity": "1"})
    quote = billing.quote_create(deal=deal, actor=users["sales"])
    order = billing.quote_accept(quote=quote, actor=users["sales"])
    invoice = billing.invoice_create(order=order, actor=users["sales"])
    payment = billing.payment_record(invoice=invoice, actor=users["sales"], amount="1000000")
    lead = leads.lead_create(actor=users["sales"], data={"last_name": "سرنخ", "phone": "09120000001"})
    Lead.objects.filter(pk=lead.pk).update(party=customer, organisation=customer)
    message = message_queue(
        channel="email", purpose="transactional", to_address="a@x.ir", body_text="hi", party=customer
    )
    call = PhoneCall.objects.create(
        call_id="c-1", direction="inbound", status="answered", started_at=timezone.now(), party=customer
    )
    receipt = InboundReceipt.objects.create(channel="email", key="k-1", party=customer)
    return {
        "customer": customer,
        "deal": deal,
        "quote": quote,
        "order": order,
        "invoice": invoice,
        "payment": payment,
        "lead": lead,
        "message": message,
        "call": call,
        "receipt": receipt,
    }


def _party_ids(rows):
    ids = {}
    for name, row in rows.items():
        if name == "customer":
            continue
        fresh = type(row)._base_manager.get(pk=row.pk)
        ids[name] = fresh.party_id
        if name == "lead":
            ids["lead.organisation"] = fresh.organisation_id
    return ids


def test_merge_moves_sales_and_messaging_rows(users, sold, make_org):
    survivor = make_org(name="شرکت ماندگار")
    services.merge.party_merge(survivor=survivor, other=sold["customer"], actor=users["admin"])
    assert set(_party_ids(sold).values()) == {survivor.pk}, _party_ids(sold)
    event = AuditEvent.objects.get(party_id=survivor.pk, kind="merge")
    assert event.changes["moved"][1]["sales.quote.party"] == 1, event.changes


def test_delete_trashes_sales_and_messaging_rows_and_restore_brings_them_back(users, sold):
    customer = sold["customer"]
    services.parties.party_delete(party=customer, actor=users["admin"])
    for model, name in ((Deal, "deal"), (Quote, "quote"), (Payment, "payment")):
        assert not model.objects.filter(pk=sold[name].pk).exists(), name
        assert model.all_objects.filter(pk=sold[name].pk).exists(), name
    assert not OutboundMessage.objects.filter(pk=sold["message"].pk).exists()
    # Rows without a trash of their own stay, still pointing at the deleted customer; so does
    # the lead the customer was converted from: it only names them, it is not theirs.
    assert PhoneCall.objects.get(pk=sold["call"].pk).party_id == customer.pk
    assert Lead.objects.get(pk=sold["lead"].pk).party_id == customer.pk

    services.parties.party_restore(party=customer, actor=users["admin"])
    for model, name in (
        (Deal, "deal"),
        (Quote, "quote"),
        (Payment, "payment"),
        (Lead, "lead"),
        (OutboundMessage, "message"),
    ):
        assert model.objects.filter(pk=sold[name].pk).exists(), name


def test_restore_leaves_rows_deleted_earlier_in_the_trash(users, sold):
    customer = sold["customer"]
    earlier = timezone.now() - dt.timedelta(days=1)
    Quote.all_objects.filter(pk=sold["quote"].pk).update(deleted_at=earlier, deletion_batch=Party.new_batch())
    services.parties.party_delete(party=customer, actor=users["admin"])
    services.parties.party_restore(party=customer, actor=users["admin"])
    assert Deal.objects.filter(pk=sold["deal"].pk).exists()
    assert not Quote.objects.filter(pk=sold["quote"].pk).exists()
