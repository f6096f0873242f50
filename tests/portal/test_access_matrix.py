"""The portal's access matrix, generated from the URL list of the ``portal`` namespace.

- Every portal page is classified here (public, the account's own lists, or a record's
  page); a new page that is not fails the test.
- For {anonymous, customer A, customer B, a contact of organisation O without its records,
  a contact of O allowed them} × {every customer's records} × {GET, POST}: a record that is
  not the visitor's is not found (or, anonymous, sends to the portal's sign-in), and a
  write to it changes nothing (the record, its thread and the audit log).
- Lists show the visitor's records and nobody else's.
- A contact who leaves the organisation no longer sees its records.
- A staff session opens no portal page; a portal session opens no staff page (to the staff
  sign-in) and no API operation (401).
- The partner pages (``/portal/partner/…``): for {anonymous, a customer, partner P, partner Q,
  P's user who left P's organisation} × {P's and Q's records} × {GET, POST}, only the
  partner's own users reach its records; the rest find nothing, a write changes nothing, and
  a customer who is no partner finds no partner page at all.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from peyvand.activities.models import Activity
from peyvand.core.models import AuditEvent
from peyvand.customers.models import ContactPoint, Membership, Party
from peyvand.customers.services.memberships import membership_add, membership_remove
from peyvand.portal.models import Appointment, PartnerDeal, Registration
from peyvand.portal.refs import ref_for
from peyvand.portal.selectors.appointments import free_slots
from peyvand.portal.services import accounts
from peyvand.portal.services.appointments import (
    BookingInput,
    BookingSettingsInput,
    appointment_book,
    booking_settings_save,
)
from peyvand.sales.models import Deal, Order, Quote, Stage
from peyvand.service.models import Message, Ticket
from tests.portal.conftest import invite, portal_client
from tests.security.test_access_matrix import PUBLIC_PAGES as STAFF_PUBLIC_PAGES
from tests.security.test_access_matrix import address, operations
from tests.security.test_access_matrix import pages as staff_pages

pytestmark = pytest.mark.django_db

# Pages anyone may open: getting in and out.
PUBLIC = {
    "portal:sign_in",
    "portal:code_request",
    "portal:code_sign_in",
    "portal:sign_out",
    "portal:invitation",
    "portal:logo",  # the company's logo, on the sign-in page too
}
# The signed-in account's own pages: lists and forms, about no record named in the address.
ACCOUNT_PAGES = {
    "portal:home",
    "portal:orders",
    "portal:invoices",
    "portal:quotes",
    "portal:tickets",
    "portal:ticket_create",
    "portal:knowledge",
    "portal:profile",
    "portal:details_save",  # the account's own person: no record in the address
    "portal:organisation_address_save",  # an organisation of the account's, chosen in the form
    "portal:appointments",  # the account's appointments, and the open teams' free times
    "portal:appointment_book",  # a team and a time (not a customer's record) in the form
}
# Pages about one record, by the kind of its reference.
RECORD_PAGES = {
    "portal:order_detail": "order",
    "portal:invoice_pdf": "invoice",
    "portal:quote_pdf": "quote",
    "portal:quote_accept": "quote",
    "portal:quote_decline": "quote",
    "portal:ticket_detail": "ticket",
    "portal:ticket_reply": "ticket",
    "portal:ticket_rate": "ticket",
    "portal:appointment_cancel": "appointment",
}
# The partner pages: a partner's own lists and forms, and its records by their reference.
PARTNER_PAGES = {
    "portal:partner_home",
    "portal:partner_registrations",
    "portal:partner_register",
    "portal:partner_deals",
    "portal:partner_customers",
    "portal:partner_commissions",
    "portal:partner_prices",
}
PARTNER_RECORD_PAGES = {
    "portal:partner_deal": "partner_deal",
    "portal:partner_deal_update": "partner_deal",
    "portal:partner_customer": "partner_customer",
}
PARTNER_POST_ONLY = {"portal:partner_deal_update"}
# Who sees whose records: the visitor -> the customers (of the ``world`` fixture) they reach.
REACHES = {
    "anonymous": set(),
    "a": {"a"},
    "b": {"b"},
    "contact": {"contact"},  # a contact of O, not allowed O's records
    "manager": {"manager", "o"},  # a contact of O allowed them
}
OWNERS = ("a", "b", "o", "contact", "manager")
# Pages that take only POST (a GET is refused before the record is looked for).
POST_ONLY = {
    "portal:ticket_reply",
    "portal:ticket_rate",
    "portal:quote_accept",
    "portal:quote_decline",
    "portal:appointment_cancel",
}


def meeting_subject(records: Any) -> str:
    return f"جلسه [{records.party.pk}]"


@pytest.fixture
def world(world: dict[str, Any], users: Any) -> dict[str, Any]:
    """The portal's ``world``, each customer with an appointment booked in the portal (the
    organisation's by its contact allowed its records)."""
    booking = booking_settings_save(
        actor=users["admin"],
        team=users["sales"].team,
        data=BookingSettingsInput(
            active=True,
            length_minutes=15,
            days_ahead=60,
            notice_hours=0,
            calendar=None,
            members=[users["sales"]],
        ),
    )
    slots = [slot for day in free_slots(booking) for slot in day.slots]
    booked_by = {"a": "a", "b": "b", "contact": "contact", "manager": "manager", "o": "manager"}
    for n, (owner, visitor) in enumerate(booked_by.items()):
        made = appointment_book(
            account=world["accounts"][visitor],
            booking=booking,
            data=BookingInput(starts_at=slots[n].starts_at, subject=meeting_subject(world["records"][owner])),
        )
        if owner == "o":  # booked for the organisation
            Appointment.objects.filter(pk=made.pk).update(party=world["records"]["o"].party)
        world["records"][owner].refs["appointment"] = ref_for("appointment", made.pk)
    return world


