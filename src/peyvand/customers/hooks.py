"""The customers app's registrations: its rows of the permission matrix, its menu items,
its card on the home page and how its changes read in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peyvand.core import hooks, policy
from peyvand.core.custom_fields import Entity
from peyvand.core.http import request_user
from peyvand.core.selectors.custom_fields import register_entity

from . import importer, tasks
from .models import ContactPoint, Kind, Membership, Note, Party
from .normalize import show_contact_value_in_line
from .selectors.parties import customer_counts, parties_found
from .selectors.trash import TrashKind, register_trash_kind


def _customer_search(kind: str) -> Callable[[Any, str, int], list[hooks.SearchHit]]:
    def find(user: Any, query: str, limit: int) -> list[hooks.SearchHit]:
        found = parties_found(user=user, query=query, kind=kind, limit=limit)
        return [hooks.SearchHit(p.display_name, reverse("party_detail", args=[p.pk])) for p in found]

    return find


def _customer_list(kind: str) -> Callable[[str], str]:
    def more(query: str) -> str:
        return f"{reverse('party_list', args=[kind])}?{urlencode({'q': query})}"

    return more


def register() -> None:
    tasks.register_jobs()
    for party_kind, plural, symbol, rank in (
        (Kind.PERSON, _("People"), "bi-person", 10),
        (Kind.ORGANISATION, _("Organisations"), "bi-building", 11),
    ):
        hooks.register_search(
            hooks.SearchSource(
                f"party-{party_kind}",
                plural,
                symbol,
                _customer_search(party_kind),
                order=rank,
                more=_customer_list(party_kind),
            )
        )
    importer.register_builtin_kinds()
    policy.register_resource("party", _("Customers (people and organisations)"), order=10)
    # The timeline's resource: notes here, and the contacts the interactions app logs.
    policy.register_resource("interaction", _("Interactions"), order=20)
    policy.register(Party, resource="party", owner="owner_id")
    register_entity(Entity.PERSON, Party, order=("sort_key", "id"), kind=Kind.PERSON)
    register_entity(Entity.ORGANISATION, Party, order=("sort_key", "id"), kind=Kind.ORGANISATION)
    # Contact points and memberships are part of their customer.
    policy.register(ContactPoint, resource="party", owner="party__owner_id")
    policy.register(Membership, resource="party", owner="person__owner_id")
    # A note is on the timeline like an interaction: seen with its customer, changed by
    # its author (or whoever may change the author's records).
    policy.register(Note, resource="interaction", owner="party__owner_id", change_owner="created_by_id")

    hooks.register_value_display("customers.contactpoint", "value", show_contact_value_in_line)
    hooks.register_reference("merged_into", "customers.party")
    hooks.register_reference("merged", "customers.party")  # [the record merged away, the survivor]
    for key, label in [
        ("tags", _("tags")),
        ("merged", _("merged")),
        ("merged_into", _("merged into")),
        ("moved", _("moved records")),
        ("kept_aside", _("values kept aside")),
        ("organisation", _("organisation")),
        # An import's counts, logged when it finishes.
        ("created", _("created")),
        ("updated", _("updated")),
        ("skipped", _("skipped")),
        ("rejected", _("rejected")),
    ]:
        hooks.register_change_label(key, label)

    for trash_kind in (
        TrashKind("contact_point", "customers.contactpoint", "party", _("Contact points")),
        TrashKind("membership", "customers.membership", "person", _("Organisation links"), ("organisation",)),
        TrashKind("note", "customers.note", "party", _("Notes")),
    ):
        register_trash_kind(trash_kind)

    hooks.register_nav(hooks.NavItem("trash", _("Trash"), "trash", menu="admin", order=10))
    for order, (kind, label, icon) in enumerate(
        [("person", _("People"), "bi-person"), ("organisation", _("Organisations"), "bi-building")]
    ):
        hooks.register_nav(
            hooks.NavItem(kind, label, "party_list", icon, order=10 * (order + 1), url_args=(kind,))
        )
    hooks.register_panel(
        "home", hooks.Panel("customer_counts", "customers/_home_counts.html", _counts, "main", 10)
    )


def _counts(request: HttpRequest, _obj: Any) -> dict[str, Any]:
    return customer_counts(user=request_user(request))
