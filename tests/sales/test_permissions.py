"""Who may see and change whose leads and deals, per role, through the API; denied changes
change nothing; another team's records are 404 as if they did not exist (IDOR)."""

from __future__ import annotations

import pytest

from peyvand.sales.models import Lead
from peyvand.sales.services import leads
from tests.api.conftest import assert_error
from tests.roles import CHANGES, OWNERS, SEES

pytestmark = pytest.mark.django_db
ROLES = sorted(SEES)


@pytest.mark.parametrize("role", ROLES)
def test_deals_per_role(api_as, users, make_deal, stages, role):
    client = api_as(role)
    made = {owner: make_deal(owner=users[owner] if owner else None) for owner in OWNERS}
    listed = {item["id"] for item in client.get("/deals", {"limit": 200}).json().get("items", [])}
    for owner, deal in made.items():
        sees, changes = owner in SEES[role], owner in CHANGES[role]
        assert (deal.pk in listed) == sees, (role, owner)
        got = client.get(f"/deals/{deal.pk}")
        assert got.status_code == (200 if sees else 404), (role, owner)
        moved = client.post(f"/deals/{deal.pk}/move", {"stage_id": stages["proposal"].pk})
        expected = 200 if changes else (403 if sees else 404)
        assert moved.status_code == expected, (role, owner, moved.content)
        deal.refresh_from_db()
        assert (deal.stage == stages["proposal"]) == changes


@pytest.mark.parametrize("role", ROLES)
def test_leads_per_role(api_as, users, role):
    client = api_as(role)
    made = {
        owner: leads.lead_create(
            actor=users["admin"],
            data={
                "last_name": f"L {owner}",
                "phone": "09120000000",
                "owner": users[owner] if owner else None,
            },
        )
        for owner in OWNERS
    }
    for owner, lead in made.items():
        sees, changes = owner in SEES[role], owner in CHANGES[role]
        assert client.get(f"/leads/{lead.pk}").status_code == (200 if sees else 404), (role, owner)
        changed = client.patch(f"/leads/{lead.pk}", {"company": "تغییر"})
        assert changed.status_code == (200 if changes else (403 if sees else 404)), (role, owner)
        assert (Lead.objects.get(pk=lead.pk).company == "تغییر") == changes


def test_sales_cannot_give_a_deal_to_another_team(api_as, users, make_deal):
    deal = make_deal()
    response = api_as("sales").patch(f"/deals/{deal.pk}", {"owner": users["outsider"].pk})
    assert_error(response, 422, "validation_error", "owner")
    deal.refresh_from_db()
    assert deal.owner == users["sales"]


def test_a_deal_for_a_customer_one_may_not_see_is_refused(api_as, make_org):
    hidden = make_org(owner="outsider", name="پنهان")
    response = api_as("sales").post("/deals", {"title": "x", "party_id": hidden.pk})
    assert_error(response, 422, "validation_error", "party_id")


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/deals").status_code == 401
