"""The customers app's registrations: its rows of the permission matrix, its menu items,
its card on the home page and how its changes read in the audit log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peyvand.core import hooks, policy
from peyvand.core.http import request_user

from . import importer, tasks
from .models import ContactPoint, Membership, Note, Party
from .normalize import show_contact_value_in_line
from .selectors.parties import customer_counts
from .selectors.trash import TrashKind, register_trash_kind


def register() -> None:
    tasks.register_jobs()
    importer.register_builtin_kinds()
    policy.register_resource("party", _("Customers (people and organisations)"), order=10)
    # The timeline's resource: notes here, and the contacts the interactions app logs.
    policy.register_resource("interaction", _("Interactions"), order=20)
    policy.register(Party, resource="party", owner="owner_id")
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