def portal_pages() -> list[tuple[str, list[str]]]:
    """(name, its arguments) of every page in the ``portal`` namespace."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace == "portal":
                found.append((f"portal:{pattern.name}", list(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_portal_page_is_classified():
    names = {name for name, _arguments in portal_pages()}
    assert len(names) >= 15
    classified = PUBLIC | ACCOUNT_PAGES | set(RECORD_PAGES) | PARTNER_PAGES | set(PARTNER_RECORD_PAGES)
    unclassified = names - classified
    assert not unclassified, f"classify these portal pages: {sorted(unclassified)}"
    assert not classified - names, "no longer pages"
    for name, arguments in portal_pages():
        assert (name in RECORD_PAGES or name in PARTNER_RECORD_PAGES) == (arguments == ["ref"]), name
        assert name.startswith("portal:partner") == (name in PARTNER_PAGES or name in PARTNER_RECORD_PAGES), (
            name
        )


def _client(world: dict[str, Any], visitor: str) -> Client:
    return Client() if visitor == "anonymous" else portal_client(world["accounts"][visitor])


def _state() -> tuple[Any, ...]:
    """What a refused write must leave as it was."""
    tickets = list(Ticket.objects.order_by("pk").values_list("pk", "status", "last_message_at", "updated_at"))
    quotes = list(Quote.objects.order_by("pk").values_list("pk", "status", "decided_at", "decline_reason"))
    return (
        AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first(),
        Message.objects.count(),
        Order.objects.count(),
        tickets,
        quotes,
        list(Appointment.objects.order_by("pk").values_list("pk", "status", "cancelled_at")),
        list(Activity.objects.order_by("pk").values_list("pk", "status")),
    )


def _is_sign_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("portal:sign_in")


@pytest.mark.parametrize("visitor", sorted(REACHES))
def test_record_pages_reach_only_ones_own_records(world, visitor):
    client = _client(world, visitor)
    checked = 0
    for name, _arguments in portal_pages():
        kind = RECORD_PAGES.get(name)
        if kind is None:
            continue
        for owner in OWNERS:
            ref = world["records"][owner].refs[kind]
            url = reverse(name, kwargs={"ref": ref})
            before = _state()
            allowed = owner in REACHES[visitor]
            response = client.get(url)
            if visitor == "anonymous":
                assert _is_sign_in(response), (visitor, url)
            elif allowed:
                assert response.status_code == (405 if name in POST_ONLY else 200), (visitor, url)
            else:  # a page that takes only POST says so before it looks for the record
                refused = 405 if name in POST_ONLY else 404
                assert response.status_code == refused, (visitor, owner, url, response.status_code)
            if not allowed:
                response = client.post(url, {"body": "نوشته‌ای که نباید ثبت شود", "reason": "نه"})
                assert _is_sign_in(response) if visitor == "anonymous" else response.status_code in (404, 405)
            if name != "portal:invoice_pdf" or not allowed:  # a download is noted on the timeline
                assert _state() == before, (visitor, owner, url)
            checked += 1
    assert checked == len(RECORD_PAGES) * len(OWNERS)


@pytest.mark.parametrize("visitor", ["a", "manager"])
def test_a_reference_must_be_ours_and_whole(world, visitor):
    """Ids alone, another kind's reference, a tampered signature: none finds anything."""
    client = _client(world, visitor)
    own = world["records"][visitor]
    for candidate in (
        str(own.ticket.pk),
        ref_for("order", own.ticket.pk),
        own.refs["ticket"][:-1] + ("0" if own.refs["ticket"][-1] != "0" else "1"),
        f"{own.ticket.pk + 1}-{own.refs['ticket'].split('-')[1]}",
        "../../admin",
        "٤٢-" + "a" * 20,
    ):
        response = client.get(f"/portal/requests/{candidate}/")
        assert response.status_code == 404, candidate


