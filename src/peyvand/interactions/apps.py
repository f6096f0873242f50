from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "peyvand.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from peyvand.core import policy
        from peyvand.core.extensions import NavItem, PartyPanel, register_nav, register_party_panel

        from .models import Attachment, Interaction, MessageTemplate, OutboundMessage, PhoneCall
        from .panels import messaging_context

        # Seen with the customer it belongs to; changed by whoever handled it. Anyone who
        # sees a customer may log a contact with them (support takes sales' calls).
        policy.register(
            Interaction,
            resource="interaction",
            owner="party__owner_id",
            change_owner="handled_by_id",
        )
        # An email or SMS is part of its customer's record; whoever wrote it may retry or
        # cancel it. A file is seen with its interaction; a call with its customer.
        policy.register(
            OutboundMessage, resource="interaction", owner="party__owner_id", change_owner="created_by_id"
        )
        policy.register(Attachment, resource="interaction", owner="interaction__party__owner_id")
        policy.register(PhoneCall, resource="interaction", owner="party__owner_id", change_owner="user_id")
        # Templates are shared by everyone who may write to customers (see selectors);
        # changed by their author or whoever may change the author's records.
        policy.register(MessageTemplate, resource="interaction", owner="created_by_id")

        register_nav(NavItem("outbox", _("Outbox"), "outbox", menu="admin", order=50))
        register_nav(NavItem("templates", _("Message templates"), "template_list", menu="admin", order=51))
        register_nav(NavItem("extensions", _("Telephony extensions"), "extensions", menu="admin", order=52))
        register_party_panel(
            PartyPanel(
                "messaging", "interactions/_party_messaging.html", messaging_context, column="main", order=10
            )
        )
