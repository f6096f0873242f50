"""Converting a lead: person, organisation and deal in one step, never a duplicate."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from peyvand.core.models import AuditEvent
from peyvand.customers.models import ContactPoint, Kind, Membership, Party
from peyvand.sales.models import Deal, Lead, LeadStage
from peyvand.sales.services import conversion, leads

pytestmark = pytest.mark.django_db


def _qualified(actor, **data):
    values = {
        "first_name": "رضا",
        "last_name": "صالحی",
        "company": "صنایع نور",
        "email": "reza@noor.example",
        "phone": "09351112233",
        "province": "تهران",
        **data,
    }
    lead = leads.lead_create(actor=actor, data=values)
    return leads.lead_set_stage(lead=lead, actor=actor, stage=LeadStage.QUALIFIED)


def test_converting_creates_person_organisation_and_deal(users, pipeline):
    lead = _qualified(users["sales"], email_consent=True)
    result = conversion.lead_convert(lead=lead, actor=users["sales"], deal={"amount": "5000000"})
    person, org, deal = result.person, result.organisation, result.deal
    assert not result.reused_person and not result.reused_organisation
    assert (
        person.kind == Kind.PERSON and person.display_name == "رضا صالحی" and person.owner == users["sales"]
    )
    assert person.primary_email == "reza@noor.example" and person.primary_phone == "+989351112233"
    assert person.email_consent and person.email_consent_at is not None
    assert org.kind == Kind.ORGANISATION and org.display_name == "صنایع نور"
    assert Membership.objects.filter(person=person, organisation=org).exists()
    assert deal.party == org and deal.contact == person and deal.amount == 5000000
    lead.refresh_from_db()
    assert lead.stage == LeadStage.CONVERTED and lead.deal == deal and lead.party == person
    assert AuditEvent.objects.filter(model="sales.lead", party_id=org.pk).exists()


def test_converting_reuses_existing_customers(users, pipeline, make_person, make_org):
    org = make_org(name="صنايع نور")  # Arabic yeh: the same name once normalised
    person = make_person(
        first_name="رضا",
        last_name="صالحی",
        contacts=[{"kind": ContactPoint.Kind.PHONE, "value": "+98 935 111 2233"}],
    )
    before = Party.objects.count()
    lead = _qualified(users["sales"], email="other@noor.example")
    result = conversion.lead_convert(lead=lead, actor=users["sales"])
    assert result.reused_person and result.reused_organisation
    assert result.person == person and result.organisation == org
    assert Party.objects.count() == before
    assert Membership.objects.filter(person=person, organisation=org).exists()  # linked now
    assert Deal.objects.get().party == org


def test_the_user_may_link_a_customer_of_their_choice(users, pipeline, make_person):
    chosen = make_person(first_name="رضا", last_name="صالحی‌نژاد")
    lead = _qualified(users["sales"], company="")
    result = conversion.lead_convert(lead=lead, actor=users["sales"], person=chosen, create_deal=False)
    assert result.person == chosen and result.organisation is None and result.deal is None


def test_only_a_qualified_lead_converts(users, pipeline):
    lead = leads.lead_create(actor=users["sales"], data={"last_name": "تست", "phone": "09120000001"})
    with pytest.raises(ValidationError):
        conversion.lead_convert(lead=lead, actor=users["sales"])
    assert not Party.objects.exists() and not Deal.objects.exists()


def test_a_match_in_another_team_stops_the_conversion_and_changes_nothing(users, pipeline, make_person):
    make_person(
        owner="outsider",
        first_name="رضا",
        last_name="صالحی",
        contacts=[{"kind": ContactPoint.Kind.EMAIL, "value": "reza@noor.example"}],
    )
    lead = _qualified(users["sales"], company="")
    parties = Party.objects.count()
    with pytest.raises(ValidationError):
        conversion.lead_convert(lead=lead, actor=users["sales"])
    assert Party.objects.count() == parties and not Deal.objects.exists()
    assert Lead.objects.get().stage == LeadStage.QUALIFIED


def test_conversion_is_all_or_nothing(users, pipeline):
    lead = _qualified(users["sales"])
    with pytest.raises(ValidationError):
        conversion.lead_convert(lead=lead, actor=users["sales"], deal={"currency": "ZZZ"})
    assert not Party.objects.exists() and not Deal.objects.exists()
    assert Lead.objects.get().stage == LeadStage.QUALIFIED


def test_a_reused_person_keeps_the_leads_new_email_and_phone(users, pipeline, make_person):
    person = make_person(
        first_name="رضا",
        last_name="صالحی",
        contacts=[
            {"kind": ContactPoint.Kind.PHONE, "value": "09351112233", "is_primary": True},
            {"kind": ContactPoint.Kind.EMAIL, "value": "old@noor.example", "is_primary": True},
        ],
    )
    lead = _qualified(users["sales"], company="", email="reza@noor.example", phone="09121234567")
    result = conversion.lead_convert(lead=lead, actor=users["sales"], person=person)
    assert result.person == person
    points = set(ContactPoint.objects.filter(party=person).values_list("kind", "value", "is_primary"))
    assert points == {
        ("phone", "+989351112233", True),
        ("email", "old@noor.example", True),
        ("email", "reza@noor.example", False),
        ("phone", "+989121234567", False),
    }
    person.refresh_from_db()
    assert person.primary_email == "old@noor.example"  # the person's own stays first
    assert (
        AuditEvent.objects.filter(model="customers.contactpoint", party_id=person.pk, kind="create").count()
        == 4
    )


def test_a_new_email_another_customer_has_is_not_added(users, pipeline, make_person):
    make_person(
        first_name="مینا", last_name="کاظمی", contacts=[{"kind": "email", "value": "shared@noor.example"}]
    )
    person = make_person(
        first_name="رضا", last_name="صالحی", contacts=[{"kind": "phone", "value": "09351112233"}]
    )
    lead = _qualified(users["sales"], company="", email="shared@noor.example")
    result = conversion.lead_convert(lead=lead, actor=users["sales"], person=person)
    assert result.person == person and Lead.objects.get().stage == LeadStage.CONVERTED
    assert not ContactPoint.objects.filter(party=person, kind="email").exists()
