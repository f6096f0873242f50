"""The record events an outgoing webhook may subscribe to, read off the audit log.

Pure: no database here. ``topics_for(event, party_kind)`` says which webhook events one
audit event raises (none for most), so the listener costs nothing for the rest.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

PING = "ping"

# event -> label, in the order of the form's checklist.
EVENTS: dict[str, Any] = {
    "person.created": _("Person created"),
    "person.updated": _("Person changed"),
    "person.deleted": _("Person deleted"),
    "person.merged": _("Person merged"),
    "organization.created": _("Organisation created"),
    "organization.updated": _("Organisation changed"),
    "organization.deleted": _("Organisation deleted"),
    "organization.merged": _("Organisation merged"),
    "lead.created": _("Lead created"),
    "lead.converted": _("Lead converted"),
    "deal.created": _("Deal created"),
    "deal.stage_changed": _("Deal moved to another stage"),
    "deal.won": _("Deal won"),
    "deal.lost": _("Deal lost"),
    "order.created": _("Order created"),
    "invoice.created": _("Invoice created"),
    "payment.created": _("Payment recorded"),
    "ticket.created": _("Ticket created"),
    "ticket.status_changed": _("Ticket status changed"),
}

# The record types (audit log labels) the events above are about, and their kind in a body.
MODELS: dict[str, str] = {
    "customers.party": "party",
    "sales.lead": "lead",
    "sales.deal": "deal",
    "sales.order": "order",
    "sales.invoice": "invoice",
    "sales.payment": "payment",
    "service.ticket": "ticket",
}
_SIMPLE_CREATES = {
    "sales.lead": "lead.created",
    "sales.deal": "deal.created",
    "sales.order": "order.created",
    "sales.invoice": "invoice.created",
    "sales.payment": "payment.created",
    "service.ticket": "ticket.created",
}
PARTY_KINDS = {"person": "person", "organisation": "organization"}


def event_label(event: str) -> str:
    if event == PING:
        return str(_("Test ping"))
    return str(EVENTS.get(event, event))


def _new_value(changes: dict[str, Any], name: str) -> Any:
    pair = changes.get(name)
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def topics_for(model: str, kind: str, changes: dict[str, Any], party_kind: str = "") -> list[str]:
    """The webhook events an audit event (its record type, kind and changes) raises.

    ``party_kind`` ("person" or "organisation") is needed for a customer's events only.
    (An invoice paid in full has no event of its own: sales logs the payment, not the
    invoice's new status, so a receiver reads ``payment.created``.)
    """
    if model not in MODELS:
        return []
    if model == "customers.party":
        prefix = PARTY_KINDS.get(party_kind)
        if prefix is None:
            return []
        if kind == "merge":
            # Both records of a merge are logged; the one kept names the other under "merged".
            return [f"{prefix}.merged"] if "merged" in changes else []
        verb = {"create": "created", "update": "updated", "delete": "deleted"}.get(kind)
        return [f"{prefix}.{verb}"] if verb else []
    if kind == "create":
        return [_SIMPLE_CREATES[model]] if model in _SIMPLE_CREATES else []
    if kind != "update":
        return []
    if model == "sales.lead":
        return ["lead.converted"] if _new_value(changes, "stage") == "converted" else []
    if model == "sales.deal":
        topics = ["deal.stage_changed"] if "stage" in changes else []
        status = _new_value(changes, "status")
        if status in ("won", "lost"):
            topics.append(f"deal.{status}")
        return topics
    if model == "service.ticket":
        return ["ticket.status_changed"] if "status" in changes else []
    return []
