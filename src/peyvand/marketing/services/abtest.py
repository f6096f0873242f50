"""An A/B test's winner: chosen once, when the test's time runs out (the sending run, by the
criterion; a tie goes to A) or earlier by hand; the figures it was chosen on are kept."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import jobs, policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log

from ..models import Campaign, Status
from ..selectors import results

CAMPAIGN_RUN = "marketing.campaign_run"  # as services.campaigns names it


def ab_decide(*, campaign: Campaign, variant: str | None, actor: User | None) -> bool:
    """Record the winner (``variant``, or the better by the campaign's criterion) with the
    figures, unless one is recorded already; True when this call recorded it."""
    figures = results.ab_figures(campaign=campaign)
    chosen = variant or results.winner_of(figures, campaign.ab_criterion)
    result: dict[str, Any] = {
        "criterion": campaign.ab_criterion,
        "manual": actor is not None,
        **{name: {"sent": f.sent, "count": f.count(campaign.ab_criterion)} for name, f in figures.items()},
    }
    return bool(
        Campaign.objects.filter(pk=campaign.pk, ab_test=True, ab_winner="").update(
            ab_winner=chosen,
            ab_decided_at=timezone.now(),
            ab_decided_by=actor,
            ab_result=result,
        )
    )


@transaction.atomic
def campaign_pick_winner(*, campaign: Campaign, actor: User, variant: str) -> Campaign:
    """The marketer picks the winner before the test's time is up; the rest then gets it."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    policy.require_change(actor, campaign)
    if variant not in ("a", "b"):
        raise ValidationError({"variant": [_("Choose variant A or B.")]})
    if not campaign.ab_test:
        raise ValidationError(_("This campaign has no A/B test."))
    if campaign.ab_winner:
        raise ValidationError(_("The winner has been chosen already."))
    if campaign.status != Status.SENDING:
        raise ValidationError(_("The winner can be chosen once the test's sample is being sent."))
    ab_decide(campaign=campaign, variant=variant, actor=actor)
    campaign.refresh_from_db()
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=campaign, changes={"ab_winner": ["", variant]})
    pk = campaign.pk
    transaction.on_commit(lambda: jobs.enqueue(CAMPAIGN_RUN, pk), robust=True)
    return campaign
