"""The timeline shows changes only to records the viewer may see (deals of other teams stay out)."""

from decimal import Decimal

import pytest
from django.test import Client

from peyvand.core import services as core_services
from peyvand.core.models import AuditEvent
from peyvand.interactions.selectors.timeline import party_timeline
from peyvand.sales.services import deals
from tests.sales.conftest import pipeline  # noqa: F401 - fixture

OURS, THEIRS = "Deal of team A", "Deal of team B"


@pytest.fixture
def customer(users, make_person, pipeline):  # noqa: F811 - fixture imported above
    """A customer of team A with a deal of its own team and one sold by team B."""
    party = make_person(owner="sales", first_name="Sara", last_name="Tehrani")
    for owner, title in (("sales", OURS), ("outsider", THEIRS)):
        deals.deal_create(
            actor=users["admin"],
            data={"title": title, "party": party, "owner": users[owner], "amount": Decimal("987654321")},
        )
    # Read-only sees customers but, by default, no deals.
    core_services.users.role_scope_set(
        role="readonly", resource="party", action="view", scope="all", actor=users["admin"]
    )
    return party


def _deal_titles(entries):
    titles = set()
    for entry in entries:
        if entry.kind == "change" and entry.obj.model == "sales.deal":
            titles.add(entry.obj.object_repr)
    return titles


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("admin", {OURS, THEIRS}),
        ("manager", {OURS}),
        ("sales", {OURS}),
        ("sales2", {OURS}),
        ("support", {OURS}),
        ("marketing", {OURS, THEIRS}),
        ("readonly", set()),
    ],
)
def test_deal_changes_show_only_to_who_may_see_the_deal(users, customer, api_as, role, seen):
    user = users[role]
    assert _deal_titles(party_timeline(user=user, party=customer, limit=100).items) == seen

    response = api_as(role).get(f"/parties/{customer.pk}/timeline", {"limit": 100})
    assert response.status_code == 200, response.content
    changes = [item["change"] for item in response.json()["items"] if item["kind"] == "change"]
    assert {c["object_repr"] for c in changes if c["model"] == "sales.deal"} == seen
    # The customer's own history stays visible to everyone who sees the customer.
    assert any(c["model"] == "customers.party" for c in changes)

    client = Client()
    client.force_login(user)
    page = client.get(f"/customers/{customer.pk}/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.content.decode()
    for title in (OURS, THEIRS):
        assert (title in html) == (title in seen), (role, title)


def test_hidden_deal_changes_do_not_leak_through_later_updates(users, customer):
    theirs = customer.deals.get(title=THEIRS)
    deals.deal_update(deal=theirs, actor=users["admin"], data={"amount": Decimal("5")})
    assert AuditEvent.objects.filter(model="sales.deal", object_id=theirs.pk).count() == 2
    entries = party_timeline(user=users["sales"], party=customer, limit=100).items
    assert not [e for e in entries if e.kind == "change" and e.obj.object_id == theirs.pk]
