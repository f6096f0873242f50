"""Forms of the service desk. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from peyvand.core.forms import BootstrapMixin, LocalDateField
from peyvand.core.models import Team, User
from peyvand.sales.models import Order, Product

from .calendar import WEEK_FROM_SATURDAY
from .models import BusinessCalendar, Category, Cause, Channel, Kind, Priority, Status
from .selectors.tickets import VIEWS
from .services.settings import CalendarInput, PolicyInput
from .services.tickets import TicketInput


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.team})" if obj.team_id else str(obj)


class TicketForm(BootstrapMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=10**18 - 1)
    description = forms.CharField(
        label=_("What the customer asks"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices, initial=Kind.QUESTION)
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=Priority.choices, initial=Priority.NORMAL
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("None")
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False, empty_label=_("None")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("None")
    )
    assignee = AssigneeField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody (the queue)")
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, required=False)
    # A complaint's particulars (shown for complaints).
    cause = forms.ModelChoiceField(
        label=_("Root cause"), queryset=Cause.objects.none(), required=False, empty_label=_("Not known yet")
    )
    order = forms.ModelChoiceField(
        label=_("Order"), queryset=Order.objects.none(), required=False, empty_label=_("None")
    )
    compensation = forms.CharField(label=_("Compensation given"), max_length=200, required=False)
    compensation_amount = forms.CharField(
        label=_("Compensation amount"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )
    customer_stayed = forms.NullBooleanField(
        label=_("Did the customer stay?"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Not known yet")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )

    def __init__(
        self, *args: Any, assignees: list[User], allow_queue: bool = True, orders: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cause"].queryset = Cause.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["order"].queryset = orders if orders is not None else Order.objects.none()  # type: ignore[attr-defined]
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["product"].queryset = Product.objects.filter(active=True).order_by("name_fa")  # type: ignore[attr-defined]
        assignee = self.fields["assignee"]
        assignee.queryset = User.objects.filter(pk__in=[u.pk for u in assignees]).select_related("team")  # type: ignore[attr-defined]
        if not allow_queue:
            # Someone who may hold only their own tickets cannot leave one in the queue.
            assignee.required, assignee.empty_label = True, None  # type: ignore[attr-defined]

    def ticket_input(self, party: Any) -> TicketInput:
        data = {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}
        data.pop("description", None)
        data.pop("party", None)
        if not data.get("status"):
            data.pop("status", None)
        if "order" in self.fields and not self.fields["order"].queryset.exists():  # type: ignore[attr-defined]
            data.pop("order", None)  # no order to choose: not a choice made
        return TicketInput(party=party, **data) if party is not None else TicketInput(**data)


class ReplyForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 5}))
    to = forms.ChoiceField(label=_("To"), choices=())
    status = forms.ChoiceField(
        label=_("Then the ticket is"), choices=Status.choices, initial=Status.WAITING_CUSTOMER
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=10**18 - 1)
    send_anyway = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, addresses: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = []
        for channel, label in ((Channel.EMAIL, _("Email")), (Channel.SMS, _("SMS"))):
            values = addresses.get(channel, [])
            if values:
                # A phone number reads left to right in a right-to-left page too (LRI … PDI).
                choices.append((label, [(f"{channel}:{v}", f"\u2066{v}\u2069") for v in values]))
        self.fields["to"].choices = choices  # type: ignore[attr-defined]

    def channel_and_address(self) -> tuple[str, str]:
        channel, _sep, address = str(self.cleaned_data["to"]).partition(":")
        return channel, address


class NoteForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label=_("Internal note"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TicketFilterForm(BootstrapMixin, forms.Form):
    view = forms.ChoiceField(
        label=_("Queue"),
        required=False,
        choices=[
            ("open", _("Open tickets")),
            ("mine", _("My open tickets")),
            ("unassigned", _("Unassigned")),
            ("overdue", _("Overdue")),
            ("all", _("All tickets")),
        ],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *Status.choices])
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any")), *Kind.choices])
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any")), *Priority.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("Any")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("Any")
    )
    created_from = LocalDateField(label=_("Created from"), required=False)
    created_to = LocalDateField(label=_("Created to"), required=False)

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is ignored (and shown as an error on the form)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        for name in ("category", "team"):
            data[name] = getattr(data.get(name), "pk", None)
        if data.get("view") not in VIEWS:
            data["view"] = "open"
        return data


# --- settings -----------------------------------------------------------------------------------


class CategoryForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Category"), max_length=100)


class CalendarForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="Asia/Tehran")
    official_holidays = forms.BooleanField(
        label=_("Iran's official holidays are days off"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in WEEK_FROM_SATURDAY:
            self.fields[f"day_{day}"] = forms.CharField(
                label=WEEKDAYS[day],
                required=False,
                max_length=200,
                help_text=_("e.g. 08:00-12:00, 13:00-16:00"),
            )
            self.fields[f"day_{day}"].widget.attrs["dir"] = "ltr"

    def calendar_input(self) -> CalendarInput:
        data = self.cleaned_data
        return CalendarInput(
            name=data["name"],
            time_zone=data["time_zone"].strip(),
            official_holidays=data["official_holidays"],
            week={day: data.get(f"day_{day}", "") for day in range(7)},
        )


class CalendarDayForm(BootstrapMixin, forms.Form):
    date = LocalDateField(label=_("Date"))
    holiday = forms.TypedChoiceField(
        label=_("That day"),
        coerce=lambda value: value == "1",
        choices=[("1", _("is a holiday")), ("0", _("is worked (an official holiday taken back)"))],
    )
    name = forms.CharField(label=_("Why"), max_length=100, required=False)


class PolicyForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    calendar = forms.ModelChoiceField(label=_("Calendar"), queryset=BusinessCalendar.objects.all())
    priority = forms.TypedChoiceField(
        label=_("For priority"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("Any")), *Priority.choices],
    )
    kind = forms.ChoiceField(label=_("For type"), required=False, choices=[("", _("Any")), *Kind.choices])
    team = forms.ModelChoiceField(
        label=_("For team"), queryset=Team.objects.all(), required=False, empty_label=_("Any")
    )
    first_response_minutes = forms.IntegerField(
        label=_("First response within (business minutes)"), min_value=1
    )
    next_response_minutes = forms.IntegerField(
        label=_("Next response within (business minutes)"), min_value=1, required=False
    )
    resolution_minutes = forms.IntegerField(label=_("Resolution within (business minutes)"), min_value=1)
    warn_before_minutes = forms.IntegerField(
        label=_("Warn this many minutes before"), min_value=0, initial=30
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def policy_input(self) -> PolicyInput:
        return PolicyInput(**self.cleaned_data)