@pytest.mark.parametrize("visitor", sorted(set(REACHES) - {"anonymous"}))
def test_lists_show_ones_own_records_and_nobody_elses(world, visitor):
    client = _client(world, visitor)
    shown = {
        "orders": lambda r: r.order.number,
        "invoices": lambda r: r.invoice.number,
        "tickets": lambda r: r.ticket.subject,
        "quotes": lambda r: r.quote.number,
        "appointments": meeting_subject,
    }
    for page, text_of in shown.items():
        content = client.get(reverse(f"portal:{page}")).content.decode()
        for owner in OWNERS:
            present = text_of(world["records"][owner]) in content
            assert present == (owner in REACHES[visitor]), (visitor, page, owner)
    home = client.get(reverse("portal:home")).content.decode()
    for owner in OWNERS:
        if owner not in REACHES[visitor]:
            assert world["records"][owner].ticket.subject not in home


def test_anonymous_visitors_are_sent_to_the_portal_sign_in_from_every_account_page(world):
    client = Client()
    before = _state()
    for name in ACCOUNT_PAGES:
        for method in ("get", "post"):
            response = getattr(client, method)(
                reverse(name), {"subject": "x", "body": "y", "kind": "question"}
            )
            assert _is_sign_in(response), (name, method)
    assert _state() == before


def test_a_staff_session_is_no_portal_session(world, users):
    client = Client()
    client.force_login(users["admin"])
    before = _state()
    for name, arguments in portal_pages():
        if name in PUBLIC:
            continue
        if name in PARTNER_RECORD_PAGES:
            kwargs = {"ref": ref_for(PARTNER_RECORD_PAGES[name], 1)}
        else:
            kwargs = {"ref": world["records"]["a"].refs[RECORD_PAGES[name]]} if arguments else {}
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"subject": "x", "body": "y", "kind": "question"})
            assert _is_sign_in(response), (name, method)
    assert _state() == before


def test_a_portal_session_opens_no_staff_page(world):
    client = portal_client(world["accounts"]["manager"])
    checked = 0
    for name, _route, arguments in staff_pages():
        if name in STAFF_PUBLIC_PAGES or name.startswith("portal:"):
            continue
        response = client.get(address(name, arguments, world["records"]["manager"].party.pk))
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), name
        else:
            assert response.status_code in (400, 403, 404, 405), (name, response.status_code)
        checked += 1
    assert checked > 100
    assert client.get(reverse("portal:home")).status_code == 200  # still signed in to the portal


def test_a_portal_session_gets_401_from_every_api_operation(world):
    client = portal_client(world["accounts"]["manager"])
    checked = 0
    for method, path in operations():
        if path in ("/api/v1/openapi.json", "/api/v1/docs") or method != "get":
            continue
        response = client.get(re.sub(r"\{[a-z_]+\}", str(world["records"]["manager"].party.pk), path))
        assert response.status_code == 401, (path, response.status_code)
        checked += 1
    assert checked > 20
    writes = [path for method, path in operations() if method == "post" and "{" not in path]
    for path in writes[:10]:
        response = client.post(path, {}, content_type="application/json")
        assert response.status_code in (401, 405), (path, response.status_code)


def test_a_revoked_account_is_signed_out_at_its_next_request(world, users):
    account = world["accounts"]["a"]
    client = portal_client(account)
    assert client.get(reverse("portal:home")).status_code == 200
    accounts.portal_revoke(actor=users["sales"], party=account.party)
    assert _is_sign_in(client.get(reverse("portal:home")))
    assert (
        client.get(reverse("portal:order_detail", args=[world["records"]["a"].refs["order"]])).status_code
        == 302
    )


def test_leaving_the_organisation_ends_the_sight_of_its_records(world, users):
    account = world["accounts"]["manager"]
    client = portal_client(account)
    ref = world["records"]["o"].refs["order"]
    assert client.get(reverse("portal:order_detail", args=[ref])).status_code == 200
    membership = Membership.objects.get(person=account.party, organisation=world["org"])
    membership_remove(membership=membership, actor=users["admin"])
    assert client.get(reverse("portal:order_detail", args=[ref])).status_code == 404
    own = world["records"]["manager"].refs["order"]
    assert client.get(reverse("portal:order_detail", args=[own])).status_code == 200


