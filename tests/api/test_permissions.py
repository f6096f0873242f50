"""The permission policy through the API, per role; a denied request changes nothing.

A record the caller may not see answers 404, exactly as a missing one (no existence
leak); one they see but may not change answers 403.
"""

import pytest

from peyvand.core.models import AuditEvent
from peyvand.customers.models import ContactPoint, Membership, Note, Party, PartyTag
from peyvand.interactions import services as interaction_services
from peyvand.interactions.models import Interaction
from peyvand.interactions.services.interactions import InteractionInput
from tests.api.conftest import assert_error, ids
from tests.roles import CHANGES, OWNERS, SEES


@pytest.fixture
def customers(users, make_person):
    made = {}
    for owner in OWNERS:
        party = make_person(owner=users["admin"], first_name=f"owner-{owner}")
        Party.objects.filter(pk=party.pk).update(owner=users[owner] if owner else None)
        made[owner] = Party.objects.get(pk=party.pk)
    return made


def snapshot():
    """Everything a denied request must leave as it was."""
    return (
        list(Party.all_objects.order_by("pk").values_list("pk", "stage", "owner_id", "deleted_at")),
        ContactPoint.all_objects.count(),
        Note.all_objects.count(),
        Membership.all_objects.count(),
        PartyTag.objects.count(),
        Interaction.all_objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", SEES)
def test_list_and_read_show_exactly_what_the_role_may_see(role, api_as, customers):
    client = api_as(role)
    assert set(ids(client.get("/people", {"limit": 200}))) == {customers[o].pk for o in SEES[role]}
    for owner, party in customers.items():
        response = client.get(f"/people/{party.pk}")
        if owner in SEES[role]:
            assert response.status_code == 200
        else:
            assert_error(response, 404, "not_found")


@pytest.mark.parametrize("role", CHANGES)
@pytest.mark.parametrize("owner", OWNERS)
def test_update_is_allowed_or_refused_without_changing_anything(role, owner, api_as, customers):
    party, client = customers[owner], api_as(role)
    before = snapshot()
    response = client.patch(f"/people/{party.pk}", {"stage": "customer"})
    if owner in CHANGES[role]:
        assert response.status_code == 200, response.content
        assert Party.objects.get(pk=party.pk).stage == "customer"
        return
    assert_error(
        response,
        403 if owner in SEES[role] else 404,
        "permission_denied" if owner in SEES[role] else "not_found",
    )
    assert snapshot() == before


@pytest.mark.parametrize("role", CHANGES)
@pytest.mark.parametrize("owner", OWNERS)
def test_delete_is_allowed_or_refused_without_changing_anything(role, owner, api_as, customers):
    party, client = customers[owner], api_as(role)
    before = snapshot()
    response = client.delete(f"/people/{party.pk}")
    if owner in CHANGES[role]:
        assert response.status_code == 204
        assert Party.all_objects.get(pk=party.pk).deleted_at is not None
        return
    assert response.status_code == (403 if owner in SEES[role] else 404)
    assert snapshot() == before


def test_another_teams_sales_user_gets_404_everywhere_and_changes_nothing(
    api_as, users, make_person, make_org
):
    """IDOR: team B's salesperson probes team A's customer by id, through every endpoint."""
    victim = make_person(owner="sales", contacts=[{"kind": "phone", "value": "09121234567"}], tags=["vip"])
    org = make_org(owner="sales")
    membership = Membership.objects.create(person=victim, organisation=org, title="t")
    note = Note.objects.create(party=victim, body="secret", created_by=users["sales"])
    point = victim.contact_points.get()
    interaction = interaction_services.interactions.interaction_log(
        party=victim, actor=users["sales"], data=InteractionInput(channel="phone", subject="secret call")
    )
    own = make_person(owner="outsider", first_name="خودی")
    attacker = api_as("outsider")
    before = snapshot()

    not_found = [
        attacker.get(f"/people/{victim.pk}"),
        attacker.patch(f"/people/{victim.pk}", {"stage": "former", "owner": users["outsider"].pk}),
        attacker.delete(f"/people/{victim.pk}"),
        attacker.post(f"/people/{victim.pk}/merge", {"other_id": own.pk}),
        attacker.get(f"/organisations/{org.pk}"),
        attacker.get(f"/parties/{victim.pk}/contact-points"),
        attacker.post(f"/parties/{victim.pk}/contact-points", {"kind": "email", "value": "x@example.com"}),
        attacker.get(f"/contact-points/{point.pk}"),
        attacker.patch(f"/contact-points/{point.pk}", {"value": "09351112233"}),
        attacker.delete(f"/contact-points/{point.pk}"),
        attacker.get(f"/people/{victim.pk}/memberships"),
        attacker.post(f"/people/{victim.pk}/memberships", {"organisation_id": org.pk}),
        attacker.patch(f"/memberships/{membership.pk}", {"title": "x"}),
        attacker.delete(f"/memberships/{membership.pk}"),
        attacker.get(f"/parties/{victim.pk}/notes"),
        attacker.post(f"/parties/{victim.pk}/notes", {"body": "x"}),
        attacker.patch(f"/notes/{note.pk}", {"body": "x"}),
        attacker.delete(f"/notes/{note.pk}"),
        attacker.put(f"/parties/{victim.pk}/tags", {"names": []}),
        attacker.get(f"/parties/{victim.pk}/timeline"),
        attacker.get(f"/interactions/{interaction.pk}"),
        attacker.patch(f"/interactions/{interaction.pk}", {"subject": "x"}),
        attacker.delete(f"/interactions/{interaction.pk}"),
    ]
    for response in not_found:
        assert_error(response, 404, "not_found")
    # Ids in a body that point at the victim are field errors, never a write.
    assert_error(
        attacker.post(f"/people/{own.pk}/merge", {"other_id": victim.pk}),
        422,
        "validation_error",
        "other_id",
    )
    assert_error(
        attacker.post("/interactions", {"party_id": victim.pk, "channel": "phone", "subject": "x"}),
        422,
        "validation_error",
        "party_id",
    )
    assert_error(
        attacker.post("/people", {"last_name": "x", "organisations": [{"id": org.pk}]}),
        422,
        "validation_error",
        "organisations.0.id",
    )
    # Lists and search leak nothing either.
    assert victim.pk not in ids(attacker.get("/people", {"q": "کریمی"}))
    assert interaction.pk not in ids(attacker.get("/interactions"))
    assert ids(attacker.get("/interactions", {"party": victim.pk})) == []
    assert snapshot() == before
    assert "secret" not in str([r.content for r in not_found])


def test_support_logs_calls_for_the_team_but_changes_only_their_own(api_as, users, make_person):
    party = make_person(owner="sales")
    sales_call = interaction_services.interactions.interaction_log(
        party=party, actor=users["sales"], data=InteractionInput(channel="phone", subject="sales call")
    )
    support = api_as("support")
    response = support.post("/interactions", {"party_id": party.pk, "channel": "chat", "subject": "help"})
    assert response.status_code == 201, response.content
    own = response.json()["id"]
    assert support.patch(f"/interactions/{own}", {"outcome": "resolved"}).json()["outcome"] == "resolved"
    assert_error(support.patch(f"/interactions/{sales_call.pk}", {"subject": "x"}), 403, "permission_denied")
    assert_error(support.delete(f"/interactions/{sales_call.pk}"), 403, "permission_denied")
    assert Interaction.objects.get(pk=sales_call.pk).subject == "sales call"
    # Support sees the customer but may not change it.
    assert_error(support.patch(f"/people/{party.pk}", {"stage": "customer"}), 403, "permission_denied")
    assert_error(support.put(f"/parties/{party.pk}/tags", {"names": ["x"]}), 403, "permission_denied")


def test_sales_may_only_log_interactions_as_themselves(api_as, users, make_person):
    party = make_person(owner="sales")
    response = api_as("sales").post(
        "/interactions",
        {
            "party_id": party.pk,
            "channel": "phone",
            "subject": "x",
            "handled_by": users["sales2"].pk,
        },
    )
    assert_error(response, 422, "validation_error", "handled_by")
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("role", SEES)
def test_interaction_list_follows_the_customers_visibility(role, api_as, users, customers):
    logged = {
        owner: interaction_services.interactions.interaction_log(
            party=party, actor=users["admin"], data=InteractionInput(channel="email", subject=f"to {owner}")
        )
        for owner, party in customers.items()
    }
    expected = {logged[o].pk for o in SEES[role]}
    assert set(ids(api_as(role).get("/interactions", {"limit": 200}))) == expected
