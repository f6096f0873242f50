"""The adoption app's forms. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin, LocalDateField
from peyvand.core.models import Team, User
from peyvand.core.text import to_ascii_digits
from peyvand.marketing.models import Segment
from peyvand.marketing.selectors.segments import segments_for_choice
from peyvand.sales import conf as sales_conf

from .metrics import channel_choices as metric_channels
from .metrics import choices as metric_choices
from .models import (
    AssessmentStatus,
    BusinessCase,
    ItemStatus,
    LineCategory,
    LineKind,
    ModelKind,
    Quadrant,
    ReadinessModel,
    RiskGroup,
    RiskStatus,
    localized,
)
from .models.readiness import LIKERT_MAX, LIKERT_MIN
from .models.risks import RATING_MAX, RATING_MIN
from .services import roadmap as roadmap_services
from .services import stakeholders as stakeholder_services
from .services.assessments import LINK_DAYS_DEFAULT, LINK_DAYS_MAX, AssessmentInput
from .services.business import LABEL_MAX, NOTES_MAX, AssumptionInput, BusinessCaseInput, CaseLineInput
from .services.catalogue import MAX_FILE_BYTES
from .services.objectives import ObjectiveInput
from .services.risks import MITIGATION_MAX, TITLE_MAX, RiskInput

LIKERT_LABELS = {
    1: _("Strongly disagree"),
    2: _("Disagree"),
    3: _("Neither agree nor disagree"),
    4: _("Agree"),
    5: _("Strongly agree"),
}


class ModelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


def _active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class AssessmentForm(BootstrapMixin, forms.Form):
    model = ModelChoice(
        label=_("Readiness model"), queryset=ReadinessModel.objects.order_by("-builtin", "name_en")
    )

    def __init__(self, *args: Any, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["model"]
        assert isinstance(field, forms.ModelChoiceField)
        if kind:
            field.queryset = ReadinessModel.objects.filter(kind=kind).order_by("-builtin", "name_en")
        if kind == ModelKind.CULTURE:
            field.label = _("Culture model")

    title = forms.CharField(label=_("Title"), max_length=200)
    department = forms.CharField(
        label=_("Department"),
        max_length=120,
        required=False,
        help_text=_("Leave empty for the whole organisation."),
    )
    starts_on = LocalDateField(label=_("Starts on"), required=False)
    ends_on = LocalDateField(label=_("Ends on"), required=False)

    def assessment_input(self) -> AssessmentInput:
        data = self.cleaned_data
        return AssessmentInput(
            model=data["model"],
            title=data["title"],
            department=data.get("department") or "",
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
        )


class AssessmentFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    model = ModelChoice(
        label=_("Readiness model"),
        required=False,
        queryset=ReadinessModel.objects.filter(kind=ModelKind.READINESS),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *AssessmentStatus.choices]
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class InviteUserForm(BootstrapMixin, forms.Form):
    user = UserChoice(label=_("Colleague"), queryset=_active_users())


class InviteLinkForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"), required=False, help_text=_("Only noted; the link is not emailed.")
    )
    days = forms.IntegerField(
        label=_("Link valid for (days)"), min_value=1, max_value=LINK_DAYS_MAX, initial=LINK_DAYS_DEFAULT
    )


_FACTOR_FIELD = re.compile(r"^factor-(\d{1,4})-(key|name_fa|name_en|guidance_fa|guidance_en)$")
_STATEMENT_FIELD = re.compile(r"^factor-(\d{1,4})-statement-(\d{1,4})-(fa|en|weight|reverse)$")


def model_editor_document(data: Mapping[str, Any]) -> dict[str, Any]:
    """The readiness model the editor posted, as a model file says it (the catalogue checks
    it whole). Rows are numbered as the page added them; rows left empty are not kept."""
    factors: dict[int, dict[str, Any]] = {}
    statements: dict[int, dict[int, dict[str, Any]]] = {}
    for name, value in data.items():
        if found := _FACTOR_FIELD.match(name):
            factors.setdefault(int(found[1]), {})[found[2]] = str(value)
        elif found := _STATEMENT_FIELD.match(name):
            row = statements.setdefault(int(found[1]), {}).setdefault(int(found[2]), {})
            row[found[3]] = str(value)
    document_factors = []
    for index in sorted(factors.keys() | statements.keys()):
        fields = factors.get(index, {})
        rows = [
            {
                "fa": row.get("fa", ""),
                "en": row.get("en", ""),
                "weight": to_ascii_digits(row.get("weight", "").strip()).replace("٫", ".") or "1",
                "reverse": bool(row.get("reverse")),
            }
            for _number, row in sorted(statements.get(index, {}).items())
            if row.get("fa", "").strip() or row.get("en", "").strip()
        ]
        if not rows and not any(value.strip() for value in fields.values()):
            continue
        document_factors.append(
            {
                "key": fields.get("key", "").strip(),
                "name": {"fa": fields.get("name_fa", ""), "en": fields.get("name_en", "")},
                "guidance": {"fa": fields.get("guidance_fa", ""), "en": fields.get("guidance_en", "")},
                "statements": rows,
            }
        )
    text = {name: str(data.get(name, "")) for name in MODEL_TEXT_FIELDS}
    return {
        "key": text["key"].strip(),
        "name": {"fa": text["name_fa"], "en": text["name_en"]},
        "source": text["source"],
        "description": {"fa": text["description_fa"], "en": text["description_en"]},
        "factors": document_factors,
    }


MODEL_TEXT_FIELDS = ("key", "name_fa", "name_en", "source", "description_fa", "description_en")


class ModelImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Model file"),
        help_text=_("A JSON or YAML file in the format of the built-in models, in UTF-8."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)d kilobytes."),
                params={"limit": MAX_FILE_BYTES // 1000},
            )
        return upload


def questionnaire_form(statement_ids: list[int], data: Any = None) -> forms.Form:
    """A field per statement, named ``s<id>``: a rating 1–5 or nothing yet."""
    form = forms.Form(data)
    choices = [(str(v), LIKERT_LABELS[v]) for v in range(LIKERT_MIN, LIKERT_MAX + 1)]
    for statement_id in statement_ids:
        form.fields[f"s{statement_id}"] = forms.TypedChoiceField(
            choices=choices, coerce=int, required=False, empty_value=None, widget=forms.RadioSelect
        )
    return form


class CultureParse:
    """The points typed in a culture questionnaire (fields ``n<id>`` now and ``p<id>``
    preferred), in any digits: whole dimensions left empty are skipped."""

    def __init__(self, statement_ids: list[int], data: Any) -> None:
        self.values: dict[str, str] = {}
        self.answers: dict[int, Any] = {}
        self.errors: list[str] = []
        for statement_id in statement_ids:
            pair = []
            for prefix in ("n", "p"):
                name = f"{prefix}{statement_id}"
                text = str(data.get(name, "") or "").strip()[:10]
                self.values[name] = text
                pair.append(_points(text))
            if pair == [None, None]:
                continue
            if any(p is None or p == -1 for p in pair):
                self.answers[statement_id] = (-1, -1)  # the service names the dimension
            else:
                self.answers[statement_id] = (pair[0], pair[1])


def _points(text: str) -> int | None:
    """A whole number in Latin, Persian or Arabic digits; None for nothing, -1 for not a number."""
    if not text:
        return None
    ascii_text = to_ascii_digits(text)
    return int(ascii_text) if ascii_text.isascii() and ascii_text.isdigit() else -1


def ratings_from(form: forms.Form) -> dict[int, int]:
    return {
        int(name[1:]): value
        for name, value in form.cleaned_data.items()
        if name.startswith("s") and value is not None
    }


class RiskForm(BootstrapMixin, forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=RiskGroup.objects.order_by("order"))
    title_fa = forms.CharField(label=_("Risk in Persian"), max_length=TITLE_MAX, required=False)
    title_en = forms.CharField(label=_("Risk in English"), max_length=TITLE_MAX, required=False)
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood"),
        coerce=int,
        choices=[(v, str(v)) for v in range(RATING_MIN, RATING_MAX + 1)],
        initial=3,
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"),
        coerce=int,
        choices=[(v, str(v)) for v in range(RATING_MIN, RATING_MAX + 1)],
        initial=3,
    )
    owner = UserChoice(label=_("Owner"), queryset=_active_users(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices, initial=RiskStatus.IDENTIFIED)
    mitigation = forms.CharField(
        label=_("Mitigation"),
        required=False,
        max_length=MITIGATION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def risk_input(self) -> RiskInput:
        data = self.cleaned_data
        return RiskInput(
            group=data["group"],
            title_fa=data.get("title_fa") or "",
            title_en=data.get("title_en") or "",
            likelihood=data["likelihood"],
            impact=data["impact"],
            owner=data.get("owner"),
            mitigation=data.get("mitigation") or "",
            status=data["status"],
        )


class RiskFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    group = forms.ModelChoiceField(
        label=_("Group"), required=False, queryset=RiskGroup.objects.order_by("order")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *RiskStatus.choices]
    )
    owner = UserChoice(label=_("Owner"), required=False, queryset=_active_users())
    min_score = forms.IntegerField(label=_("Score at least"), required=False, min_value=1, max_value=25)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class NumberField(forms.CharField):
    """A number as typed, in Persian, Arabic or Latin digits; the service reads it and says
    what is wrong with it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "dir": "ltr"}


