"""The worker's analysis runs, the lifetime-value model fits they make, and the figures they
leave for the dashboard to read (precomputed, so a page never waits on the engine)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peyvand.core.jalali import local_digits


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RefreshMode(models.TextChoices):
    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Incremental")


class Run(models.Model):
    """One run of the analysis: refresh the snapshot, score RFM, fit (when asked) and score
    lifetime value, and write the results back onto each customer and into the figures."""

    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    refresh = models.CharField(
        _("snapshot refresh"), max_length=12, choices=RefreshMode.choices, default=RefreshMode.INCREMENTAL
    )
    as_of = models.DateField(_("as of"))
    window_days = models.PositiveIntegerField(_("RFM window (days)"))
    step = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=1)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    # Seconds per step, and rows read per table of the snapshot.
    timings = models.JSONField(default=dict, blank=True)
    rows = models.JSONField(default=dict, blank=True)
    # The upper edges of the lifetime-value histogram's buckets (the last is open).
    clv_edges = models.JSONField(default=list, blank=True)
    # The same for the profit bands: negative edges, 0, positive edges.
    profit_edges = models.JSONField(default=list, blank=True)
    # The lifetime value from which a customer counts as valuable (the 75th percentile of
    # those valued): who is worth a call when they may leave (``selectors.actions``).
    valuable_clv = models.FloatField(null=True, blank=True)
    scored_with = models.ForeignKey(
        "ClvFit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("model")
    )
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        indexes = [models.Index(fields=["status", "-id"], name="analytics_run_status")]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.step / self.steps)) if self.steps else 0


class ClvFit(models.Model):
    """BG/NBD and Gamma-Gamma fitted on a calibration period, with the holdout check.

    Weeks are the time unit; a fit's settings (horizon, discount, margin) are what every
    customer's lifetime value is scored with until the next fit.
    """

    run = models.OneToOneField(Run, on_delete=models.CASCADE, related_name="fit")
    calibration_end = models.DateField(_("end of the calibration period"))
    holdout_end = models.DateField(_("end of the holdout period"), null=True, blank=True)
    horizon_months = models.PositiveSmallIntegerField(_("horizon (months)"))
    monthly_discount = models.FloatField(_("monthly discount rate"))
    margin = models.FloatField(_("margin"))
    customers = models.PositiveIntegerField(_("customers"), default=0)
    repeat_customers = models.PositiveIntegerField(_("customers who bought again"), default=0)
    r = models.FloatField(null=True, blank=True)
    alpha = models.FloatField(null=True, blank=True)
    a = models.FloatField(null=True, blank=True)
    b = models.FloatField(null=True, blank=True)
    bgnbd_log_likelihood = models.FloatField(null=True, blank=True)
    p = models.FloatField(null=True, blank=True)
    q = models.FloatField(null=True, blank=True)
    gamma = models.FloatField(null=True, blank=True)
    gamma_gamma_log_likelihood = models.FloatField(null=True, blank=True)
    # Per frequency group of the calibration period (0, 1, …, 7+): customers, and their
    # actual and predicted purchases in the holdout period.
    holdout = models.JSONField(default=list, blank=True)
    error = models.TextField(_("why it was not fitted"), blank=True)
    fitted_at = models.DateTimeField(_("fitted"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("lifetime value model")
        verbose_name_plural = _("lifetime value models")

    def __str__(self) -> str:
        return f"fit {self.pk} to {self.calibration_end}"

    @property
    def is_fitted(self) -> bool:
        return self.fitted_at is not None


class ChurnFit(models.Model):
    """The churn model a run trained (``analytics.churn``): how it did on the time-based
    holdout beside ranking by recency alone, and the coefficients that scored the customers."""

    run = models.OneToOneField(Run, on_delete=models.CASCADE, related_name="churn")
    horizon_days = models.PositiveSmallIntegerField(_("churn horizon (days)"))
    # Checked by training at ``trained_on`` and testing at ``tested_on``; the model that scores
    # the customers is trained at ``tested_on`` (the latest cut-off whose outcome is known).
    trained_on = models.DateField(_("training cut-off"))
    tested_on = models.DateField(_("test cut-off"))
    train_customers = models.PositiveIntegerField(_("customers trained on"), default=0)
    test_customers = models.PositiveIntegerField(_("customers tested on"), default=0)
    test_churned = models.PositiveIntegerField(_("of whom churned"), default=0)
    auc = models.FloatField(_("AUC"), null=True, blank=True)
    baseline_auc = models.FloatField(_("AUC of recency alone"), null=True, blank=True)
    lift = models.FloatField(_("lift in the riskiest tenth"), null=True, blank=True)
    baseline_lift = models.FloatField(_("lift of recency alone"), null=True, blank=True)
    # The model that scored the customers: {feature: coefficient}, the intercept, the scaling.
    coefficients = models.JSONField(default=dict, blank=True)
    intercept = models.FloatField(null=True, blank=True)
    means = models.JSONField(default=list, blank=True)
    scales = models.JSONField(default=list, blank=True)
    error = models.TextField(_("why it was not trained"), blank=True)
    fitted_at = models.DateTimeField(_("trained"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("churn model")
        verbose_name_plural = _("churn models")

    def __str__(self) -> str:
        return f"churn {self.pk} ({self.horizon_days} days)"

    TOO_LITTLE_HISTORY = "too little history"

    @property
    def error_message(self) -> str:
        """Why no model was trained, in the reader's language (the run kept only which)."""
        if not self.error:
            return ""
        if self.error != self.TOO_LITTLE_HISTORY:
            return self.error
        return gettext(
            "Too little purchase history to predict churn: it needs customers who were active "
            "%(days)s and %(twice)s days ago, some of whom bought again and some not."
        ) % {"days": local_digits(self.horizon_days), "twice": local_digits(2 * self.horizon_days)}

    @property
    def churn_rate(self) -> float | None:
        return self.test_churned / self.test_customers if self.test_customers else None


