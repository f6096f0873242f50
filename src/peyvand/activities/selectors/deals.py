"""Activities and deals: the deals an activity may be about, a deal's activities."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from peyvand.core import policy
from peyvand.core.converters import is_id
from peyvand.core.models import User
from peyvand.core.pagination import capped_count
from peyvand.sales.models import Deal
from peyvand.sales.models import Outcome as DealOutcome

from ..models import Activity, Status

ME, TEAM, EVERYONE = "me", "team", "all"

# --- deals ----------------------------------------------------------------------------------

DEAL_CHOICES = 100
DEAL_PANEL = 10


def deal_choices(*, user: User, party_id: Any = None, current_id: Any = None) -> QuerySet[Any]:
    """Deals an activity may be linked to: the customer's open ones (as customer or contact),
    or, with no customer yet, the user's own open deals; and the one it has now."""

    wanted = Q(status=DealOutcome.OPEN)
    wanted &= (Q(party_id=party_id) | Q(contact_id=party_id)) if is_id(party_id) else Q(owner=user)
    if is_id(current_id):
        wanted |= Q(pk=current_id)
    visible = policy.visible(user, Deal.objects.filter(wanted))
    ids = list(visible.order_by("-updated_at", "-id").values_list("pk", flat=True)[:DEAL_CHOICES])
    return Deal.objects.filter(pk__in=ids).order_by("title", "id")


def deal_activities(*, user: User, deal: Any) -> tuple[list[Activity], int]:
    """A deal's activities the user may see: open ones soonest first, then the latest done."""
    queryset = policy.visible(user, Activity.objects.filter(deal=deal))
    open_rows = list(
        queryset.filter(status=Status.OPEN).select_related("assignee").order_by("due_at", "id")[:DEAL_PANEL]
    )
    done_rows = list(
        queryset.exclude(status=Status.OPEN)
        .select_related("assignee")
        .order_by("-due_at", "-id")[: max(DEAL_PANEL - len(open_rows), 0)]
    )
    total = capped_count(queryset)[0]
    return [*open_rows, *done_rows], total
