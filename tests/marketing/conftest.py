"""Marketing fixtures: a small town of customers (addresses, consents, owners in two teams,
tags, orders, a contact, an open deal and ticket), and helpers for rules and campaigns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from peyvand.core.models import User
from peyvand.customers.models import Party
from peyvand.interactions.models import Channel as InteractionChannel
from peyvand.interactions.models import Direction, Interaction
from peyvand.marketing.models import Campaign, Segment
from peyvand.marketing.services import campaigns, segments
from peyvand.sales.models import Order, OrderLine, OrderStatus, Product
from tests.api.conftest import ApiClient

TODAY = dt.date(2025, 6, 1)


def address(city: str, province: str | None = None) -> dict[str, str]:
    return {
        "kind": "address",
        "value": "",
        "street": "خیابان ولیعصر",
        "city": city,
        "province": province or city,
    }


@pytest.fixture
def town(
    make_person: Callable[..., Party], make_org: Callable[..., Party], users: dict[str, User]
) -> dict[str, Party]:
    """Five customers:

    - maryam: Tehran, agrees to SMS and email, sales' (team A), a customer, tagged VIP;
    - reza: Tehran, never agreed to anything, sales2's (team A);
    - sara: Isfahan, agrees to SMS, the outsider's (team B);
    - john: Tehran, English name, agrees to SMS and email, marketing's;
    - firm: an organisation in Karaj, agrees to email, nobody's.
    """
    yes_sms = {"sms_consent": True, "sms_consent_source": "web form"}
    yes_email = {"email_consent": True, "email_consent_source": "web form"}
    made = {
        "maryam": make_person(
            first_name="مریم",
            last_name="احمدی",
            data={**yes_sms, **yes_email, "stage": "customer", "source": "website"},
            contacts=[
                {"kind": "phone", "value": "09121234567", "label": "mobile", "is_primary": True},
                {"kind": "email", "value": "maryam@example.com", "is_primary": True},
                address("تهران"),
            ],
            tags=["VIP"],
        ),
        "reza": make_person(
            owner="sales2",
            first_name="رضا",
            last_name="کریمی",
            data={"stage": "prospect", "source": "phone"},
            contacts=[{"kind": "phone", "value": "09121112233", "label": "mobile"}, address("تهران")],
        ),
        "sara": make_person(
            owner="outsider",
            first_name="سارا",
            last_name="رحیمی",
            data={**yes_sms, "stage": "customer"},
            contacts=[{"kind": "phone", "value": "09131112233", "label": "mobile"}, address("اصفهان")],
        ),
        "john": make_person(
            owner="marketing",
            first_name="John",
            last_name="Smith",
            data={**yes_sms, **yes_email, "source": "website"},
            contacts=[
                {"kind": "phone", "value": "09351234567", "label": "mobile"},
                {"kind": "email", "value": "john@example.com"},
                address("Tehran", "Tehran"),
            ],
        ),
    }
    made["firm"] = make_org(
        name="شرکت نمونه",
        owner=users["admin"],
        contacts=[{"kind": "email", "value": "info@firm.example"}, address("کرج", "البرز")],
    )
    Party.objects.filter(pk=made["firm"].pk).update(owner=None, email_consent=True)
    made["firm"].refresh_from_db()
    return made


@pytest.fixture
def product(users: dict[str, User]) -> Product:
    return Product.objects.create(sku="TEA-1", name_fa="چای", name_en="Tea", created_by=users["admin"])


@pytest.fixture
def make_order(users: dict[str, User]) -> Callable[..., Order]:
    counter = iter(range(1, 1000))

    def make(
        party: Party,
        on: dt.date,
        total: str = "1000000",
        *,
        currency: str = "IRR",
        product: Product | None = None,
        status: str = OrderStatus.OPEN,
    ) -> Order:
        order = Order.objects.create(
            number=f"O-{next(counter):04d}",
            party=party,
            owner=party.owner,
            ordered_on=on,
            currency=currency,
            subtotal=Decimal(total),
            total=Decimal(total),
            status=status,
        )
        if product is not None:
            OrderLine.objects.create(
                order=order,
                product=product,
                description=product.name_fa,
                quantity=1,
                unit_price=Decimal(total),
            )
        return order

    return make


@pytest.fixture
def touch(users: dict[str, User]) -> Callable[..., Interaction]:
    """An interaction with a customer at a given time (inbound by default: a reply)."""

    def make(
        party: Party,
        at: dt.datetime,
        channel: str = InteractionChannel.SMS,
        direction: str = Direction.INBOUND,
    ) -> Interaction:
        return Interaction.objects.create(
            party=party,
            channel=channel,
            direction=direction,
            occurred_at=at,
            subject="پاسخ",
            body="ممنون",
            handled_by=users["admin"],
        )

    return make


def rule(
    *conditions: dict[str, Any], match: str = "all", groups: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A rule of one group of ``conditions`` (or the given groups)."""
    return {
        "match": match,
        "groups": groups if groups is not None else [{"match": "all", "conditions": list(conditions)}],
    }


@pytest.fixture
def make_segment(users: dict[str, User]) -> Callable[..., Segment]:
    def make(actor: str = "marketing", name: str = "بخش", **data: Any) -> Segment:
        return segments.segment_create(actor=users[actor], data=segments.SegmentInput(name=name, **data))

    return make


@pytest.fixture
def make_campaign(users: dict[str, User], make_segment: Callable[..., Segment]) -> Callable[..., Campaign]:
    def make(actor: str = "marketing", segment: Segment | None = None, **data: Any) -> Campaign:
        segment = segment or make_segment(actor=actor, rule=rule())
        values: dict[str, Any] = {
            "name": "حراج بهاره",
            "channel": "sms",
            "segments": (segment,),
            "body_fa": "سلام {first_name}، حراج بهاره شروع شد: https://shop.example/spring",
            "body_en": "Hi {first_name}, our spring sale has started: https://shop.example/spring",
            **data,
        }
        return campaigns.campaign_create(actor=users[actor], data=campaigns.CampaignInput(**values))

    return make


@pytest.fixture
def send(users: dict[str, User], django_capture_on_commit_callbacks: Any) -> Callable[..., Campaign]:
    """Send a campaign as the worker would: the run and the deliveries after each commit."""

    def go(campaign: Campaign, actor: str = "marketing") -> Campaign:
        with django_capture_on_commit_callbacks(execute=True):
            campaign = campaigns.campaign_send(campaign=campaign, actor=users[actor])
        campaign.refresh_from_db()
        return campaign

    return go


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """``with committed(): …``: what was scheduled after the commit runs at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def as_user(users: dict[str, User]) -> Callable[[str], Client]:
    def login(name: str) -> Client:
        client = Client()
        client.force_login(users[name])
        return client

    return login


@pytest.fixture
def api_as(users: dict[str, User]) -> Callable[[str], ApiClient]:
    from peyvand.core.services.tokens import api_token_create

    def make(name: str) -> ApiClient:
        _token, key = api_token_create(user=users[name], name="tests")
        return ApiClient(key)

    return make


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