def _details_state(world: dict[str, Any]) -> dict[str, Any]:
    parties = [world["records"][owner].party.pk for owner in OWNERS]
    return {
        "parties": list(
            Party.objects.filter(pk__in=parties)
            .order_by("pk")
            .values_list("pk", "first_name", "last_name", "name")
        ),
        "points": list(
            ContactPoint.objects.filter(party_id__in=parties)
            .order_by("pk")
            .values_list("pk", "party_id", "value", "city", "is_primary", "deleted_at")
        ),
        "titles": list(Membership.objects.order_by("pk").values_list("pk", "title")),
    }


@pytest.mark.parametrize("visitor", sorted(REACHES))
def test_details_reach_only_ones_own_person_and_an_allowed_organisation(world, visitor):
    """{every visitor} × {their own person, every organisation} × write: a visitor changes
    only their own person (there is no record in the address to change another's), and an
    organisation's address only as a contact allowed its records; anything else changes nothing."""
    client = _client(world, visitor)
    before = _details_state(world)
    response = client.post(
        reverse("portal:details_save"),
        {"first_name": "نام تازه", "last_name": "مشتری", "email": "new@example.com", "city": "یزد"},
    )
    after = _details_state(world)
    own = world["accounts"][visitor].party if visitor != "anonymous" else None
    if own is None:
        assert _is_sign_in(response) and after == before
    else:
        assert response.status_code == 302
        changed = {pk for pk, *values in after["parties"]} - {
            pk for pk, *values in before["parties"] if (pk, *values) in after["parties"]
        }
        assert changed == {own.pk}, (visitor, changed)
        touched = {row[1] for row in set(after["points"]) ^ set(before["points"])}
        assert touched == {own.pk}, (visitor, touched)
    for owner in OWNERS:
        target = world["records"][owner].party
        before = _details_state(world)
        response = client.post(
            reverse("portal:organisation_address_save"),
            {"organisation": str(target.pk), "street": "خیابان امام", "city": f"شهر {owner}"},
        )
        allowed = visitor == "manager" and owner == "o"
        if visitor == "anonymous":
            assert _is_sign_in(response)
        elif allowed:
            assert response.status_code == 302
        else:
            assert response.status_code in (400, 404), (visitor, owner, response.status_code)
        if not allowed:
            assert _details_state(world) == before, (visitor, owner)


# --- the partner pages ------------------------------------------------------------------------

PARTNER_OWNERS = ("p", "q")


def _partner_state() -> tuple[Any, ...]:
    """What a refused write to a partner's records must leave as it was."""
    return (
        AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first(),
        list(Registration.objects.order_by("pk").values_list("pk", "status", "lead_id", "deal_id")),
        list(
            PartnerDeal.objects.order_by("pk").values_list("pk", "partner_id", "next_step", "first_update_at")
        ),
        list(Deal.objects.order_by("pk").values_list("pk", "stage_id", "status", "updated_at")),
    )


@pytest.fixture
def partner_visitors(partner_world, users, person, make_person) -> dict[str, Client]:
    """Anonymous, a customer who is no partner, P's and Q's users, and a user of P's who
    left P's organisation (their account still says P)."""
    customer = invite(users["sales"], person("سارا", "sara@example.com"))
    leaver_person = make_person(
        first_name="رفته", contacts=[{"kind": "email", "value": "left@partner.example"}]
    )
    membership = membership_add(
        person=leaver_person, organisation=partner_world["p"].partner.organisation, actor=users["admin"]
    )
    leaver = invite(users["sales"], leaver_person)
    leaver.partner = partner_world["p"].partner
    leaver.save(update_fields=["partner"])
    membership_remove(membership=membership, actor=users["admin"])
    return {
        "anonymous": Client(),
        "customer": portal_client(customer),
        "p": portal_client(partner_world["p"].account),
        "q": portal_client(partner_world["q"].account),
        "leaver": portal_client(leaver),
    }


def _update_payload(world: Any) -> dict[str, str]:
    """A write that would change any deal: another stage, a next step, a note."""
    stage = Stage.objects.filter(outcome="open").exclude(pk=world["p"].link.deal.stage_id).first()
    return {"stage": str(stage.pk if stage else ""), "next_step": "تماس فردا", "note": "یادداشت نفوذی"}


