"""Customer anniversaries for the owners' reminders: a year, two years… since the customer's
first deal was won.

Read from the sales app's deals here, as one more occasion source (see
``services.alerts.register_occasion_source``), so sales needs no knowledge of reminders.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_noop

from peyvand.customers.models import Party
from peyvand.sales.models import Deal
from peyvand.sales.models import Outcome as DealOutcome

from .services.alerts import Occasion, OccasionDay

# Stored untranslated in the notification and translated when it is read.
CUSTOMER_ANNIVERSARY = gettext_noop("Customer anniversary")


def first_deal_won(day: OccasionDay) -> Iterable[Occasion]:
    """Customers whose first won deal was closed on this day of an earlier year."""

    firsts = dict(
        Deal.objects.filter(status=DealOutcome.WON, closed_at__isnull=False, deleted_at__isnull=True)
        .values("party_id")
        .annotate(first=Min("closed_at"))
        .filter(day.matches("first", moment=True))
        .values_list("party_id", "first")
    )
    parties = Party.objects.filter(pk__in=firsts, owner__is_active=True, deleted_at__isnull=True)
    for pk, name, owner_id in parties.values_list("pk", "display_name", "owner_id").iterator(chunk_size=2000):
        won = timezone.localtime(firsts[pk]).date()
        yield Occasion(
            "anniversary",
            f"customer-anniversary:{pk}",
            pk,
            name,
            owner_id,
            label=CUSTOMER_ANNIVERSARY,
            years=day.years_since(won),
        )
