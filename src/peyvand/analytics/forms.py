"""The analytics app's forms: starting a run, with or without a new lifetime-value fit."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin, LocalDateField

from . import conf
from .models import RefreshMode
from .services.runs import MAX_HORIZON_MONTHS, MAX_WINDOW_DAYS, FitInput, RunInput

HUNDRED = Decimal(100)


class RunForm(BootstrapMixin, forms.Form):
    refresh = forms.ChoiceField(
        label=_("Snapshot refresh"), choices=RefreshMode.choices, initial=RefreshMode.INCREMENTAL
    )
    window_days = forms.IntegerField(
        label=_("RFM window (days)"), min_value=1, max_value=MAX_WINDOW_DAYS, initial=conf.rfm_window_days
    )
    fit = forms.BooleanField(label=_("Fit the lifetime-value model again"), required=False)
    calibration_end = LocalDateField(
        label=_("End of the calibration period"),
        required=False,
        help_text=_("Empty: %(weeks)s weeks before today; the weeks after it check the model.")
        % {"weeks": conf.clv_holdout_weeks()},
    )
    horizon_months = forms.IntegerField(
        label=_("Horizon (months)"),
        min_value=1,
        max_value=MAX_HORIZON_MONTHS,
        initial=conf.clv_horizon_months,
    )
    monthly_discount = forms.DecimalField(
        label=_("Monthly discount rate (%)"),
        min_value=0,
        max_value=Decimal("99.99"),
        decimal_places=2,
        initial=lambda: Decimal(str(conf.clv_monthly_discount())) * HUNDRED,
    )
    margin = forms.DecimalField(
        label=_("Margin (%)"),
        min_value=Decimal("0.01"),
        max_value=HUNDRED,
        decimal_places=2,
        initial=lambda: Decimal(str(conf.clv_margin())) * HUNDRED,
    )

    def to_input(self) -> RunInput:
        data = self.cleaned_data
        fit = None
        if data.get("fit"):
            fit = FitInput(
                calibration_end=data.get("calibration_end"),
                horizon_months=data["horizon_months"],
                monthly_discount=float(data["monthly_discount"] / HUNDRED),
                margin=float(data["margin"] / HUNDRED),
            )
        return RunInput(refresh=data["refresh"], window_days=data["window_days"], fit=fit)
