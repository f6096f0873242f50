"""The roles API: administrators only; the built-in and custom roles with their row of the
matrix and two-factor rule; a copy made and changed all or nothing, with the /admin/roles/
pages' validation; a role held by users is not deleted. And /me names a custom role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from peyvand.core import policy
from peyvand.core.models import AuditEvent, CustomRole, Role, RoleScope, RoleSecurity, User
from peyvand.core.services import roles
from peyvand.core.services.users import user_update

from .conftest import assert_error

pytestmark = pytest.mark.django_db

NEW = {"source": "sales", "name_fa": "فروش ارشد", "name_en": "Senior sales"}


def made(api: Any, **changes: Any) -> dict[str, Any]:
    response = api.post("/roles", {**NEW, **changes})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize("who", ["manager", "sales", "support", "marketing", "readonly", "custom"])
def test_every_role_but_the_administrator_is_refused(api_as: Any, users: dict[str, User], who: str) -> None:
    admin = users["admin"]
    role = roles.custom_role_copy(actor=admin, source="manager", names=roles.CustomRoleNames("ارشد", "Lead"))
    if who == "custom":  # a copy of the manager, reaching all customers: still no administrator
        roles.role_update(
            actor=admin,
            key=role.key,
            change=roles.RoleChange(scopes={"party": {"view": "all", "change": "all"}}),
        )
        user_update(user=users["manager"], actor=admin, role=role.key)
        who = "manager"
    client = api_as(who)
    assert_error(client.get("/roles"), 403, "permission_denied")
    assert_error(client.get("/roles/sales"), 403, "permission_denied")
    assert_error(client.post("/roles", NEW), 403, "permission_denied")
    assert_error(
        client.patch("/roles/sales", {"scopes": {"party": {"view": "all"}}}), 403, "permission_denied"
    )
    assert_error(client.patch(f"/roles/{role.key}", {"name_en": "Mine"}), 403, "permission_denied")
    assert_error(client.delete(f"/roles/{role.key}"), 403, "permission_denied")
    assert CustomRole.objects.get().name_en == "Lead" and CustomRole.objects.count() == 1
    assert policy.effective_matrix()["sales"]["party"]["view"] == "team"


def test_the_administrator_lists_and_reads_roles(api: Any, admin: User, users: dict[str, User]) -> None:
    RoleSecurity.objects.create(role="support", two_factor_required=True)
    custom = roles.custom_role_copy(
        actor=admin, source="support", names=roles.CustomRoleNames("پشتیبان", "Desk")
    )
    listed = api.get("/roles").json()
    assert [r["key"] for r in listed] == [*Role.values, custom.key]
    support = next(r for r in listed if r["key"] == "support")
    assert support == {
        "key": "support",
        "name": "Support",
        "name_fa": support["name_fa"],
        "name_en": "Support",
        "custom": False,
        "base": "support",
        "two_factor_required": True,
        "holders": User.objects.filter(role="support", custom_role=None).count(),
    }
    assert support["name_fa"] and support["name_fa"] != "Support"
    one = api.get(f"/roles/{custom.key}").json()
    assert one["custom"] and one["base"] == "support" and one["two_factor_required"] is True  # copied
    assert one["scopes"] == api.get("/roles/support").json()["scopes"]
    assert one["scopes"]["party"] == {"view": "team", "change": "own"}
    everything = api.get("/roles/admin").json()["scopes"]
    assert set(everything) == set(policy.resources()) and {"all"} == {
        scope for actions in everything.values() for scope in actions.values()
    }
    for missing in ("custom-999999", "custom-x", "nobody", "custom-"):
        assert_error(api.get(f"/roles/{missing}"), 404, "not_found")


def test_a_copy_is_made_with_its_changes(
    api: Any, admin: User, users: dict[str, User], make_person: Any
) -> None:
    role = made(api, scopes={"party": {"change": "team"}, "deal": {"view": "all"}}, two_factor_required=True)
    assert role["key"].startswith("custom-") and role["name"] == "Senior sales" and role["base"] == "sales"
    assert role["scopes"]["party"] == {"view": "team", "change": "team"}
    assert role["scopes"]["deal"]["view"] == "all" and role["two_factor_required"] is True
    assert role["holders"] == 0
    created = CustomRole.objects.get()
    assert created.two_factor_required and AuditEvent.objects.filter(object_id=str(created.pk)).exists()
    # A user given it reaches by its row: a teammate's customer may be changed.
    user_update(user=users["sales"], actor=admin, role=role["key"])
    seller = User.objects.get(pk=users["sales"].pk)
    assert policy.can_change(seller, make_person(owner="sales2"))
    assert api.get(f"/roles/{role['key']}").json()["holders"] == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"source": "admin"}, "source"),
        ({"source": "custom-999999"}, "source"),
        ({"name_en": "Sales"}, "name_en"),  # a built-in role's name, in either language
        ({"name_fa": "فروش"}, "name_fa"),
        ({"name_en": "   "}, "name_en"),
        ({"scopes": {"nonsense": {"view": "all"}}}, "scopes"),
        ({"scopes": {"party": {"view": "everything"}}}, "scopes.party.view"),
        ({"scopes": {"party": {"delete": "all"}}}, "scopes.party.delete"),
        ({"two_factor_required": "maybe"}, "two_factor_required"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_wrong_copy_is_refused_and_nothing_made(api: Any, body: dict[str, Any], field: str) -> None:
    error = assert_error(api.post("/roles", {**NEW, **body}), 422, "validation_error")
    assert any(f["field"].startswith(field.split(".")[0]) for f in error["fields"]), error
    assert not CustomRole.objects.exists() and not RoleScope.objects.exists()


def test_a_role_is_changed_all_or_nothing(api: Any, admin: User) -> None:
    key = made(api)["key"]
    changed = api.patch(
        f"/roles/{key}", {"name_en": "Key accounts", "scopes": {"lead": {"view": "all"}}}
    ).json()
    assert (changed["name_en"], changed["name_fa"]) == ("Key accounts", "فروش ارشد")  # the other name stays
    assert changed["scopes"]["lead"]["view"] == "all"
    # A wrong cell: nothing of the change is kept, not even the name sent with it.
    response = api.patch(f"/roles/{key}", {"name_en": "Other", "scopes": {"party": {"view": "all"}, "x": {}}})
    assert_error(response, 422, "validation_error", field="scopes")
    after = api.get(f"/roles/{key}").json()
    assert after["name_en"] == "Key accounts" and after["scopes"]["party"]["view"] == "team"
    # A built-in role: its row and its two-factor rule change; its name and the administrator's reach do not.
    sales = api.patch(
        "/roles/sales", {"scopes": {"party": {"view": "all"}}, "two_factor_required": True}
    ).json()
    assert sales["scopes"]["party"]["view"] == "all" and sales["two_factor_required"] is True
    assert policy.effective_matrix()["sales"]["party"]["view"] == "all"
    assert_error(api.patch("/roles/sales", {"name_en": "Sellers"}), 422, "validation_error", field="name_fa")
    assert_error(api.patch("/roles/admin", {"scopes": {"party": {"view": "own"}}}), 422, "validation_error")
    assert api.patch("/roles/admin", {"two_factor_required": True}).json()["two_factor_required"] is True
    assert_error(api.patch("/roles/nobody", {"two_factor_required": True}), 404, "not_found")
    other = made(api, name_fa="دیگر", name_en="Other")["key"]
    assert_error(
        api.patch(f"/roles/{other}", {"name_en": "Key accounts"}), 422, "validation_error", field="name_en"
    )


def test_a_role_held_by_users_is_not_deleted(api: Any, admin: User, users: dict[str, User]) -> None:
    key = made(api)["key"]
    user_update(user=users["sales"], actor=admin, role=key)
    response = api.delete(f"/roles/{key}")
    error = assert_error(response, 422, "validation_error")
    assert "1 user has this role" in error["message"]
    assert_error(api.delete("/roles/sales"), 422, "validation_error")
    assert_error(api.delete("/roles/custom-999999"), 404, "not_found")
    user_update(user=users["sales"], actor=admin, role="sales")
    assert api.delete(f"/roles/{key}").status_code == 204
    assert not CustomRole.objects.exists() and not RoleScope.objects.exists()


def test_me_names_a_custom_role_at_the_same_query_count(
    api_as: Any, admin: User, users: dict[str, User], queries: Any
) -> None:
    key = made(api_as("admin"))["key"]
    roles.role_update(actor=admin, key=key, change=roles.RoleChange(scopes={"lead": {"view": "all"}}))
    user_update(user=users["sales"], actor=admin, role=key)
    plain, custom = api_as("sales2"), api_as("sales")
    plain.get("/me")
    custom.get("/me")
    with queries() as before:  # a user of a built-in role, with a team
        mine = plain.get("/me").json()
    with queries() as after:
        data = custom.get("/me").json()
    assert len(after) <= len(before) <= 3
    assert mine["custom_role"] is None and mine["role"] == "sales"
    assert data["role"] == "sales" and data["team"]["name"] == "Team A"
    assert data["custom_role"] == {
        "key": key,
        "name": "Senior sales",
        "name_fa": "فروش ارشد",
        "name_en": "Senior sales",
    }
    assert data["scopes"]["lead"]["view"] == "all" and mine["scopes"]["lead"]["view"] == "team"
    # Through the web UI's session too, named in the user's language.
    client = Client()
    client.force_login(User.objects.get(pk=users["sales"].pk))
    client.get("/api/v1/me")
    with queries() as session:
        shown = client.get("/api/v1/me", headers={"Accept-Language": "fa"}).json()["custom_role"]
    assert shown["key"] == key and shown["name"] in ("فروش ارشد", "Senior sales")
    assert len(session) <= 4  # as a session's /me cost before custom roles
