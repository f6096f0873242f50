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
from peyvand.core.models import Role, Scope
from peyvand.notifications import kinds

from .appointment_kinds import register as register_appointments
from .models import DetailChange, Partner, PartnerDeal, PartnerTarget, PortalAccount, Registration
from .selectors.access import party_access
from .selectors.details import party_pending_changes

# The channel manager's reach: managers (and administrators) by default, nobody else.
_CHANNEL_MANAGERS: dict[str, dict[str, Scope]] = {
    Role.MANAGER: {"view": Scope.ALL, "change": Scope.ALL},
    Role.SALES: {"view": Scope.NONE, "change": Scope.NONE},
    Role.SUPPORT: {"view": Scope.NONE, "change": Scope.NONE},
    Role.MARKETING: {"view": Scope.NONE, "change": Scope.NONE},
    Role.READONLY: {"view": Scope.NONE, "change": Scope.NONE},
}


def register() -> None:
    register_appointments()
    register_partners()
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


def register_partners() -> None:
    policy.register_resource(
        "partners", gettext_lazy("Partners and their registrations"), order=85, defaults=_CHANNEL_MANAGERS
    )
    policy.register(Partner, resource="partners", owner="organisation__owner_id")
    policy.register(PartnerTarget, resource="partners", owner="partner__organisation__owner_id")
    policy.register(PartnerDeal, resource="partners", owner="partner__organisation__owner_id")
    policy.register(Registration, resource="partners", owner="partner__organisation__owner_id")
    hooks.register_nav(
        hooks.NavItem(
            "partners",
            gettext_lazy("Partners"),
            "partners:ranking",
            "bi-diagram-3",
            order=60,
            group="sales",
            visible=lambda user: policy.scope(user, "partners", "view") != policy.Scope.NONE,
        )
    )
    hooks.register_panel(
        "party", hooks.Panel("partner", "portal/_partner_panel.html", _partner_panel, "side", 41)
    )
    for label, text in (
        ("portal_partner", gettext_lazy("Through the partner portal")),
        ("partner_target", gettext_lazy("Partner target")),
        ("next_step", gettext_lazy("Next step")),
        ("partner_stage", gettext_lazy("Stage set by the partner")),
        ("commission_rate", gettext_lazy("Commission (%)")),
        ("customer_name", gettext_lazy("Customer's name")),
    ):
        hooks.register_change_label(label, text)
    kinds.register(
        "partner_registration",
        kinds.Kind(
            gettext_lazy("A partner's registration to approve"),
            "bi-diagram-3",
            kinds.ALERTS,
            _registration_text,
        ),
    )


def _registration_text(data: Any) -> str:
    try:
        if data.get("kind") == "lead":
            template = _("%(partner)s registered a lead: %(customer)s")
        else:
            template = _("%(partner)s registered a deal: %(customer)s")
        return template % {"partner": data["partner"], "customer": data["customer"]}
    except (KeyError, TypeError, AttributeError):
        return str(gettext_lazy("A partner's registration to approve"))


def _partner_panel(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    """On an organisation's page, for the channel manager: whether it is a partner, and the
    way to its partner page or to making it one."""
    user = request_user(request)
    if party.is_person or policy.scope(user, "partners", "view") == policy.Scope.NONE:
        return None
    partner = Partner.objects.filter(organisation=party).first()
    return {
        "partner": partner,
        "can_change": policy.scope(user, "partners", "change") != policy.Scope.NONE,
    }


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