class CellCount(models.Model):
    """How many customers of one owner were in each RFM cell after a run: the history of cells."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="cell_counts")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    cell = models.CharField(max_length=20)
    customers = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["run", "owner"], name="analytics_cellcount_run")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.owner_id}/{self.cell}: {self.customers}"


class FigureKind(models.TextChoices):
    REVENUE = "revenue", _("Revenue by day")
    RFM_MOVE = "rfm_move", _("RFM cell movement")
    CLV = "clv", _("Lifetime value distribution")
    ALIVE = "alive", _("Probability active distribution")
    COHORT_JALALI = "cohort_jalali", _("Cohorts by Jalali month")
    COHORT_GREGORIAN = "cohort_gregorian", _("Cohorts by Gregorian month")
    PROFIT = "profit", _("Customers by profit")
    LIFECYCLE = "lifecycle", _("Customers by lifecycle stage")
    CHURN = "churn", _("Customers by churn risk")


class Figure(models.Model):
    """One precomputed figure about the customers of one owner (nobody's: owner empty).

    Kept by owner so every user's dashboard adds up exactly the customers the permission
    policy lets them see (it is registered with the customers' row of the matrix and the
    customer's owner). What ``day``, ``key``, ``count`` and ``amount`` hold depends on the kind:

    - revenue: the day; count = purchases (orders), amount = net revenue in the base currency;
    - rfm_move: key = "previous>current" cell; count = customers;
    - clv, alive: key = the bucket's index; count = customers, amount = their lifetime value;
    - cohort_*: day = the first day of the cohort's month, key = months since; count = customers
      of that cohort who bought in that month;
    - profit: key = the profit band's index (``Run.profit_edges``); count = customers, amount =
      their profit;
    - lifecycle: key = the lifecycle stage; count = customers, amount = their lifetime value;
    - churn: key = the tenth of churn risk (0 for under 10%); count = customers, amount = their
      lifetime value.
    """

    kind = models.CharField(max_length=20, choices=FigureKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(null=True, blank=True)
    key = models.CharField(max_length=50, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=24, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["kind", "day", "owner"], name="analytics_figure_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.owner_id} {self.day or ''} {self.key}: {self.count}"
