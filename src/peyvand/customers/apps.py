from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "peyvand.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from peyvand.core import policy
        from peyvand.core.extensions import NavItem, register_nav
        from peyvand.core.selectors import register_reference, register_value_display

        from .models import ContactPoint, Membership, Note, Party
        from .normalize import show_contact_value_in_line

        policy.register(Party, resource="party", owner="owner_id")
        # Contact points and memberships are part of their customer.
        policy.register(ContactPoint, resource="party", owner="party__owner_id")
        policy.register(Membership, resource="party", owner="person__owner_id")
        # A note is on the timeline like an interaction: seen with its customer, changed by
        # its author (or whoever may change the author's records).
        policy.register(Note, resource="interaction", owner="party__owner_id", change_owner="created_by_id")
        register_value_display("customers.contactpoint", "value", show_contact_value_in_line)
        register_reference("merged_into", "customers.party")
        register_reference("merged", "customers.party")  # [the record merged away, the survivor]

        for order, (kind, label, icon) in enumerate(
            [("person", _("People"), "bi-person"), ("organisation", _("Organisations"), "bi-building")]
        ):
            register_nav(NavItem(kind, label, "party_list", icon, order=10 * (order + 1), url_args=(kind,)))