def _currencies() -> list[tuple[str, Any]]:
    return [(code, f"{name} ({code})") for code, name in sales_conf.CURRENCIES.items()]


class BusinessCaseForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    currency = forms.ChoiceField(label=_("Currency"), choices=_currencies, initial="IRR")
    horizon_years = NumberField(label=_("Horizon (years)"), initial="5", help_text=_("From 1 to 10 years."))
    discount_rate = NumberField(label=_("Discount rate, percent a year"), initial="20")
    sensitivity = NumberField(
        label=_("Sensitivity range, ± percent"),
        initial="20",
        help_text=_(
            "Each assumption, and each line no assumption drives, is moved up and down by this share"
            " for the tornado chart."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTES_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def case_input(self) -> BusinessCaseInput:
        data = self.cleaned_data
        return BusinessCaseInput(
            title=data["title"],
            currency=data["currency"],
            horizon_years=data["horizon_years"],
            discount_rate=data["discount_rate"],
            sensitivity=data["sensitivity"],
            notes=data.get("notes") or "",
        )


class CaseLineForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LineKind.choices, initial=LineKind.BENEFIT)
    category = forms.ChoiceField(label=_("Category"), choices=LineCategory.choices)
    label = forms.CharField(label=_("Description"), max_length=LABEL_MAX, required=False)
    # Either a fixed amount, or an assumption of the case times an amount per unit of it.
    amount = NumberField(label=_("Amount per year"), required=False)
    assumption = forms.TypedChoiceField(
        label=_("Or driven by the assumption"), coerce=int, empty_value=None, required=False
    )
    per_unit = NumberField(
        label=_("Amount per unit of the assumption"),
        required=False,
        help_text=_("The line is then worth the assumption's value times this, and follows it."),
    )
    growth = NumberField(label=_("Growth per year, percent"), required=False, initial="0")
    one_off = forms.BooleanField(label=_("Once, in year 0"), required=False)

    def __init__(self, *args: Any, case: BusinessCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assumptions = case.assumptions.order_by("order", "id").values_list("pk", "label")
        field = self.fields["assumption"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("None: a fixed amount")), *assumptions]

    def line_input(self) -> CaseLineInput:
        data = self.cleaned_data
        return CaseLineInput(
            kind=data["kind"],
            category=data["category"],
            label=data.get("label") or "",
            amount=data.get("amount"),
            growth=data.get("growth") or "0",
            one_off=bool(data.get("one_off")),
            assumption=data.get("assumption"),
            per_unit=data.get("per_unit"),
        )


class AssumptionForm(BootstrapMixin, forms.Form):
    label = forms.CharField(
        label=_("Assumption"),
        max_length=LABEL_MAX,
        help_text=_("e.g. churn rate, average deal, lead conversion"),
    )
    value = NumberField(label=_("Assumed value"))
    metric = forms.ChoiceField(
        label=_("Measured by"),
        choices=lambda: [("", _("Not tied to a figure")), *metric_choices()],
        required=False,
    )
    months = NumberField(label=_("Measured over the last (months)"), initial="12", max_length=3)

    def assumption_input(self) -> AssumptionInput:
        data = self.cleaned_data
        return AssumptionInput(
            label=data["label"], value=data["value"], metric=data.get("metric") or "", months=data["months"]
        )


class BusinessCaseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    currency = forms.ChoiceField(
        label=_("Currency"), required=False, choices=lambda: [("", _("Any")), *_currencies()]
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class RoadmapForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=roadmap_services.TITLE_MAX)
    starts_on = LocalDateField(label=_("Starts on"))

    def roadmap_input(self) -> roadmap_services.RoadmapInput:
        return roadmap_services.RoadmapInput(
            title=self.cleaned_data["title"], starts_on=self.cleaned_data["starts_on"]
        )


class RoadmapItemForm(BootstrapMixin, forms.Form):
    owner = UserChoice(label=_("Owner"), queryset=_active_users(), required=False)
    starts_on = LocalDateField(label=_("Starts on"))
    ends_on = LocalDateField(label=_("Ends on"))
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    deliverables = forms.CharField(
        label=_("Deliverables"),
        required=False,
        max_length=roadmap_services.DELIVERABLES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def item_input(self) -> roadmap_services.RoadmapItemInput:
        data = self.cleaned_data
        return roadmap_services.RoadmapItemInput(
            owner=data.get("owner"),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            deliverables=data.get("deliverables") or "",
            status=data["status"],
        )


def _phases() -> list[tuple[str, str]]:
    return [(phase.key, localized(phase, "name")) for phase in roadmap_services.template()]


class RoadmapFilterForm(BootstrapMixin, forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), required=False, choices=lambda: [("", _("Any")), *_phases()])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *ItemStatus.choices]
    )
    owner = UserChoice(label=_("Owner"), required=False, queryset=_active_users())

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class ObjectiveForm(BootstrapMixin, forms.Form):
    title = forms.CharField(
        label=_("Objective"), max_length=200, help_text=_("e.g. 200 more leads next quarter")
    )
    goal = forms.CharField(label=_("The goal it serves"), max_length=300, required=False)
    metric = forms.ChoiceField(label=_("Measured by"), choices=metric_choices)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("The whole company"),
    )
    segment = ModelChoice(
        label=_("Segment"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("Every customer"),
        help_text=_(
            "Count only the customers of one of marketing's segments or lists, as it holds them today."
        ),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("Every channel")), *metric_channels()],
        required=False,
        help_text=_(
            "For leads, customers and what they buy: the source they came from; for interactions and"
            " tickets: the channel they came by."
        ),
    )
    baseline_start = LocalDateField(label=_("Baseline from"))
    baseline_end = LocalDateField(label=_("Baseline to"))
    starts_on = LocalDateField(label=_("From"))
    due_on = LocalDateField(label=_("Deadline"))
    target = forms.CharField(
        label=_("Target"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"})
    )
    owner = UserChoice(label=_("Owner"), queryset=_active_users(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["segment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = segments_for_choice(user=user)

    def objective_input(self) -> ObjectiveInput:
        return ObjectiveInput(**self.cleaned_data)


BUYIN_CHOICES = [(v, str(v)) for v in range(1, 6)]


class StakeholderForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=stakeholder_services.NAME_MAX)
    role = forms.CharField(label=_("Role"), max_length=stakeholder_services.ROLE_MAX, required=False)
    department = forms.CharField(
        label=_("Department"), max_length=stakeholder_services.DEPARTMENT_MAX, required=False
    )
    user = UserChoice(
        label=_("Colleague"),
        queryset=_active_users(),
        required=False,
        help_text=_("If the stakeholder has an account in Peyvand."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    rational = forms.TypedChoiceField(
        label=_("Rational buy-in"),
        coerce=int,
        choices=BUYIN_CHOICES,
        initial=3,
        help_text=_("1–5: how far they understand what must change and why."),
    )
    emotional = forms.TypedChoiceField(
        label=_("Emotional buy-in"),
        coerce=int,
        choices=BUYIN_CHOICES,
        initial=3,
        help_text=_("1–5: how far they feel for the change and want it."),
    )

    def __init__(self, *args: Any, placed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not placed:  # an existing stakeholder moves on the map from their page
            del self.fields["rational"], self.fields["emotional"]

    def stakeholder_input(self) -> stakeholder_services.StakeholderInput:
        data = self.cleaned_data
        return stakeholder_services.StakeholderInput(
            name=data["name"],
            role=data.get("role") or "",
            department=data.get("department") or "",
            user=data.get("user"),
            notes=data.get("notes") or "",
        )

    def placement_input(self) -> stakeholder_services.PlacementInput:
        return stakeholder_services.PlacementInput(
            rational=self.cleaned_data["rational"], emotional=self.cleaned_data["emotional"]
        )


class PlacementForm(BootstrapMixin, forms.Form):
    rational = forms.TypedChoiceField(label=_("Rational buy-in"), coerce=int, choices=BUYIN_CHOICES)
    emotional = forms.TypedChoiceField(label=_("Emotional buy-in"), coerce=int, choices=BUYIN_CHOICES)
    note = forms.CharField(label=_("Why"), max_length=stakeholder_services.NOTE_MAX, required=False)

    def placement_input(self) -> stakeholder_services.PlacementInput:
        data = self.cleaned_data
        return stakeholder_services.PlacementInput(
            rational=data["rational"], emotional=data["emotional"], note=data.get("note") or ""
        )


class StakeholderActionForm(BootstrapMixin, forms.Form):
    description = forms.CharField(label=_("What to do"), max_length=stakeholder_services.ACTION_MAX)
    owner = UserChoice(label=_("Owner"), queryset=_active_users(), required=False)
    due_on = LocalDateField(label=_("Due"), required=False)

    def action_input(self) -> stakeholder_services.ActionInput:
        data = self.cleaned_data
        return stakeholder_services.ActionInput(
            description=data["description"], owner=data.get("owner"), due_on=data.get("due_on")
        )


class StakeholderFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    quadrant = forms.ChoiceField(
        label=_("Quadrant"), required=False, choices=[("", _("Any")), *Quadrant.choices]
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
