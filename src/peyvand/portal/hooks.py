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

from .models import PortalAccount
from .selectors.access import party_access


def register() -> None:
    policy.register(PortalAccount, resource="party", owner="party__owner_id")
    hooks.register_panel("party", hooks.Panel("portal", "portal/_party_panel.html", _party_panel, "side", 40))
    hooks.register_change_label("portal", gettext_lazy("Through the customer portal"))
    hooks.register_change_label("portal_invitation", gettext_lazy("Portal invitation sent to"))
    hooks.register_change_label("portal_access", gettext_lazy("Portal access"))
    hooks.register_change_label("portal_sign_in", gettext_lazy("Signed in to the portal"))
    hooks.register_change_label("portal_invoice_downloaded", gettext_lazy("Invoice downloaded in the portal"))
    hooks.register_change_label("can_see_organisation", gettext_lazy("Sees the organisation's records"))
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


def _party_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    """The customer's portal access, with the invitation and revoking for whoever may change
    the customer; shown on people only (an organisation's contacts are invited one by one)."""
    user = request_user(request)
    if not party.is_person or not policy.can_view(user, party):
        return None
    return {"access": party_access(party=party), "can_change": policy.can_change(user, party)}
