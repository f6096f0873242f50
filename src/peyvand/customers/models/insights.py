"""What the analytics app has worked out about each customer, one row per customer.

Written back in bulk by every analysis run (``peyvand.analytics``), so lists, filters, the
360° page and the API can use a customer's RFM cell or lifetime value like any field. Money
is in the base currency.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .parties import Party


class RfmCell(models.TextChoices):
    """The named cells of recency × frequency (the mapping is ``peyvand.analytics.rfm``)."""

    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL = "potential", _("Potential loyalists")
    NEW = "new", _("New customers")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose them")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class LifecyclePhase(models.TextChoices):
    """Kalakota's three phases of a customer relationship."""

    ACQUIRE = "acquire", _("Acquire")
    ENHANCE = "enhance", _("Enhance")
    RETAIN = "retain", _("Retain")


class LifecycleStage(models.TextChoices):
    """Where a customer is in their relationship, worked out from their purchases (the rules
    are ``peyvand.analytics.expressions.lifecycle``), beside the stage a person sets by hand."""

    PROSPECT = "prospect", _("Not bought yet")
    NEW = "new", _("Newly acquired")
    DEVELOPING = "developing", _("Developing")
    ESTABLISHED = "established", _("Established")
    SLIPPING = "slipping", _("Slipping away")
    LAPSED = "lapsed", _("Lapsed")


PHASE_OF_STAGE: dict[str, LifecyclePhase] = {
    LifecycleStage.PROSPECT: LifecyclePhase.ACQUIRE,
    LifecycleStage.NEW: LifecyclePhase.ACQUIRE,
    LifecycleStage.DEVELOPING: LifecyclePhase.ENHANCE,
    LifecycleStage.ESTABLISHED: LifecyclePhase.RETAIN,
    LifecycleStage.SLIPPING: LifecyclePhase.RETAIN,
    LifecycleStage.LAPSED: LifecyclePhase.RETAIN,  # won back, or let go
}


class CustomerInsight(models.Model):
    party = models.OneToOneField(
        Party, primary_key=True, on_delete=models.CASCADE, related_name="insight", verbose_name=_("customer")
    )
    # RFM over the run's window: purchase days (a day's orders count once) and their value.
    recency_days = models.IntegerField(_("days since the last purchase"), null=True, blank=True)
    frequency = models.IntegerField(_("purchases in the window"), null=True, blank=True)
    monetary = models.DecimalField(
        _("spend in the window"), max_digits=24, decimal_places=2, null=True, blank=True
    )
    rfm_recency = models.PositiveSmallIntegerField(_("recency score"), null=True, blank=True)
    rfm_frequency = models.PositiveSmallIntegerField(_("frequency score"), null=True, blank=True)
    rfm_monetary = models.PositiveSmallIntegerField(_("monetary score"), null=True, blank=True)
    rfm_cell = models.CharField(_("RFM cell"), max_length=20, choices=RfmCell.choices, blank=True)
    rfm_previous_cell = models.CharField(
        _("previous RFM cell"), max_length=20, choices=RfmCell.choices, blank=True
    )
    # The whole history: what lifetime value is predicted from.
    purchases = models.IntegerField(_("purchases"), default=0)
    first_purchase_on = models.DateField(_("first purchase"), null=True, blank=True)
    last_purchase_on = models.DateField(_("last purchase"), null=True, blank=True)
    expected_purchases = models.FloatField(_("expected purchases"), null=True, blank=True)
    probability_alive = models.FloatField(_("probability active"), null=True, blank=True)
    expected_spend = models.DecimalField(
        _("expected purchase value"), max_digits=24, decimal_places=2, null=True, blank=True
    )
    predicted_clv = models.DecimalField(
        _("predicted lifetime value"), max_digits=24, decimal_places=2, null=True, blank=True
    )
    # The probability that an active customer buys nothing over the churn horizon, and the
    # features that raise it most ("recency:high", …; ``peyvand.analytics.churn``).
    churn_risk = models.FloatField(_("churn risk"), null=True, blank=True)
    churn_reasons = models.JSONField(_("why they may leave"), default=list, blank=True)
    # Over the RFM window: net revenue less the products' cost and the cost of serving them
    # (empty: neither bought nor served in it).
    profit = models.DecimalField(_("profit"), max_digits=24, decimal_places=2, null=True, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices, blank=True
    )
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("customer insight")
        verbose_name_plural = _("customer insights")
        indexes = [
            models.Index(fields=["-predicted_clv", "party"], name="insight_clv"),
            models.Index(fields=["rfm_cell", "party"], name="insight_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.rfm_cell or '-'}"

    @property
    def lifecycle_phase(self) -> LifecyclePhase | None:
        return PHASE_OF_STAGE.get(self.lifecycle_stage)
