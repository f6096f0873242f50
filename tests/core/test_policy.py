"""The permission policy for every role, on own, teammates', other teams' and unowned records."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from peyvand.core import policy
from peyvand.core.models import AuditEvent, Role, Scope
from peyvand.core.services.users import role_scope_set
from peyvand.customers import services
from peyvand.customers.models import Kind, Party
from peyvand.customers.rules import PartyInput
from peyvand.interactions import services as interaction_services
from peyvand.interactions.models import Interaction
from peyvand.interactions.services.interactions import InteractionInput
from tests.roles import CHANGES, OWNERS, SEES


@pytest.fixture
def customers(users, make_person):
    made = {}
    for owner in OWNERS:
        party = make_person(owner=users["admin"], first_name=f"owner-{owner}")
        party.owner = users[owner] if owner else None
        party.save(update_fields=["owner"])
        made[owner] = party
    return made


@pytest.mark.parametrize("role", SEES)
def test_visible_lists_exactly_what_the_role_may_see(role, users, customers):
    seen = set(policy.visible(users[role], Party.objects.all()).values_list("pk", flat=True))
    assert seen == {customers[o].pk for o in SEES[role]}
    for owner, party in customers.items():
        assert policy.can_view(users[role], party) == (owner in SEES[role])


@pytest.mark.parametrize("role", CHANGES)
@pytest.mark.parametrize("owner", OWNERS)
def test_update_is_allowed_or_refused_without_changing_anything(role, owner, users, customers):
    party = customers[owner]
    events = AuditEvent.objects.count()
    if owner in CHANGES[role]:
        services.parties.party_update(party=party, actor=users[role], data=PartyInput(stage="prospect"))
        party.refresh_from_db()
        assert party.stage == "prospect"
    else:
        with pytest.raises(PermissionDenied):
            services.parties.party_update(party=party, actor=users[role], data=PartyInput(stage="prospect"))
        party.refresh_from_db()
        assert party.stage == "suspect"
        assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", CHANGES)
@pytest.mark.parametrize("owner", OWNERS)
def test_delete_is_allowed_or_refused(role, owner, users, customers):
    party = customers[owner]
    if owner in CHANGES[role]:
        services.parties.party_delete(party=party, actor=users[role])
        assert not Party.objects.filter(pk=party.pk).exists()
    else:
        with pytest.raises(PermissionDenied):
            services.parties.party_delete(party=party, actor=users[role])
        assert Party.objects.filter(pk=party.pk).exists()


@pytest.mark.parametrize("role", SEES)
@pytest.mark.parametrize("owner", OWNERS)
def test_anyone_who_sees_a_customer_may_log_a_contact(role, owner, users, customers):
    party = customers[owner]
    data = InteractionInput(channel="phone", subject="call")
    if owner in SEES[role] and role != "readonly":
        interaction = interaction_services.interactions.interaction_log(
            party=party, actor=users[role], data=data
        )
        assert interaction.handled_by == users[role]
    else:
        with pytest.raises(PermissionDenied):
            interaction_services.interactions.interaction_log(party=party, actor=users[role], data=data)
        assert not Interaction.objects.filter(party=party).exists()


def test_an_interaction_is_changed_by_whoever_handled_it(users, customers):
    interaction = interaction_services.interactions.interaction_log(
        party=customers["sales"],
        actor=users["support"],
        data=InteractionInput(channel="phone", subject="call"),
    )
    with pytest.raises(PermissionDenied):
        interaction_services.interactions.interaction_update(
            interaction=interaction, actor=users["sales"], data=InteractionInput(subject="x")
        )
    interaction_services.interactions.interaction_update(
        interaction=interaction, actor=users["support"], data=InteractionInput(subject="fixed")
    )
    interaction_services.interactions.interaction_update(
        interaction=interaction, actor=users["manager"], data=InteractionInput(subject="by manager")
    )
    interaction.refresh_from_db()
    assert interaction.subject == "by manager"


@pytest.mark.parametrize("role", ["sales", "support", "marketing", "readonly"])
def test_a_role_cannot_give_a_customer_to_someone_else(role, users):
    with pytest.raises((ValidationError, PermissionDenied)):
        services.parties.party_create(
            actor=users[role], kind=Kind.PERSON, data=PartyInput(last_name="X", owner=users["sales2"])
        )
    assert not Party.objects.filter(last_name="X").exists()


def test_new_customers_belong_to_their_creator(users):
    party = services.parties.party_create(
        actor=users["sales"], kind=Kind.PERSON, data=PartyInput(last_name="Mine")
    )
    assert party.owner == users["sales"]


def test_readonly_is_refused_creating(users):
    with pytest.raises(PermissionDenied):
        services.parties.party_create(
            actor=users["readonly"], kind=Kind.PERSON, data=PartyInput(last_name="X")
        )


def test_inactive_users_reach_nothing(users, customers):
    users["admin"].is_active = False
    assert not policy.visible(users["admin"], Party.objects.all()).exists()


def test_administrator_override_gives_readonly_what_it_is_given(users, customers):
    role_scope_set(role=Role.READONLY, resource="party", action="view", scope=Scope.ALL, actor=users["admin"])
    readonly = type(users["readonly"]).objects.get(pk=users["readonly"].pk)  # fresh: no cached policy
    assert policy.visible(readonly, Party.objects.all()).count() == len(OWNERS)
    with pytest.raises(PermissionDenied):
        services.parties.party_update(
            party=customers["sales"], actor=readonly, data=PartyInput(stage="customer")
        )
    assert policy.effective_matrix()[Role.READONLY]["party"]["view"] == Scope.ALL
    assert AuditEvent.objects.filter(model="core.rolescope").exists()


def test_only_an_administrator_changes_the_policy(users):
    with pytest.raises(PermissionDenied):
        role_scope_set(
            role=Role.SALES, resource="party", action="change", scope=Scope.ALL, actor=users["manager"]
        )
    assert policy.effective_matrix()[Role.SALES]["party"]["change"] == Scope.OWN
