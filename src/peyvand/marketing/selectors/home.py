"""The home page's campaigns card: the campaigns being sent or waiting to be sent, and those
sent lately, with how far each has gone. Two queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import charts, policy
from peyvand.core.models import Role, Scope, User

from ..models import Campaign, Status

SHOWN = 8
LATELY = dt.timedelta(days=14)
ROLES = (Role.MARKETING, Role.ADMIN)


@dataclass(frozen=True)
class CampaignsCard:
    campaigns: list[Campaign]
    running: int
    chart: charts.Chart


def campaigns_card(*, user: User, now: dt.datetime | None = None) -> CampaignsCard | None:
    if user.role not in ROLES or policy.scope(user, "campaign", "view") == Scope.NONE:
        return None
    now = now or timezone.now()
    running = Q(status__in=(Status.SCHEDULED, Status.SENDING))
    lately = Q(status=Status.SENT, finished_at__gte=now - LATELY)
    visible = policy.visible(user, Campaign.objects.all())
    shown = list(visible.filter(running | lately).order_by("-id")[:SHOWN])
    # Those being sent first, then those waiting, then those sent lately; newest first in each.
    shown.sort(key=lambda c: (c.status == Status.SENT, c.status == Status.SCHEDULED))
    chart = charts.Chart(
        key="home-campaigns",
        title=_("How far each campaign has gone"),
        kind="bar",
        labels=tuple(campaign.name for campaign in shown),
        series=(
            charts.Series(_("Sent or decided"), tuple(float(c.percent) for c in shown), "percent", 0),
            charts.Series(_("Targeted"), tuple(float(c.total) for c in shown), in_chart=False),
        ),
        label_heading=_("Campaign"),
        unit="%",
    )
    return CampaignsCard(shown, visible.filter(running).count(), chart)
