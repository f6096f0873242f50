"""The portal app's registrations with core: its accounts in the permission policy (seen and
changed with their customer), its card on the customer's page, and how its changes read on
the timeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import hooks, policy
from peyvand.core.http import request_user
from peyvand.notifications import kinds

from .appointment_kinds import register as register_appointments
from .models import DetailChange, PortalAccount
from .selectors.access import party_access
from .selectors.details import party_pending_changes


def register() -> None:
    register_appointments()
    policy.register(PortalAccount, resource="party", owner="party__owner_id")
    policy.register(DetailChange, resource="party", owner="party__owner_id")
    hooks.register_panel("party", hooks.Panel("portal", "portal/_party_panel.html", _party_panel, "side", 40))
    hooks.register_panel(
        "party", hooks.Panel("portal_changes", "portal/_changes_panel.html", _changes_panel, "side", 39)
    )
    hooks.register_nav(
        hooks.NavItem(
            "portal-changes",
            gettext_lazy("Changes from the portal"),
            "portal_staff:changes",
            "bi-person-lines-fill",
            order=90,
            group="follow_up",
            visible=lambda user: policy.scope(user, "party", "change") != policy.Scope.NONE,
        )
    )
    for label, text in (
        ("portal_details_requested", gettext_lazy("Asked in the portal to change their details")),
        ("portal_details_changed", gettext_lazy("Changed their details in the portal")),
        ("portal_details_withdrawn", gettext_lazy("Withdrew a change of details in the portal")),
        ("portal_details_review", gettext_lazy("Review of a change of details from the portal")),
    ):
        hooks.register_change_label(label, text)
    hooks.register_change_label("portal", gettext_lazy("Through the customer portal"))
    hooks.register_change_label("portal_invitation", gettext_lazy("Portal invitation sent to"))
    hooks.register_change_label("portal_access", gettext_lazy("Portal access"))
    hooks.register_change_label("portal_sign_in", gettext_lazy("Signed in to the portal"))
    hooks.register_change_label("portal_invoice_downloaded", gettext_lazy("Invoice downloaded in the portal"))
    hooks.register_change_label("can_see_organisation", gettext_lazy("Sees the organisation's records"))
    kinds.register(
        "portal_details_review",
        kinds.Kind(
            gettext_lazy("Change of details to review"), "bi-person-lines-fill", kinds.ALERTS, _review_text
        ),
    )
    kinds.register(
        "portal_details_changed",
        kinds.Kind(
            gettext_lazy("Details changed in the portal"), "bi-person-lines-fill", kinds.ALERTS, _changed_text
        ),
    )
    kinds.register(
        "portal_quote_decided",
        kinds.Kind(
            gettext_lazy("Quote decided in the portal"), "bi-file-earmark-check", kinds.ALERTS, _quote_text
        ),
    )


def _quote_text(data: Any) -> str:
    if data.get("status") == "accepted":
        template = _("%(party)s accepted quote %(number)s in the portal")
    else:
        template = _("%(party)s declined quote %(number)s in the portal")
    try:
        return template % {"party": data["party"], "number": data["number"]}
    except (KeyError, TypeError):
        return template


def _review_text(data: Any) -> str:
    try:
        return _("%(by)s asks to change the details of %(party)s in the portal") % {
            "by": data["by"],
            "party": data["party"],
        }
    except (KeyError, TypeError):
        return str(gettext_lazy("Change of details to review"))


def _changed_text(data: Any) -> str:
    try:
        return _("%(by)s changed the details of %(party)s in the portal") % {
            "by": data["by"],
            "party": data["party"],
        }
    except (KeyError, TypeError):
        return str(gettext_lazy("Details changed in the portal"))


def _changes_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    """The changes of this customer's details waiting for review, with approving and
    rejecting for whoever may change the customer."""
    user = request_user(request)
    if not policy.can_view(user, party):
        return None
    changes = party_pending_changes(party=party)
    if not changes:
        return None
    return {"changes": changes, "can_change": policy.can_change(user, party)}


def _party_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    """The customer's portal access, with the invitation and revoking for whoever may change
    the customer; shown on people only (an organisation's contacts are invited one by one)."""
    user = request_user(request)
    if not party.is_person or not policy.can_view(user, party):
        return None
    return {"access": party_access(party=party), "can_change": policy.can_change(user, party)}
