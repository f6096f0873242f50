"""Forms of the sales pages. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.custom_field_forms import CustomFieldsMixin
from peyvand.core.custom_fields import Entity
from peyvand.core.forms import BootstrapMixin, LocalDateField
from peyvand.core.models import Team, User
from peyvand.customers.models import Source
from peyvand.interactions.models import Channel

from . import conf
from .models import (
    AssignmentRule,
    Lead,
    LeadStage,
    PaymentMethod,
    Pipeline,
    PriceList,
    Product,
    ScoreRule,
    Stage,
    Unit,
)
from .services.catalogue import price_field
from .services.display import DisplayInput
from .services.leads import SCORABLE_FIELDS, lead_owners
from .services.webforms import WEBFORM_FIELDS


def _currencies() -> list[tuple[str, str]]:
    return [(code, f"{code} · {name}") for code, name in conf.CURRENCIES.items()]


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.team})" if obj.team_id else str(obj)


class MoneyField(forms.CharField):
    """A number as typed, in any digits; the service turns it into a Decimal or says why not."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "dir": "ltr"}


class LeadForm(CustomFieldsMixin, BootstrapMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.OTHER)
    owner = OwnerField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("By the assignment rules"),
    )
    message = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    email_consent = forms.BooleanField(label=_("Agrees to receive marketing email"), required=False)
    sms_consent = forms.BooleanField(label=_("Agrees to receive marketing SMS"), required=False)

    def __init__(
        self, *args: Any, owners: list[User], custom_values: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(pk__in=[u.pk for u in owners])  # type: ignore[attr-defined]
        self.add_custom_fields(Entity.LEAD, custom_values)

    def data_for_service(self, *, creating: bool) -> dict[str, Any]:
        data = self.own_data() | {"custom": self.custom_data()}
        if creating and data.get("owner") is None:
            data.pop("owner")  # the assignment rules decide
        return data


class LeadStageForm(forms.Form):
    stage = forms.ChoiceField(choices=LeadStage.choices)
    reason = forms.CharField(required=False, max_length=500)


class TouchForm(BootstrapMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ConvertForm(BootstrapMixin, forms.Form):
    person = forms.CharField(required=False)  # "new" or an existing person's id
    organisation = forms.CharField(required=False)
    create_deal = forms.BooleanField(label=_("Create a deal"), required=False, initial=True)
    title = forms.CharField(label=_("Deal title"), max_length=200, required=False)
    amount = MoneyField(label=_("Amount"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=_currencies, initial=conf.base_currency)
    expected_close = LocalDateField(label=_("Expected close date"), required=False)


class DealForm(CustomFieldsMixin, BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=10**18 - 1)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(), required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    amount = MoneyField(
        label=_("Amount"), required=False, help_text=_("The sum of the lines, once there are lines.")
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=_currencies, initial=conf.base_currency)
    expected_close = LocalDateField(label=_("Expected close date"))
    owner = OwnerField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )
    lost_reason = forms.CharField(label=_("Reason lost"), max_length=500, required=False)

    def __init__(
        self,
        *args: Any,
        owners: list[User],
        allow_nobody: bool = True,
        custom_values: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_custom_fields(Entity.DEAL, custom_values)
        owner = self.fields["owner"]
        owner.queryset = User.objects.filter(pk__in=[u.pk for u in owners]).select_related("team")  # type: ignore[attr-defined]
        if not allow_nobody:
            # Someone who may only own their own deals cannot leave one to nobody: no such choice.
            owner.required, owner.empty_label = True, None  # type: ignore[attr-defined]
        self.fields["pipeline"].queryset = Pipeline.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["stage"].queryset = Stage.objects.filter(  # type: ignore[attr-defined]
            active=True, pipeline__active=True
        ).select_related("pipeline")
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline} · {s.name}"  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    stage = forms.IntegerField(min_value=1, max_value=10**18 - 1)
    lost_reason = forms.CharField(required=False, max_length=500)


class LineForm(BootstrapMixin, forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False, empty_label=_("Free text")
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = MoneyField(label=_("Quantity"), initial="1")
    unit_price = MoneyField(
        label=_("Unit price"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Empty: the product's price.")}),
    )
    discount_percent = MoneyField(label=_("Discount (%)"), required=False, initial="0")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(active=True).order_by("sku")  # type: ignore[attr-defined]
        self.fields["product"].label_from_instance = lambda p: f"{p.name} · {p.sku}"  # type: ignore[attr-defined]

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class QuoteForm(BootstrapMixin, forms.Form):
    valid_until = LocalDateField(label=_("Valid until"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaymentForm(BootstrapMixin, forms.Form):
    amount = MoneyField(label=_("Amount"))
    paid_on = LocalDateField(label=_("Date paid"), required=False)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class InvoiceForm(BootstrapMixin, forms.Form):
    issued_on = LocalDateField(label=_("Invoice date"), required=False)
    due_on = LocalDateField(label=_("Due date"), required=False)


class ProductForm(CustomFieldsMixin, BootstrapMixin, forms.Form):
    """A product with its price on each active price list (``price_<list id>``; empty: not on it)."""

    sku = forms.CharField(label=_("SKU"), max_length=40)
    name_fa = forms.CharField(label=_("Name in Persian"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    tax_rate = MoneyField(label=_("Tax rate (%)"), initial="10")
    unit_cost = MoneyField(
        label=_("Unit cost"),
        required=False,
        help_text=_("What one unit costs the company, in the base currency (customer profitability)."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        price_lists: list[PriceList],
        custom_values: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.price_lists = price_lists
        for price_list in price_lists:
            self.fields[price_field(price_list)] = MoneyField(
                label=_("Price on “%(list)s” (%(currency)s)")
                % {"list": price_list.name, "currency": price_list.currency},
                required=False,
            )
            self.fields[price_field(price_list)].widget.attrs["class"] = "form-control"
        self.add_custom_fields(Entity.PRODUCT, custom_values)

    def product_data(self) -> dict[str, Any]:
        own = {k: v for k, v in self.own_data().items() if not k.startswith("price_")}
        return own | {"custom": self.custom_data()}

    def prices(self) -> dict[PriceList, Any]:
        return {p: self.cleaned_data[price_field(p)] or None for p in self.price_lists}


class PriceListForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    currency = forms.ChoiceField(label=_("Currency"), choices=_currencies, initial=conf.base_currency)
    is_default = forms.BooleanField(label=_("The default list"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


def _field_choices() -> list[tuple[str, str]]:
    labels = {f.name: f.verbose_name for f in Lead._meta.fields}
    return [(name, capfirst(str(labels.get(name, name)))) for name in SCORABLE_FIELDS]


class RuleValueMixin:
    """A rule's value typed in the field its kind needs: a lead field or a source from a
    list (translated labels, never codes), a province or a number of days as text.
    ``data-kinds`` tells the page's script which to show for the kind chosen."""

    VALUE_FIELDS: dict[str, str] = {}

    def rule_value(self) -> str:
        kind = self.cleaned_data.get("kind")  # type: ignore[attr-defined]
        name = self.VALUE_FIELDS.get(kind or "")
        value = self.cleaned_data.get(name) if name else ""  # type: ignore[attr-defined]
        return "" if value is None else str(value)


class ScoreRuleForm(RuleValueMixin, BootstrapMixin, forms.Form):
    VALUE_FIELDS = {"field": "field", "source": "source", "province": "province", "recency": "days"}

    kind = forms.ChoiceField(label=_("Kind"), choices=ScoreRule.Kind.choices)
    field = forms.ChoiceField(label=_("Field"), choices=_field_choices, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, required=False)
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    days = forms.IntegerField(label=_("Within days"), min_value=1, max_value=3650, required=False)
    points = forms.IntegerField(label=_("Points"), min_value=-100, max_value=100)


class AssignmentRuleForm(RuleValueMixin, BootstrapMixin, forms.Form):
    VALUE_FIELDS = {"source": "source", "province": "province"}

    order = forms.IntegerField(
        label=pgettext_lazy("position in a list", "Order"), min_value=0, max_value=10000, initial=10
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AssignmentRule.Kind.choices)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, required=False)
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    user = OwnerField(
        label=_("Salesperson"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Take turns in the team"),
        help_text=_("Leave empty to take turns (round-robin) among the team's salespeople."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        owners = [u.pk for u in lead_owners()]
        self.fields["user"].queryset = User.objects.filter(pk__in=owners).select_related("team")  # type: ignore[attr-defined]


class WebFormForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title shown to visitors"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    shown = forms.MultipleChoiceField(label=_("Fields"), widget=forms.CheckboxSelectMultiple)
    required = forms.MultipleChoiceField(
        label=_("Required fields"), required=False, widget=forms.CheckboxSelectMultiple
    )
    email_consent_label = forms.CharField(
        label=_("Email consent checkbox text"),
        max_length=300,
        required=False,
        help_text=_("Empty: no checkbox."),
    )
    sms_consent_label = forms.CharField(label=_("SMS consent checkbox text"), max_length=300, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.WEBSITE)
    language = forms.ChoiceField(label=_("Language"), choices=[("fa", _("Persian")), ("en", _("English"))])
    thank_you = forms.CharField(label=_("Thank-you message"), max_length=300, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {f.name: f.verbose_name for f in Lead._meta.fields}
        choices = [(name, labels.get(name, name)) for name in WEBFORM_FIELDS]
        self.fields["shown"].choices = choices  # type: ignore[attr-defined]
        self.fields["required"].choices = choices  # type: ignore[attr-defined]
        for name in ("shown", "required"):
            self.fields[name].widget.attrs["class"] = ""


class ImportForm(BootstrapMixin, forms.Form):
    """The first step of an import of products or past orders; the machinery does the rest."""

    kind = forms.ChoiceField(
        label=_("What to import"), choices=[("products", _("Products")), ("orders", _("Past orders"))]
    )
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,text/csv"}),
    )

    def __init__(self, *args: Any, products: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not products:  # a manager imports past orders only
            self.fields["kind"].choices = [("orders", _("Past orders"))]  # type: ignore[attr-defined]


class TargetForm(BootstrapMixin, forms.Form):
    month = forms.CharField(label=_("Month"), max_length=10, help_text=_("year/month, e.g. 1405/09"))
    owner = OwnerField(
        label=_("Salesperson"), queryset=User.objects.none(), required=False, empty_label=_("The whole team")
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Choose a team"),
        help_text=_("For a whole team's target, with no salesperson chosen."),
    )
    amount = MoneyField(label=_("Target"))

    def __init__(self, *args: Any, people: list[User], teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The team comes along: the choice label shows it, and must not cost a query per person.
        owner, team = self.fields["owner"], self.fields["team"]
        owner.queryset = User.objects.filter(pk__in=[p.pk for p in people]).select_related("team")  # type: ignore[attr-defined]
        team.queryset = Team.objects.filter(pk__in=[t.pk for t in teams]).order_by("name")  # type: ignore[attr-defined]
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("owner") and not cleaned.get("team") and not self.errors:
            self.add_error("team", _("Choose a team for a whole team's target, or a salesperson."))
        return cleaned


class DisplayForm(BootstrapMixin, forms.Form):
    """How amounts in Rial are shown and which calendar the sales months follow."""

    unit = forms.ChoiceField(
        label=_("Show amounts in Rial as"),
        choices=[("rial", _("Rial")), ("toman", _("Toman (a tenth, as people say prices)"))],
        widget=forms.RadioSelect,
        help_text=_("Amounts are always stored in Rial; this changes only how they are shown."),
    )
    fiscal_calendar = forms.ChoiceField(
        label=_("Fiscal calendar"),
        choices=[("jalali", _("Jalali (from 1 Farvardin)")), ("gregorian", _("Gregorian (from 1 January)"))],
        widget=forms.RadioSelect,
        help_text=_("The months of the forecast and the sales targets."),
    )

    def display_input(self) -> DisplayInput:
        data = self.cleaned_data
        return DisplayInput(show_toman=data["unit"] == "toman", fiscal_calendar=data["fiscal_calendar"])
