"""The analytics app's forms: starting a run, with or without a new lifetime-value fit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticError

from peyvand.core.forms import BootstrapMixin, LocalDateField

from . import conf
from .models import RefreshMode, Schedule, Visibility
from .reporting import ENTITIES, ReportSpec, spec_errors
from .selectors import reports as report_selectors
from .services.reports import ReportInput
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


# --- the report builder ---------------------------------------------------------------------

FILTER_CHOICES_MAX = 300


class ReportForm(BootstrapMixin, forms.Form):
    """The builder: what to count, by what, under which filters; with a name and sharing to
    save it. Its choices follow the entity chosen (the page is drawn again on each change)."""

    entity = forms.ChoiceField(label=_("Records"))
    measure = forms.ChoiceField(label=_("Measure"))
    rows = forms.ChoiceField(label=_("Rows"))
    columns = forms.ChoiceField(label=_("Columns"), required=False)
    calendar = forms.ChoiceField(
        label=_("Calendar"), choices=[("jalali", _("Jalali")), ("gregorian", _("Gregorian"))]
    )
    date_field = forms.ChoiceField(label=_("Date range applies to"), required=False)
    date_from = LocalDateField(label=_("From"), required=False)
    date_to = LocalDateField(label=_("To"), required=False)
    owner = forms.MultipleChoiceField(label=_("Owner"), required=False)
    team = forms.MultipleChoiceField(label=_("Team"), required=False)
    filter_dimension = forms.ChoiceField(label=_("Also filter by"), required=False)
    filter_values = forms.MultipleChoiceField(label=_("Values"), required=False)
    chart = forms.ChoiceField(
        label=_("Chart"),
        choices=[("bar", _("Bars side by side")), ("stacked", _("Stacked bars")), ("line", _("Lines"))],
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    visibility = forms.ChoiceField(label=_("Shared with"), choices=Visibility.choices, required=False)
    schedule = forms.ChoiceField(label=_("E-mailed"), choices=Schedule.choices, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        entities = report_selectors.entities_for(user)
        self._choices("entity", [(e.key, e.label) for e in entities])
        chosen = self.data.get("entity") or self.initial.get("entity")
        entity = ENTITIES.get(str(chosen)) if chosen else None
        if entity is None or entity not in entities:
            entity = next((e for e in entities if e.key == "deal"), entities[0] if entities else None)
        self.chosen = entity
        if entity is None:
            return
        self.initial.setdefault("entity", entity.key)
        measures = [("count", report_selectors.measure_label_for(entity, "count", ""))]
        for name in entity.numbers:
            measures += [
                (f"sum:{name}", report_selectors.measure_label_for(entity, "sum", name)),
                (f"avg:{name}", report_selectors.measure_label_for(entity, "avg", name)),
            ]
        self._choices("measure", measures)
        dimensions = [(d.key, report_selectors.dimension_label(entity, d)) for d in entity.all_dimensions()]
        self._choices("rows", dimensions)
        self._choices("columns", [("", _("(none)")), *dimensions])
        self._choices("date_field", [("", _("(none)")), *entity.dates.items()])
        self._choices("owner", report_selectors.user_choices())
        self._choices("team", report_selectors.team_choices())
        others = [d for d in entity.dimensions if d.key not in ("owner", "team")]
        self._choices("filter_dimension", [("", _("(none)")), *((d.key, d.label) for d in others)])
        if self.is_bound:
            self._fit_to_entity(entity)
        picked = self.data.get("filter_dimension") or self.initial.get("filter_dimension") or ""
        dimension = entity.dimension(str(picked))
        self._choices(
            "filter_values",
            report_selectors.filter_choices(user, entity, dimension, FILTER_CHOICES_MAX)
            if dimension is not None and dimension.kind != "date"
            else [],
        )

    def _choices(self, name: str, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def _fit_to_entity(self, entity: Any) -> None:
        """After the records change, the choices of the others that no longer fit start over
        (the rows by owner, no columns) instead of failing as invalid."""
        source: Any = self.data
        several = {"owner", "team", "filter_values"}
        data: dict[str, Any] = {
            key: source.getlist(key) if key in several and hasattr(source, "getlist") else source.get(key)
            for key in source
        }
        data["entity"] = entity.key
        fallback = {
            "measure": "count",
            "rows": "owner",
            "columns": "",
            "date_field": "",
            "filter_dimension": "",
        }
        for name, default in fallback.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            value = str(data.get(name) or "")
            if value and not field.valid_value(value):
                data[name] = default
                if name == "filter_dimension":
                    data.pop("filter_values", None)
        self.data = data

    @staticmethod
    def initial_for(spec: ReportSpec) -> dict[str, Any]:
        values: dict[str, Any] = {
            "entity": spec.entity,
            "measure": spec.measure if spec.measure == "count" else f"{spec.measure}:{spec.measure_field}",
            "rows": spec.rows,
            "columns": spec.columns,
            "calendar": spec.calendar,
            "date_field": spec.date_field,
            "date_from": spec.date_from,
            "date_to": spec.date_to,
            "chart": spec.chart,
        }
        for condition in spec.filters:
            if condition.dimension in ("owner", "team"):
                values[condition.dimension] = list(condition.values)
            else:
                values["filter_dimension"] = condition.dimension
                values["filter_values"] = list(condition.values)
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.chosen is None:
            raise ValidationError(_("You may not see any records to report on."))
        if not self.errors:
            try:
                self.spec = self._spec(data)
            except PydanticError as exc:
                for message in spec_errors(exc):
                    self.add_error(None, message)
        return data

    def _spec(self, data: dict[str, Any]) -> ReportSpec:
        measure, _sep, measure_field = str(data.get("measure") or "count").partition(":")
        filters = [{"dimension": key, "values": data[key]} for key in ("owner", "team") if data.get(key)]
        if data.get("filter_dimension") and data.get("filter_values"):
            filters.append({"dimension": data["filter_dimension"], "values": data["filter_values"]})
        return ReportSpec.model_validate(
            {
                "entity": data["entity"],
                "measure": measure,
                "measure_field": measure_field,
                "rows": data["rows"],
                "columns": data.get("columns") or "",
                "calendar": data["calendar"],
                "date_field": data.get("date_field") or "",
                "date_from": data.get("date_from"),
                "date_to": data.get("date_to"),
                "filters": filters,
                "chart": data["chart"],
            }
        )

    def report_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            name=data.get("name") or "",
            spec=self.spec,
            visibility=data.get("visibility") or Visibility.PRIVATE,
            schedule=data.get("schedule") or Schedule.NONE,
        )


class ReportFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    entity = forms.ChoiceField(label=_("Records"), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("entity", [("", _("All")), *((e.key, e.label) for e in ENTITIES.values())])

    def _choices(self, name: str, choices: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return dict(self.cleaned_data)
