"""Custom roles: copied from a role, renamed, given users and a two-factor rule, deleted only
when nobody has them; their scopes are theirs, their base decides the rest."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from peyvand.core import policy
from peyvand.core.models import AuditEvent, CustomRole, Role, RoleScope, Scope, User
from peyvand.core.selectors.audit import describe_events
from peyvand.core.services import roles, two_factor
from peyvand.core.services import users as user_services
from peyvand.core.services.roles import CustomRoleNames

pytestmark = pytest.mark.django_db


def names(en: str = "Senior sales", fa: str = "فروش ارشد") -> CustomRoleNames:
    return CustomRoleNames(name_fa=fa, name_en=en)


def test_a_copy_takes_the_scopes_the_source_has_now(admin: User) -> None:
    user_services.role_scope_set(
        role=Role.SALES, resource="party", action="change", scope="team", actor=admin
    )
    role = roles.custom_role_copy(actor=admin, source=Role.SALES, names=names())
    assert role.base == Role.SALES
    matrix = policy.effective_matrix()
    assert matrix[policy.custom_role_key(role.pk)] == matrix[Role.SALES]
    # Changing the source later leaves the copy as it was, and the other way round.
    user_services.role_scope_set(role=Role.SALES, resource="party", action="change", scope="own", actor=admin)
    key = policy.custom_role_key(role.pk)
    user_services.role_scope_set(role=key, resource="lead", action="view", scope="all", actor=admin)
    matrix = policy.effective_matrix()
    assert matrix[key]["party"]["change"] == Scope.TEAM
    assert matrix[key]["lead"]["view"] == Scope.ALL
    assert matrix[Role.SALES]["lead"]["view"] == Scope.TEAM
    # A copy of the copy has its scopes and its base.
    again = roles.custom_role_copy(actor=admin, source=key, names=names("Lead hunter", "شکارچی سرنخ"))
    assert again.base == Role.SALES
    assert policy.effective_matrix()[policy.custom_role_key(again.pk)] == matrix[key]


def test_a_custom_roles_user_behaves_as_its_base_but_reaches_by_its_own_row(
    admin: User, users: dict[str, User], make_person: Any
) -> None:
    role = roles.custom_role_copy(actor=admin, source=Role.SALES, names=names())
    key = policy.custom_role_key(role.pk)
    user_services.role_scope_set(role=key, resource="party", action="change", scope="team", actor=admin)
    mate = make_person(owner="sales2")
    user_services.user_update(user=users["sales"], actor=admin, role=key)
    seller = User.objects.get(pk=users["sales"].pk)
    assert seller.role == Role.SALES and seller.custom_role == role
    assert policy.can_change(seller, mate)
    assert not policy.can_change(User.objects.get(pk=users["sales2"].pk), make_person(owner="sales"))
    # Back to a built-in role: the custom role's row no longer applies.
    user_services.user_update(user=seller, actor=admin, role=Role.SALES)
    seller = User.objects.get(pk=seller.pk)
    assert seller.custom_role is None and not policy.can_change(seller, mate)


def test_names_are_required_and_unique_in_each_language(admin: User) -> None:
    roles.custom_role_copy(actor=admin, source=Role.SALES, names=names())
    with pytest.raises(ValidationError) as caught:
        roles.custom_role_copy(actor=admin, source=Role.SUPPORT, names=names("senior SALES", " "))
    assert set(caught.value.message_dict) == {"name_fa", "name_en"}
    with pytest.raises(ValidationError) as caught:
        roles.custom_role_copy(actor=admin, source=Role.SUPPORT, names=names("Manager", "مدیر ۲"))
    assert set(caught.value.message_dict) == {"name_en"}  # a built-in role's name
    with pytest.raises(ValidationError):
        roles.custom_role_copy(actor=admin, source=Role.ADMIN, names=names("Boss", "رئیس"))
    with pytest.raises(ValidationError):
        roles.custom_role_copy(actor=admin, source="custom-999", names=names("Ghost", "شبح"))


def test_only_an_administrator_makes_or_changes_roles(admin: User, users: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        roles.custom_role_copy(actor=users["manager"], source=Role.SALES, names=names())
    role = roles.custom_role_copy(actor=admin, source=Role.SALES, names=names())
    with pytest.raises(PermissionDenied):
        roles.custom_role_delete(actor=users["manager"], role=role)


def test_renaming_is_audited_and_a_held_role_cannot_be_deleted(admin: User, users: dict[str, User]) -> None:
    role = roles.custom_role_copy(actor=admin, source=Role.SUPPORT, names=names("Desk", "میز"))
    roles.custom_role_rename(actor=admin, role=role, names=names("Help desk", "میز پشتیبانی"))
    assert CustomRole.objects.get(pk=role.pk).name_en == "Help desk"
    assert AuditEvent.objects.filter(model="core.customrole", kind=AuditEvent.Kind.UPDATE).exists()
    user_services.user_update(user=users["support"], actor=admin, role=policy.custom_role_key(role.pk))
    user_services.user_update(user=users["support"], actor=admin, is_active=False)
    with translation.override("en"), pytest.raises(ValidationError, match="1 user has this role"):
        roles.custom_role_delete(actor=admin, role=role)
    user_services.user_update(user=users["support"], actor=admin, role=Role.SUPPORT)
    roles.custom_role_delete(actor=admin, role=role)
    assert (
        not CustomRole.objects.exists() and not RoleScope.objects.filter(custom_role__isnull=False).exists()
    )


def test_two_factor_is_required_of_a_custom_role_by_its_own_rule(admin: User, users: dict[str, User]) -> None:
    two_factor.two_factor_roles_set(roles={Role.SALES}, actor=admin)
    role = roles.custom_role_copy(actor=admin, source=Role.SALES, names=names())
    assert role.two_factor_required  # copied with the rest
    key = policy.custom_role_key(role.pk)
    two_factor.two_factor_roles_set(roles={Role.SALES}, actor=admin)
    user_services.user_update(user=users["sales2"], actor=admin, role=key)
    assert not two_factor.two_factor_required(User.objects.get(pk=users["sales2"].pk))
    assert two_factor.two_factor_required(users["sales"])
    two_factor.two_factor_roles_set(roles={key}, actor=admin)
    assert two_factor.two_factor_required_roles() == {key}
    assert two_factor.two_factor_required(User.objects.get(pk=users["sales2"].pk))


def test_the_pages_copy_rename_list_and_refuse_to_delete(
    client: Any, admin: User, users: dict[str, User]
) -> None:
    admin.language = "en"  # names and messages in English
    admin.save(update_fields=["language"])
    client.force_login(admin)
    response = client.post(
        reverse("roles"), {"source": "sales", "name_fa": "فروش ارشد", "name_en": "<b>Senior</b>"}
    )
    role = CustomRole.objects.get()
    key = policy.custom_role_key(role.pk)
    assert response.status_code == 302 and response["Location"].endswith(f"#role-{key}")
    page = client.get(reverse("permissions")).content.decode()
    assert f'id="role-{key}"' in page and "&lt;b&gt;Senior&lt;/b&gt;" in page and "<b>Senior" not in page
    client.post(reverse("permissions"), {f"{key}.deal.view": "all"})
    assert policy.effective_matrix()[key]["deal"]["view"] == Scope.ALL
    event = AuditEvent.objects.filter(model="core.rolescope").latest("pk")
    with translation.override("en"):
        assert describe_events([event])[0].record.startswith("<b>Senior</b> · ")
    # Bad input: an unknown role to copy, blank names, a role that is not a number.
    response = client.post(reverse("roles"), {"source": "custom-x", "name_fa": "", "name_en": ""})
    assert response.status_code == 200 and CustomRole.objects.count() == 1
    assert client.get("/admin/roles/abc/").status_code == 404
    # A user given the role through the user form; the list filters by it.
    form = {"username": "sales2", "role": key, "time_zone": "Asia/Tehran", "is_active": "on"}
    assert client.post(reverse("user_edit", kwargs={"pk": users["sales2"].pk}), form).status_code == 302
    assert User.objects.get(pk=users["sales2"].pk).custom_role == role
    listed = client.get(reverse("users"), {"role": key}).content.decode()
    assert "sales2" in listed and ">sales<" not in listed
    response = client.post(reverse("role_delete", kwargs={"pk": role.pk}), follow=True)
    assert "1 user has this role" in response.content.decode() and CustomRole.objects.exists()
    client.post(reverse("role_edit", kwargs={"pk": role.pk}), {"name_fa": "ارشد", "name_en": "Senior"})
    assert CustomRole.objects.get().name_en == "Senior"
