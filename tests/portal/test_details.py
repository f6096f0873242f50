"""A customer changes their details in the portal: written at once, or held for staff's
review where the company asks for it; validated as staff's edits are; on the timeline with
the portal's mark; staff told; a contact changes only their own person (and their
organisation's address only with organisation rights); staff approve or reject from a list
(filtered, sorted, paged, in a fixed number of queries) or from the customer's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peyvand.core import policy
from peyvand.core.models import AuditEvent
from peyvand.core.services.company import CompanyProfileInput, company_profile_save
from peyvand.customers.models import ContactPoint, Membership, Party
from peyvand.notifications.models import Notification
from peyvand.portal.models import ChangeStatus, DetailChange
from peyvand.portal.services import accounts as portal_accounts
from peyvand.portal.services import details
from tests.portal.conftest import portal_client

pytestmark = pytest.mark.django_db


def _form(**values: str) -> dict[str, str]:
    data = {
        "first_name": "آرش",
        "last_name": "مشتری",
        "email": "arash@example.com",
        "phone": "",
        "street": "",
        "city": "",
        "province": "",
        "postal_code": "",
    }
    data.update(values)
    return data


def _review(admin: Any, on: bool = True) -> None:
    company_profile_save(actor=admin, data=CompanyProfileInput(portal_review_details=on))


def _state(*parties: Party) -> list[Any]:
    """What a refused or held change must leave as it was."""
    rows: list[Any] = []
    for party in parties:
        party.refresh_from_db()
        rows.append((party.first_name, party.last_name, party.primary_email, party.primary_phone))
        rows.append(
            sorted(
                ContactPoint.objects.filter(party=party, deleted_at__isnull=True).values_list(
                    "kind", "value", "street", "city", "postal_code", "is_primary"
                )
            )
        )
        rows.append(sorted(Membership.objects.filter(person=party).values_list("pk", "title")))
    return rows


def _address(party: Party) -> ContactPoint:
    return ContactPoint.objects.get(party=party, kind=ContactPoint.Kind.ADDRESS, deleted_at__isnull=True)


def test_a_change_applies_at_once_when_the_company_does_not_review(world, users):
    a, b = world["records"]["a"].party, world["records"]["b"].party
    others = _state(b)
    response = portal_client(world["accounts"]["a"]).post(
        reverse("portal:details_save"),
        _form(
            first_name="آرشام",
            email="Arsham@Example.com",
            phone="۰۹۱۲ ۳۴۵ ۶۷۸۹",  # Persian digits and spaces, as a customer types them
            street="خیابان ولیعصر، پلاک ۱۰",
            city="تهران",
            province="تهران",
            postal_code="۱۲۳۴۵۶۷۸۹۰",
        ),
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.first_name == "آرشام" and a.display_name == "آرشام مشتری"
    assert a.primary_email == "arsham@example.com"
    assert a.primary_phone == "+989123456789"
    address = _address(a)
    assert (address.city, address.postal_code) == ("تهران", "1234567890")
    assert "ولیعصر" in address.value
    assert _state(b) == others
    change = DetailChange.objects.get(party=a)
    assert change.status == ChangeStatus.APPLIED and change.changes["first_name"] == ["آرش", "آرشام"]
    marked = AuditEvent.objects.filter(party_id=a.pk, changes__has_key="portal_details_changed")
    assert marked.count() == 1 and marked.get().changes["portal"] == [None, "آرش مشتری"]
    note = Notification.objects.get(kind="portal_details_changed")
    assert note.recipient == users["sales"] and note.party_id == a.pk


def test_bad_values_get_their_reasons_and_change_nothing(world):
    a = world["records"]["a"].party
    client = portal_client(world["accounts"]["a"])
    before, audit = _state(a), AuditEvent.objects.count()
    for values, field, message in (
        ({"email": "not-an-email"}, "email", "email"),
        ({"phone": "12"}, "phone", "phone"),
        ({"first_name": "", "last_name": ""}, "last_name", "first or last name"),
        ({"email": ""}, "email", "Enter your email address."),
        ({"city": "x" * 101}, "city", "100"),
    ):
        response = client.post(reverse("portal:details_save"), _form(**values), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, values
        errors = response.context["details_form"].errors
        assert field in errors, (values, errors)
        assert message.lower() in " ".join(errors[field]).lower(), (values, errors)
    assert _state(a) == before
    assert AuditEvent.objects.count() == audit
    assert not DetailChange.objects.exists()


def test_nothing_changed_writes_nothing(world):
    client = portal_client(world["accounts"]["a"])
    audit = AuditEvent.objects.count()
    assert client.post(reverse("portal:details_save"), _form()).status_code == 302
    assert AuditEvent.objects.count() == audit and not DetailChange.objects.exists()


def test_a_held_change_waits_for_review_and_staff_approve_it(world, users):
    _review(users["admin"])
    a = world["records"]["a"].party
    client = portal_client(world["accounts"]["a"])
    before = _state(a)
    response = client.post(reverse("portal:details_save"), _form(last_name="رضایی", phone="09121112233"))
    assert response.status_code == 302
    assert _state(a) == before  # nothing written yet
    change = DetailChange.objects.get(party=a)
    assert change.status == ChangeStatus.PENDING
    assert change.changes == {"last_name": ["مشتری", "رضایی"], "phone": ["", "+989121112233"]}
    assert Notification.objects.filter(kind="portal_details_review", recipient=users["sales"]).count() == 1
    page = client.get(reverse("portal:profile"))
    assert page.context["details_form"].initial["last_name"] == "رضایی"  # the form shows what waits
    assert b'data-testid="details-waiting"' in page.content
    # A second change replaces the first: one request waits per customer.
    client.post(reverse("portal:details_save"), _form(last_name="رضایی‌پور", phone="09121112233"))
    change = DetailChange.objects.get(party=a)
    assert change.changes["last_name"] == ["مشتری", "رضایی‌پور"]

    staff = Client()
    staff.force_login(users["sales"])
    listed = staff.get(reverse("portal_staff:changes"))
    assert [c.pk for c in listed.context["page"]] == [change.pk]
    detail = staff.get(reverse("party_detail", args=[a.pk]))
    assert b'data-testid="portal-changes-panel"' in detail.content
    response = staff.post(reverse("portal_staff:change_approve", args=[change.pk]), {"next": "party"})
    assert response.status_code == 302 and response["Location"] == reverse("party_detail", args=[a.pk])
    a.refresh_from_db()
    assert (a.last_name, a.primary_phone) == ("رضایی‌پور", "+989121112233")
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeStatus.APPROVED, users["sales"])
    # The customers' own audit names the approver; the portal's event says where it came from.
    assert AuditEvent.objects.filter(model="customers.party", object_id=a.pk, actor=users["sales"]).exists()
    # Decided once: approving again changes nothing.
    audit = AuditEvent.objects.count()
    staff.post(reverse("portal_staff:change_approve", args=[change.pk]))
    assert AuditEvent.objects.count() == audit


def test_staff_reject_a_held_change_and_nothing_is_written(world, users):
    _review(users["admin"])
    a = world["records"]["a"].party
    portal_client(world["accounts"]["a"]).post(reverse("portal:details_save"), _form(first_name="کسی دیگر"))
    before = _state(a)
    change = DetailChange.objects.get(party=a)
    staff = Client()
    staff.force_login(users["sales"])
    assert (
        staff.post(
            reverse("portal_staff:change_reject", args=[change.pk]), {"reason": "نام در مدارک"}
        ).status_code
        == 302
    )
    change.refresh_from_db()
    assert (change.status, change.reason) == (ChangeStatus.REJECTED, "نام در مدارک")
    assert _state(a) == before


@pytest.mark.parametrize("role", ["outsider", "readonly"])
def test_staff_who_may_not_change_the_customer_cannot_decide(world, users, role):
    _review(users["admin"])
    a = world["records"]["a"].party
    portal_client(world["accounts"]["a"]).post(reverse("portal:details_save"), _form(first_name="آرین"))
    change = DetailChange.objects.get(party=a)
    before, audit = _state(a), AuditEvent.objects.count()
    staff = Client()
    staff.force_login(users[role])
    for name in ("portal_staff:change_approve", "portal_staff:change_reject"):
        assert staff.post(reverse(name, args=[change.pk])).status_code in (403, 404)
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING
    assert _state(a) == before and AuditEvent.objects.count() == audit
    listed = [c.pk for c in staff.get(reverse("portal_staff:changes")).context["page"]]
    assert listed == ([change.pk] if policy.can_view(users[role], a) else [])  # seen only as its customer is
    assert role != "outsider" or not listed


def test_language_and_consent_apply_at_once_even_under_review(world, users):
    _review(users["admin"])
    a = world["records"]["a"].party
    client = portal_client(world["accounts"]["a"])
    response = client.post(reverse("portal:profile"), {"language": "en", "sms_consent": "on"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.sms_consent and a.sms_consent_source == "portal"
    assert not DetailChange.objects.exists()


def test_a_contact_changes_their_job_title(world, users):
    account = world["accounts"]["contact"]
    membership = Membership.objects.get(person=account.party, organisation=world["org"])
    client = portal_client(account)
    page = client.get(reverse("portal:profile"))
    assert f"title_{membership.pk}" in page.context["details_form"].fields
    assert page.context["organisation_form"] is None  # no organisation rights: no address form
    response = client.post(
        reverse("portal:details_save"),
        _form(first_name="کاوه", email="kaveh@omid.example", **{f"title_{membership.pk}": "مدیر خرید"}),
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.title == "مدیر خرید"


def test_the_organisation_address_needs_organisation_rights(world, users):
    org, b = world["org"], world["records"]["b"].party
    before = _state(org, b)
    audit = AuditEvent.objects.count()
    data = {"organisation": str(org.pk), "street": "خیابان آزادی", "city": "شیراز"}
    # A contact without organisation rights: the page is not found and nothing changes.
    assert (
        portal_client(world["accounts"]["contact"])
        .post(reverse("portal:organisation_address_save"), data)
        .status_code
        == 404
    )
    # Customer A, no organisation at all: the same.
    assert (
        portal_client(world["accounts"]["a"])
        .post(reverse("portal:organisation_address_save"), data)
        .status_code
        == 404
    )
    manager = portal_client(world["accounts"]["manager"])
    # Another customer's record (B, a person; not one of the manager's organisations): refused.
    response = manager.post(reverse("portal:organisation_address_save"), {**data, "organisation": str(b.pk)})
    assert response.status_code == 400
    assert _state(org, b) == before and AuditEvent.objects.count() == audit
    # The contact allowed the organisation's records changes its address.
    assert manager.post(reverse("portal:organisation_address_save"), data).status_code == 302
    assert _address(org).city == "شیراز"
    change = DetailChange.objects.get(party=org)
    assert change.account == world["accounts"]["manager"] and change.status == ChangeStatus.APPLIED


def test_the_service_refuses_an_organisation_without_rights(world):
    with pytest.raises(Exception) as caught:
        details.portal_organisation_address_change(
            account=world["accounts"]["contact"],
            organisation=world["org"],
            data=details.AddressInput(city="قم"),
        )
    assert caught.type.__name__ == "PermissionDenied"


def test_staff_list_filters_sorts_and_pages_in_a_fixed_number_of_queries(
    world, users, make_person, django_assert_max_num_queries
):
    _review(users["admin"])
    for index in range(30):
        person = make_person(
            first_name=f"مشتری{index:02d}", contacts=[{"kind": "email", "value": f"p{index}@example.com"}]
        )
        point = person.contact_points.get()
        portal_accounts.portal_invite(
            actor=users["sales"],
            party=person,
            data=portal_accounts.InviteInput(contact=point, channel="email"),
        )
        account = person.portal_accounts.get()
        details.portal_details_change(
            account=account,
            data=details.DetailsInput(
                first_name=f"تازه{index:02d}", last_name="کریمی", email=f"p{index}@example.com", phone=""
            ),
        )
    staff = Client()
    staff.force_login(users["sales"])
    with django_assert_max_num_queries(20):
        first = staff.get(reverse("portal_staff:changes"), {"status": "pending", "sort": "customer"})
    assert len(first.context["page"]) == 25
    names = [c.party.sort_key for c in first.context["page"]]
    assert names == sorted(names)
    cursor = first.context["page"].next_cursor
    second = staff.get(
        reverse("portal_staff:changes"), {"status": "pending", "sort": "customer", "cursor": cursor}
    )
    assert len(second.context["page"]) == 5
    assert not {c.pk for c in first.context["page"]} & {c.pk for c in second.context["page"]}
    assert len(staff.get(reverse("portal_staff:changes"), {"status": "rejected"}).context["page"]) == 0
    assert staff.get(reverse("portal_staff:changes"), {"cursor": "garbage"}).status_code == 302
    assert staff.get(reverse("portal_staff:changes"), {"status": "nonsense"}).status_code == 200


def test_asking_back_what_is_withdraws_the_waiting_change(world, users):
    _review(users["admin"])
    a = world["records"]["a"].party
    client = portal_client(world["accounts"]["a"])
    client.post(reverse("portal:details_save"), _form(first_name="آرمان"))
    assert DetailChange.objects.filter(party=a, status=ChangeStatus.PENDING).exists()
    client.post(reverse("portal:details_save"), _form())
    assert not DetailChange.objects.exists()
    assert AuditEvent.objects.filter(party_id=a.pk, changes__has_key="portal_details_withdrawn").count() == 1


def test_a_customer_without_an_owner_tells_the_administrators(world, users):
    a = world["records"]["a"].party
    Party.objects.filter(pk=a.pk).update(owner=None)
    portal_client(world["accounts"]["a"]).post(reverse("portal:details_save"), _form(first_name="آرمین"))
    assert list(Notification.objects.values_list("recipient", flat=True)) == [users["admin"].pk]
