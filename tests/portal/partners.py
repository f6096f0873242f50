"""Partner fixtures: partners P and Q (organisations with a contact each, invited as partner
users), each with an approved deal (its customer made on approval), a pending registration,
a won deal and a target; made through the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from peyvand.core.models import User
from peyvand.customers.models import ContactPoint, Party
from peyvand.customers.services.memberships import membership_add
from peyvand.portal.models import Partner, PartnerDeal, PortalAccount, Registration
from peyvand.portal.refs import ref_for
from peyvand.portal.selectors.partners import quarter_of
from peyvand.portal.services import accounts
from peyvand.portal.services import partners as services
from peyvand.sales.models import Stage
from peyvand.sales.services.deals import deal_move_stage


@dataclass
class PartnerWorld:
    partner: Partner
    account: PortalAccount
    link: PartnerDeal  # an open deal assigned to the partner
    won: PartnerDeal
    pending: Registration
    refs: dict[str, str] = field(default_factory=dict)


def register(account: PortalAccount, name: str, phone: str, **more: Any) -> Registration:
    data = services.RegistrationInput(
        kind=more.pop("kind", "deal"),
        customer_name=name,
        phone=phone,
        product_interest=more.pop("product_interest", "مجوز نرم‌افزار"),
        expected_value=more.pop("expected_value", "50000000"),
        **more,
    )
    return services.registration_create(account=account, data=data)


@pytest.fixture
def make_partner(
    users: dict[str, User], make_org: Callable[..., Party], make_person: Callable[..., Party], pipeline: Any
) -> Callable[[str, str], PartnerWorld]:
    def make(key: str, name: str) -> PartnerWorld:
        manager = users["manager"]
        organisation = make_org(name=name)
        person = make_person(
            first_name=f"کاربر {key}",
            last_name="همکار",
            contacts=[{"kind": "email", "value": f"{key}@partner.example"}],
        )
        membership_add(person=person, organisation=organisation, actor=users["admin"])
        partner = services.partner_save(
            actor=manager,
            organisation=organisation,
            data=services.PartnerInput(kind="reseller", commission_rate="۱۰"),
        )
        point = person.contact_points.get(kind=ContactPoint.Kind.EMAIL)
        services.partner_user_invite(
            actor=manager, partner=partner, data=accounts.InviteInput(contact=point, channel="email")
        )
        account = PortalAccount.objects.get(party=person, revoked_at__isnull=True)
        digit = "1" if key == "p" else "2"
        first = register(account, f"مشتری {key}", f"0912000000{digit}", product_interest=f"پروژهٔ {key}")
        services.registration_approve(actor=manager, registration=first)
        second = register(account, f"برنده {key}", f"0913000000{digit}", product_interest=f"قرارداد {key}")
        services.registration_approve(actor=manager, registration=second)
        won = PartnerDeal.objects.get(registration=second)
        won_stage = Stage.objects.get(pipeline=won.deal.pipeline, outcome="won")
        deal_move_stage(deal=won.deal, stage=won_stage, actor=manager)
        won = PartnerDeal.objects.select_related("deal").get(pk=won.pk)
        pending = register(account, f"منتظر {key}", f"0914000000{digit}", kind="lead")
        year, quarter = quarter_of(timezone.localdate())
        services.partner_target_set(
            actor=manager, partner=partner, year=year, quarter=quarter, amount="100000000"
        )
        link = PartnerDeal.objects.select_related("deal").get(registration=first)
        refs = {
            "partner_deal": ref_for("partner_deal", link.pk),
            "partner_customer": ref_for("partner_customer", link.deal.party_id),
        }
        return PartnerWorld(partner, account, link, won, pending, refs)

    return make


@pytest.fixture
def partner_world(make_partner: Callable[[str, str], PartnerWorld]) -> dict[str, PartnerWorld]:
    return {"p": make_partner("p", "پخش البرز"), "q": make_partner("q", "نمایندگی قشم")}
