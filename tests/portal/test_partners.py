"""The partner portal: registering (conflicts found, never shown to the partner), the
channel manager's approval and rejection, the partner's deals, commissions and targets,
and the ranking page; through the services and the pages, in Persian and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from peyvand.core.models import AuditEvent
from peyvand.customers.models import Note, Source
from peyvand.interactions.models import OutboundMessage
from peyvand.notifications.models import Notification
from peyvand.portal.models import PartnerDeal, Registration, RegistrationStatus
from peyvand.portal.refs import ref_for
from peyvand.portal.selectors import partners as selectors
from peyvand.portal.services import partners as services
from peyvand.sales.models import Deal, Lead, Stage
from tests.portal.conftest import portal_client
from tests.portal.partners import register

pytestmark = pytest.mark.django_db


def _staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_registration_that_conflicts_is_kept_for_the_channel_manager_and_never_shown(partner_world, users):
    p, q = partner_world["p"], partner_world["q"]
    customer = p.link.deal.party
    client = portal_client(q.account)
    quiet = client.post(
        reverse("portal:partner_register"),
        {"kind": "deal", "customer_name": "کسی دیگر", "phone": "09150000007", "expected_value": "1"},
        follow=True,
    )
    clash = client.post(
        reverse("portal:partner_register"),
        # P's customer's phone in Persian digits and with spaces, its name with Arabic letters
        {"kind": "deal", "customer_name": "مشتري p", "phone": "۰۹۱۲ ۰۰۰ ۰۰۰۱", "expected_value": "۲۰٬۰۰۰"},
        follow=True,
    )
    assert quiet.status_code == clash.status_code == 200
    page = clash.content.decode()
    # the same answer as for a registration that meets nobody: nothing of P, its customer or deal
    assert quiet.redirect_chain == clash.redirect_chain
    for text in (p.partner.organisation.display_name, p.link.deal.title, customer.primary_phone):
        assert text not in page
    registration = Registration.objects.filter(partner=q.partner).latest("pk")
    assert registration.phone == "+989120000001" and registration.expected_value == Decimal(20000)
    kinds = {(c["kind"], c["by"]) for c in registration.conflicts}
    assert ("customer", "phone") in kinds and ("registration", "phone") in kinds
    assert {c["id"] for c in registration.conflicts if c["kind"] == "customer"} >= {customer.pk}
    quiet_one = Registration.objects.get(partner=q.partner, customer_name="کسی دیگر")
    assert quiet_one.conflicts == []
    # the channel manager sees the conflict, with the other partner named
    staff = _staff(users["manager"]).get(reverse("partners:registrations")).content.decode()
    assert p.partner.organisation.display_name in staff and customer.display_name in staff


def test_a_registration_is_checked_and_told_in_the_partners_language(partner_world):
    client = portal_client(partner_world["p"].account)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = Registration.objects.count()
    for data, field, message in (
        (
            {"kind": "deal", "customer_name": "", "phone": "09120000009"},
            "customer_name",
            "This field is required.",
        ),
        ({"kind": "deal", "customer_name": "x"}, "phone", "Enter a phone number or an email address."),
        ({"kind": "deal", "customer_name": "x", "phone": "12"}, "phone", ""),
        ({"kind": "deal", "customer_name": "x", "email": "not-an-address"}, "email", ""),
        (
            {"kind": "deal", "customer_name": "x", "phone": "09120000009", "expected_value": "abc"},
            "expected_value",
            "Enter a number.",
        ),
        ({"kind": "other", "customer_name": "x", "phone": "09120000009"}, "kind", ""),
    ):
        response = client.post(reverse("portal:partner_register"), data)
        assert response.status_code == 400, data
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
        assert message in response.content.decode(), data
    assert Registration.objects.count() == before


def test_staff_are_told_of_a_new_registration(partner_world, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(partner_world["p"].account, "مشتری تازه", "09160000001")
    told = set(
        Notification.objects.filter(kind="partner_registration").values_list("recipient__username", flat=True)
    )
    assert {"admin", "manager"} <= told
    assert not told & {"sales", "support", "marketing", "readonly"}


def test_approving_makes_the_lead_or_the_deal_for_the_partner(partner_world, users):
    p = partner_world["p"]
    lead_registration = p.pending
    approved = services.registration_approve(
        actor=users["manager"], registration=lead_registration, owner=users["sales"]
    )
    lead = Lead.objects.get(pk=approved.lead_id)
    assert (lead.source, lead.owner, lead.phone) == (Source.PARTNER, users["sales"], "+989140000001")
    assert approved.status == RegistrationStatus.APPROVED and approved.decided_by == users["manager"]
    with pytest.raises(ValidationError):
        services.registration_approve(actor=users["manager"], registration=lead_registration)
    deal = p.link.deal
    assert deal.amount == Decimal(50000000) and deal.owner == users["manager"]
    assert PartnerDeal.objects.get(deal=deal).partner == p.partner
    assert AuditEvent.objects.filter(model="portal.registration", object_id=str(approved.pk)).exists()


def test_rejecting_needs_a_reason_and_changes_nothing_else(partner_world, users):
    pending = partner_world["q"].pending
    with pytest.raises(ValidationError):
        services.registration_reject(actor=users["manager"], registration=pending, reason="  ")
    client = _staff(users["manager"])
    client.post(reverse("partners:registration_reject", args=[pending.pk]), {"reason": "مشتری مستقیم ماست"})
    pending.refresh_from_db()
    assert (pending.status, pending.reason, pending.lead_id) == (
        RegistrationStatus.REJECTED,
        "مشتری مستقیم ماست",
        None,
    )
    page = (
        portal_client(partner_world["q"].account)
        .get(reverse("portal:partner_registrations"))
        .content.decode()
    )
    assert "مشتری مستقیم ماست" in page


@pytest.mark.parametrize("role", ["sales", "support", "marketing", "readonly"])
def test_only_the_channel_manager_reaches_the_partners_pages(partner_world, users, role):
    client = _staff(users[role])
    pending = partner_world["p"].pending
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    for url in (
        reverse("partners:ranking"),
        reverse("partners:registrations"),
        reverse("partners:partner", args=[partner_world["p"].partner.pk]),
    ):
        assert client.get(url).status_code in (403, 404), (role, url)
    for url in (
        reverse("partners:registration_approve", args=[pending.pk]),
        reverse("partners:registration_reject", args=[pending.pk]),
        reverse("partners:target_set", args=[partner_world["p"].partner.pk]),
    ):
        assert client.post(
            url, {"reason": "x", "year": "1405", "quarter": "1", "amount": "1"}
        ).status_code in (403, 404)
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.PENDING
    assert AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() == before
    with pytest.raises(PermissionDenied):
        services.registration_approve(actor=users[role], registration=pending)


def test_the_partner_moves_its_deal_writes_the_next_step_and_a_note(partner_world):
    p = partner_world["p"]
    link = p.link
    stages = list(Stage.objects.filter(pipeline=link.deal.pipeline, outcome="open").order_by("order"))
    client = portal_client(p.account)
    url = reverse("portal:partner_deal_update", args=[p.refs["partner_deal"]])
    lost = Stage.objects.get(pipeline=link.deal.pipeline, outcome="lost")
    response = client.post(url, {"stage": str(lost.pk), "lost_reason": ""})
    assert response.status_code == 400
    link.refresh_from_db()
    assert link.deal.stage_id == stages[0].pk and link.first_update_at is None
    response = client.post(
        url, {"stage": str(stages[1].pk), "next_step": "جلسهٔ دمو", "note": "مشتری بودجه دارد"}
    )
    assert response.status_code == 302
    link.refresh_from_db()
    deal = Deal.objects.get(pk=link.deal_id)
    assert deal.stage_id == stages[1].pk and link.next_step == "جلسهٔ دمو" and link.first_update_at
    assert Note.objects.filter(party=deal.party, body__contains="مشتری بودجه دارد").exists()
    marked = AuditEvent.objects.filter(party_id=deal.party_id, changes__has_key="portal_partner").latest("pk")
    assert marked.changes["partner_stage"] == [stages[0].name, stages[1].name]
    assert marked.changes["next_step"] == [None, "جلسهٔ دمو"]
    # another pipeline's stage is refused
    other = Stage.objects.exclude(pipeline=deal.pipeline).first()
    if other is not None:
        assert client.post(url, {"stage": str(other.pk)}).status_code == 400


def test_commissions_targets_and_prices(partner_world, price_list, products, users):
    p = partner_world["p"]
    rows, total = selectors.commissions(partner=p.partner)
    assert [row.link for row in rows] == [p.won]
    assert total == Decimal(5000000)  # 50,000,000 won × 10%
    current = selectors.targets(partner=p.partner, today=p.won.deal.closed_at.date())[0]
    assert (current.target, current.won, current.percent) == (Decimal(100000000), Decimal(50000000), 50)
    services.partner_save(
        actor=users["manager"],
        organisation=p.partner.organisation,
        data=services.PartnerInput(kind="distributor", commission_rate="12.5", price_list=price_list),
    )
    client = portal_client(p.account)
    prices = client.get(reverse("portal:partner_prices")).content.decode()
    assert "CRM-1" in prices and "۱۲٬۵۰۰٬۰۰۰" in prices
    assert "۶٬۲۵۰٬۰۰۰" in client.get(reverse("portal:partner_commissions")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    home = client.get(reverse("portal:partner_home")).content.decode()
    assert "Targets and results" in home and "<td>50</td>" in home


def test_a_partner_must_be_an_organisation_with_a_rate_up_to_100(partner_world, users, make_person):
    with pytest.raises(ValidationError) as error:
        services.partner_save(
            actor=users["manager"],
            organisation=make_person(),
            data=services.PartnerInput(kind="agent", commission_rate="5"),
        )
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.partner_save(
            actor=users["manager"],
            organisation=partner_world["p"].partner.organisation,
            data=services.PartnerInput(kind="agent", commission_rate="۱۲۰"),
        )
    assert "commission_rate" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.partner_save(
            actor=users["sales"],
            organisation=partner_world["p"].partner.organisation,
            data=services.PartnerInput(kind="agent", commission_rate="5"),
        )


def test_the_ranking_orders_partners_with_a_chart_table_and_csv(partner_world, users):
    p, q = partner_world["p"], partner_world["q"]
    services.partner_deal_update(
        account=p.account, link=p.link, data=services.PartnerDealInput(next_step="تماس")
    )
    standings = selectors.ranking(user=users["manager"])
    assert {s.partner for s in standings} == {p.partner, q.partner}
    by_partner = {s.partner: s for s in standings}
    assert by_partner[p.partner].won_revenue == Decimal(50000000)
    assert by_partner[p.partner].open_pipeline == Decimal(50000000)
    assert by_partner[p.partner].response_hours is not None and by_partner[q.partner].response_hours is None
    assert by_partner[p.partner].pending == 1
    client = _staff(users["manager"])
    page = client.get(reverse("partners:ranking"))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="chart-partners"' in content and p.partner.organisation.display_name in content
    export = client.get(reverse("partners:ranking") + "?export=partners")
    body = b"".join(export.streaming_content).decode()
    assert p.partner.organisation.display_name in body


def test_lists_take_a_few_queries_whatever_their_length(partner_world, users, django_assert_max_num_queries):
    p = partner_world["p"]
    for n in range(5):
        registration = register(p.account, f"انبوه {n}", f"0917000000{n}")
        services.registration_approve(actor=users["manager"], registration=registration)
    client = portal_client(p.account)
    for name in ("portal:partner_deals", "portal:partner_customers", "portal:partner_registrations"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200
    staff = _staff(users["manager"])
    staff.get(reverse("partners:registrations"))  # the first reads the settings
    with django_assert_max_num_queries(30):
        assert staff.get(reverse("partners:registrations") + "?status=approved").status_code == 200


def test_a_partners_deal_by_reference_only(partner_world):
    p = partner_world["p"]
    client = portal_client(p.account)
    assert (
        client.get(reverse("portal:partner_deal", args=[ref_for("partner_deal", p.link.pk)])).status_code
        == 200
    )
    assert (
        client.get(
            reverse("portal:partner_deal", args=[ref_for("partner_deal", partner_world["q"].link.pk)])
        ).status_code
        == 404
    )


def test_the_partner_hears_each_decision_by_email_in_their_language(partner_world, users):
    p, q = partner_world["p"], partner_world["q"]
    q.account.language = "en"
    q.account.save(update_fields=["language"])
    services.registration_approve(actor=users["manager"], registration=p.pending)
    services.registration_reject(actor=users["manager"], registration=q.pending, reason="مشتری مستقیم ماست")
    approved = OutboundMessage.objects.get(idempotency_key=f"partner_registration_decided:{p.pending.pk}")
    rejected = OutboundMessage.objects.get(idempotency_key=f"partner_registration_decided:{q.pending.pk}")
    assert (approved.to_address, approved.channel) == (p.account.email, OutboundMessage.Kind.EMAIL)
    assert approved.subject == f"ثبت {p.pending.customer_name} شما تأیید شد"
    assert "/portal/partner/registrations/" in approved.body_text
    assert rejected.to_address == q.account.email
    assert rejected.subject == f"Your registration of {q.pending.customer_name} was not approved"
    assert "مشتری مستقیم ماست" in rejected.body_text
    # one message a decision: the registration cannot be decided twice, and nothing more is sent
    sent = OutboundMessage.objects.count()
    with pytest.raises(ValidationError):
        services.registration_reject(actor=users["manager"], registration=p.pending, reason="x")
    assert OutboundMessage.objects.count() == sent
