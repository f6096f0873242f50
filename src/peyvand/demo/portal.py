"""The demo's customer portal: one customer's contact who may sign in with a code sent to
their email, and who sees their organisation's orders, invoices and tickets."""

from __future__ import annotations

from peyvand.customers.models import ContactPoint, Kind, Membership, Party
from peyvand.portal.services.accounts import portal_account_setup
from peyvand.sales.models import Invoice


def write_portal() -> str:
    """Give the first invoiced customer with a reachable person a portal account."""
    for invoice in Invoice.objects.select_related("party").order_by("id")[:200]:
        party = invoice.party
        if party.kind == Kind.PERSON:
            people = [party]
        else:
            people = list(
                Party.objects.filter(
                    pk__in=Membership.objects.filter(organisation=party, deleted_at__isnull=True).values(
                        "person_id"
                    )
                ).order_by("id")
            )
        for person in people:
            email = (
                ContactPoint.objects.filter(
                    party=person, kind=ContactPoint.Kind.EMAIL, deleted_at__isnull=True
                )
                .order_by("-is_primary", "id")
                .values_list("value", flat=True)
                .first()
            )
            if email:
                portal_account_setup(party=person, email=email, can_see_organisation=person.pk != party.pk)
                return f"portal: {person.display_name} <{email}>"
    return "portal: no customer to invite"
