"""The service analysis's filter: a date range typed in Jalali or Gregorian, and a team."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.charts import months_back
from peyvand.core.forms import BootstrapMixin, LocalDateField
from peyvand.core.models import Team

from .selectors.analysis import AnalysisFilters, default_filters

# A longer range would only make the yearly bars of a CRM's whole life: ten years is plenty.
MAX_DAYS = 3653


class AnalysisFilterForm(BootstrapMixin, forms.Form):
    date_from = LocalDateField(label=_("From"), required=False)
    date_to = LocalDateField(label=_("To"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("All teams")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("The end of the range comes before its start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("date_from", _("Choose a range of at most ten years."))
        return data

    def filters(self, *, today: dt.date | None = None) -> AnalysisFilters:
        """The range and team asked for; what is missing or invalid takes the default
        (the last twelve months, all teams)."""
        today = today or timezone.localdate()
        default = default_filters(today=today)
        if not self.is_bound:
            return default
        self.is_valid()
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        dates_ok = "date_from" not in self.errors and "date_to" not in self.errors
        start = data.get("date_from") if dates_ok else None
        end = data.get("date_to") if dates_ok else None
        if start and not end:
            end = max(start, today)
        elif end and not start:
            start = months_back(end, 11)
        team = data.get("team") if "team" not in self.errors else None
        return AnalysisFilters(
            start=start or default.start, end=end or default.end, team_id=team.pk if team else None
        )