def test_partner_record_pages_reach_only_the_partners_own_records(partner_world, partner_visitors):
    payload = _update_payload(partner_world)
    checked = 0
    for name, _arguments in portal_pages():
        kind = PARTNER_RECORD_PAGES.get(name)
        if kind is None:
            continue
        for visitor, client in partner_visitors.items():
            for owner in PARTNER_OWNERS:
                url = reverse(name, kwargs={"ref": partner_world[owner].refs[kind]})
                allowed = visitor == owner
                before = _partner_state()
                response = client.get(url)
                if visitor == "anonymous":
                    assert _is_sign_in(response), (visitor, url)
                elif allowed:
                    assert response.status_code == (405 if name in PARTNER_POST_ONLY else 200), (visitor, url)
                else:  # to a partner, a page that takes only POST says so before it looks for the record
                    refused = 405 if name in PARTNER_POST_ONLY and visitor in PARTNER_OWNERS else 404
                    assert response.status_code == refused, (visitor, owner, url, response.status_code)
                if not allowed:
                    response = client.post(url, payload)
                    if visitor == "anonymous":
                        assert _is_sign_in(response), (visitor, url)
                    else:
                        assert response.status_code in (404, 405), (visitor, owner, url, response.status_code)
                    assert _partner_state() == before, (visitor, owner, url)
                    content = response.content.decode()
                    assert partner_world[owner].link.deal.title not in content
                checked += 1
    assert checked == len(PARTNER_RECORD_PAGES) * len(partner_visitors) * len(PARTNER_OWNERS)


def test_partner_pages_show_the_partners_own_records_and_nobody_elses(partner_world, partner_visitors):
    before = _partner_state()
    for name, _arguments in portal_pages():
        if name not in PARTNER_PAGES:
            continue
        for visitor, client in partner_visitors.items():
            response = client.get(reverse(name))
            if visitor == "anonymous":
                assert _is_sign_in(response), (visitor, name)
                assert _is_sign_in(client.post(reverse(name), {"customer_name": "x", "phone": "09120000009"}))
            elif visitor in ("customer", "leaver"):
                assert response.status_code == 404, (visitor, name)
                posted = client.post(
                    reverse(name), {"kind": "deal", "customer_name": "x", "phone": "09120000009"}
                )
                assert posted.status_code in (404, 405), (visitor, name)
            else:
                assert response.status_code == 200, (visitor, name)
                content = response.content.decode()
                other = partner_world["q" if visitor == "p" else "p"]
                for text in (
                    other.link.deal.title,
                    other.link.deal.party.display_name,
                    other.won.deal.title,
                    other.pending.customer_name,
                    other.partner.organisation.display_name,
                ):
                    assert text not in content, (visitor, name, text)
    assert _partner_state() == before


def test_a_partners_records_are_in_its_own_lists(partner_world, partner_visitors):
    p = partner_world["p"]
    pages = {
        "portal:partner_deals": [p.link.deal.title, p.won.deal.title],
        "portal:partner_customers": [p.link.deal.party.display_name],
        "portal:partner_registrations": [p.pending.customer_name],
        "portal:partner_commissions": [p.won.deal.title],
    }
    for name, texts in pages.items():
        content = partner_visitors["p"].get(reverse(name)).content.decode()
        for text in texts:
            assert text in content, (name, text)


@pytest.mark.parametrize("owner", PARTNER_OWNERS)
def test_a_partner_reference_must_be_ours_and_whole(partner_world, partner_visitors, owner):
    """Ids alone, a deal's reference as a customer's, a tampered signature: nothing found."""
    own = partner_world[owner]
    client = partner_visitors[owner]
    deal_ref = own.refs["partner_deal"]
    for candidate in (
        str(own.link.pk),
        ref_for("partner_customer", own.link.pk),
        ref_for("order", own.link.pk),
        deal_ref[:-1] + ("0" if deal_ref[-1] != "0" else "1"),
        f"{own.link.pk + 1}-{deal_ref.split('-')[1]}",
    ):
        assert client.get(f"/portal/partner/deals/{candidate}/").status_code == 404, candidate
    assert client.get(f"/portal/partner/customers/{deal_ref}/").status_code == 404
    assert client.get(f"/portal/partner/customers/{own.link.deal.party_id}/").status_code == 404


def test_a_partner_session_opens_no_staff_page_and_no_api(partner_world):
    client = portal_client(partner_world["p"].account)
    for url in ("/partners/", "/partners/registrations/", f"/partners/{partner_world['p'].partner.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert client.get("/api/v1/deals").status_code == 401
