"""Forms of the service desk. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

import datetime as dt
import mimetypes
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peyvand.core.charts import months_back
from peyvand.core.converters import is_id
from peyvand.core.custom_field_forms import CustomFieldsMixin
from peyvand.core.custom_fields import Entity
from peyvand.core.forms import BootstrapMixin, LocalDateField, LocalDateTimeField
from peyvand.core.jalali import local_digits
from peyvand.core.models import Team, User
from peyvand.core.text import to_ascii_digits
from peyvand.customers.models import Tag
from peyvand.interactions.services.outbox import OutboundFile
from peyvand.sales.models import Order, Product, Unit

from .calendar import WEEK_FROM_SATURDAY
from .models import (
    AssignmentRule,
    BusinessCalendar,
    Category,
    Cause,
    Channel,
    Kind,
    Language,
    Priority,
    ServiceContract,
    Skill,
    SlaPolicy,
    Status,
    Ticket,
    Visibility,
    WorkResult,
    WorkStatus,
)
from .selectors.analysis import AnalysisFilters, default_filters
from .selectors.field import VIEWS as WORK_VIEWS
from .selectors.tickets import VIEWS
from .services.canned import CannedInput
from .services.contracts import CONTRACT_FIELDS, ContractInput
from .services.field import WorkOrderInput
from .services.knowledge import ArticleInput
from .services.routing import RuleInput, SkillInput
from .services.settings import CalendarInput, PolicyInput
from .services.tickets import TicketInput
from .services.webforms import WebFormInput


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.team})" if obj.team_id else str(obj)


class TicketForm(CustomFieldsMixin, BootstrapMixin, forms.Form):
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
    language = forms.ChoiceField(label=_("Customer's language"), choices=Language.choices, required=False)
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
        self,
        *args: Any,
        assignees: list[User],
        allow_queue: bool = True,
        orders: Any = None,
        custom_values: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_custom_fields(Entity.TICKET, custom_values)
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
        own = self.own_data()
        data: dict[str, Any] = {name: own[name] for name in self.fields if name in own}
        data["custom"] = self.custom_data()
        data.pop("description", None)
        data.pop("party", None)
        for name in ("status", "language"):
            if not data.get(name):
                data.pop(name, None)
        if "order" in self.fields and not self.fields["order"].queryset.exists():  # type: ignore[attr-defined]
            data.pop("order", None)  # no order to choose: not a choice made
        return TicketInput(party=party, **data) if party is not None else TicketInput(**data)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files from one input (Django's FileField takes one)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(FilesField, self).clean(item, initial) for item in items]


MAX_REPLY_FILES = 5


class ReplyForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = FilesField(label=_("Attach files"), required=False)
    to = forms.ChoiceField(label=_("To"), choices=())
    status = forms.ChoiceField(
        label=_("Then the ticket is"), choices=Status.choices, initial=Status.WAITING_CUSTOMER
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=10**18 - 1)
    send_anyway = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, addresses: dict[str, list[str]], **kwargs: Any) -> None:
        # Its own ids: the note form beside it has a body too (and the pickers fill #reply_body).
        kwargs.setdefault("auto_id", "reply_%s")
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

    def clean_attachments(self) -> list[Any]:
        uploads = self.cleaned_data.get("attachments") or []
        if len(uploads) > MAX_REPLY_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)s files.") % {"count": local_digits(MAX_REPLY_FILES)}
            )
        limit = settings.PEYVAND_ATTACHMENT_MAX_BYTES
        if sum(upload.size or 0 for upload in uploads) > limit:
            raise forms.ValidationError(
                _("The attachments are too large to send (at most %(limit)s MB).")
                % {"limit": local_digits(limit // (1024 * 1024))}
            )
        return uploads

    def files_to_send(self) -> tuple[OutboundFile, ...]:
        """The uploaded files, read, with the type their name says (they go out as
        attachments and are downloaded as such, never shown inline)."""
        return tuple(
            OutboundFile(
                upload.name,
                upload.read(),
                mimetypes.guess_type(upload.name)[0] or "application/octet-stream",
            )
            for upload in self.cleaned_data.get("attachments") or []
        )


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


class TicketChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · {obj.subject} ({obj.get_status_display()})"


class MergeForm(BootstrapMixin, forms.Form):
    into = TicketChoiceField(label=_("Merge into"), queryset=Ticket.objects.none())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = candidates  # type: ignore[attr-defined]


class SplitForm(BootstrapMixin, forms.Form):
    subject = forms.CharField(label=_("Subject of the new ticket"), max_length=200)


class TicketBulkForm(forms.Form):
    """The list's bulk bar: the tickets ticked, and one action with its value."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    action = forms.ChoiceField(
        choices=[("assign", "assign"), ("status", "status"), ("priority", "priority"), ("team", "team")]
    )
    assignee = forms.CharField(required=False)  # a user's id, or "none" for the queue
    status = forms.ChoiceField(required=False, choices=[("", ""), *Status.choices])
    priority = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", ""), *Priority.choices]
    )
    team = forms.CharField(required=False)  # a team's id, or "none"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any ids may be posted; the service keeps only those the user may change.
        self.fields["ids"].valid_value = is_id  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action == "assign":
            value = to_ascii_digits(str(cleaned.get("assignee") or "").strip())
            user = (
                User.objects.filter(pk=int(value), is_active=True).first() if is_id(value) and value else None
            )
            if user is None and value != "none":
                self.add_error("assignee", _("Choose an active user."))
            cleaned["assignee"] = user
        elif action == "team":
            value = to_ascii_digits(str(cleaned.get("team") or "").strip())
            team = Team.objects.filter(pk=int(value)).first() if is_id(value) and value else None
            if team is None and value != "none":
                self.add_error("team", _("Choose a team."))
            cleaned["team"] = team
        elif action == "status" and not cleaned.get("status"):
            self.add_error("status", _("Choose a status."))
        elif action == "priority" and cleaned.get("priority") is None:
            self.add_error("priority", _("Choose a priority."))
        return cleaned

    def ticket_input(self) -> TicketInput:
        action = self.cleaned_data["action"]
        name = "assignee" if action == "assign" else action
        return TicketInput(**{name: self.cleaned_data[name]})


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
    tag = forms.ModelChoiceField(
        label=_("For customers tagged"),
        queryset=Tag.objects.all(),
        required=False,
        empty_label=_("Any"),
        help_text=_("A customer tier: the policy applies to customers with this tag."),
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
    order = forms.IntegerField(label=pgettext_lazy("position in a list", "Order"), min_value=0, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def policy_input(self) -> PolicyInput:
        return PolicyInput(**self.cleaned_data)


class RuleForm(BootstrapMixin, forms.Form):
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=10)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all())
    category = forms.ModelChoiceField(
        label=_("For category"), queryset=Category.objects.none(), required=False, empty_label=_("Any")
    )
    product = forms.ModelChoiceField(
        label=_("For product"), queryset=Product.objects.none(), required=False, empty_label=_("Any")
    )
    kind = forms.ChoiceField(label=_("For type"), required=False, choices=[("", _("Any")), *Kind.choices])
    skill = forms.ModelChoiceField(
        label=_("Agents with the skill"),
        queryset=Skill.objects.all(),
        required=False,
        empty_label=_("Any agent of the team"),
    )
    method = forms.ChoiceField(
        label=_("Given"), choices=AssignmentRule.Method.choices, initial=AssignmentRule.Method.ROUND_ROBIN
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["product"].queryset = Product.objects.filter(active=True).order_by("name_fa")  # type: ignore[attr-defined]

    def rule_input(self) -> RuleInput:
        return RuleInput(**self.cleaned_data)


class AgentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.team})" if obj.team_id else str(obj)


class SkillForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Skill"), max_length=100)
    agents = AgentsField(
        label=_("Agents who have it"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, agents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agents"].queryset = agents  # type: ignore[attr-defined]
        self.fields["agents"].widget.attrs["class"] = "form-check-input"

    def skill_input(self) -> SkillInput:
        return SkillInput(name=self.cleaned_data["name"], agents=tuple(self.cleaned_data["agents"]))


# --- canned replies -----------------------------------------------------------------------------


class CannedForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body_fa = forms.CharField(
        label=_("Text in Persian"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "rtl"}),
        help_text=_("Placeholders: {customer}, {first_name}, {ticket}, {agent}."),
    )
    body_en = forms.CharField(
        label=_("Text in English"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "ltr"}),
    )
    shared = forms.BooleanField(label=_("Shared with the team"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("Every team")
    )

    def canned_input(self) -> CannedInput:
        return CannedInput(**self.cleaned_data)


class CannedFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    shown = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("all", _("All I may use")), ("mine", _("My own")), ("shared", _("Shared"))],
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class WebFormForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For you; visitors see the title."))
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    language = forms.ChoiceField(label=_("Language of the form"), choices=Language.choices)
    kind = forms.ChoiceField(label=_("Tickets' type"), choices=Kind.choices, initial=Kind.QUESTION)
    category = forms.ModelChoiceField(
        label=_("Tickets' category"), queryset=Category.objects.none(), required=False, empty_label=_("None")
    )
    team = forms.ModelChoiceField(
        label=_("Tickets' team"), queryset=Team.objects.all(), required=False, empty_label=_("None")
    )
    thank_you = forms.CharField(label=_("Thank-you message"), max_length=300, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]

    def web_form_input(self) -> WebFormInput:
        return WebFormInput(**self.cleaned_data)


# --- the knowledge base -------------------------------------------------------------------------


class ArticleForm(BootstrapMixin, forms.Form):
    title_fa = forms.CharField(label=_("Title in Persian"), max_length=200, required=False)
    body_fa = forms.CharField(
        label=_("Text in Persian"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "rtl"}),
        help_text=_(
            "Plain text (a blank line starts a paragraph) or simple HTML: headings, paragraphs, lists, "
            "links, bold and italics."
        ),
    )
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Text in English"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "ltr"}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("None")
    )
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices)
    published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]

    def article_input(self) -> ArticleInput:
        return ArticleInput(**self.cleaned_data)


class ArticleFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("Any")
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), required=False, choices=[("", _("Any")), *Visibility.choices]
    )
    published = forms.ChoiceField(
        label=_("Published"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Published")), ("no", _("Drafts"))],
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        data["category"] = getattr(data.get("category"), "pk", None)
        return data


# --- the service analysis: a date range typed in Jalali or Gregorian, and a team ----------------

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


# --- field service ----------------------------------------------------------------------------


class WorkOrderForm(BootstrapMixin, forms.Form):
    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=10**18 - 1)
    title = forms.CharField(label=_("Job"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    site_address = forms.CharField(
        label=_("Site address"),
        required=False,
        max_length=300,
        help_text=_("Left blank: the customer's primary address."),
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills needed"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contract = forms.ModelChoiceField(
        label=_("Service contract"),
        queryset=ServiceContract.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    labour_product = forms.ModelChoiceField(
        label=_("Labour billed as"), queryset=Product.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args: Any, contracts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = (  # type: ignore[attr-defined]
            contracts if contracts is not None else ServiceContract.objects.none()
        )
        self.fields["labour_product"].queryset = Product.objects.filter(  # type: ignore[attr-defined]
            active=True, unit=Unit.HOUR
        ).order_by("sku")

    def work_input(self, party: Any) -> WorkOrderInput:
        data = self.cleaned_data
        values: dict[str, Any] = {
            name: data[name]
            for name in ("title", "description", "site_address", "labour_product")
            if name in self.fields
        }
        values["skills"] = list(data.get("skills") or [])
        if "contract" in self.fields and self.fields["contract"].queryset.exists():  # type: ignore[attr-defined]
            values["contract"] = data.get("contract")
        if party is not None:
            values["party"] = party
        return WorkOrderInput(**values)


class ScheduleForm(BootstrapMixin, forms.Form):
    technician = AssigneeField(label=_("Technician"), queryset=User.objects.none(), empty_label=None)
    start = LocalDateTimeField(label=_("Starts"))
    end = LocalDateTimeField(label=_("Ends"))

    def __init__(self, *args: Any, technicians: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=[u.pk for u in technicians]
        ).select_related("team")


class BoardMoveForm(forms.Form):
    """A card dropped on the board: onto a technician's day, or back to the pile."""

    technician = forms.IntegerField(required=False, min_value=1, max_value=10**18 - 1)
    day = forms.DateField(required=False)
    unschedule = forms.BooleanField(required=False)


class CheckOutForm(BootstrapMixin, forms.Form):
    result = forms.ChoiceField(label=pgettext_lazy("visit", "Result"), choices=WorkResult.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    labour_hours = forms.CharField(
        label=_("Hours worked"),
        required=False,
        max_length=10,
        help_text=_("Left blank: the time on site, to the quarter hour."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )


class PartForm(BootstrapMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("Part"), queryset=Product.objects.none())
    quantity = forms.CharField(
        label=_("Quantity"),
        max_length=20,
        initial="1",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = (  # type: ignore[attr-defined]
            Product.objects.filter(active=True).exclude(unit=Unit.HOUR).order_by("name_fa")
        )


class PhotoForm(BootstrapMixin, forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class SignatureForm(BootstrapMixin, forms.Form):
    signed_by = forms.CharField(label=_("Name of the person signing"), max_length=200)
    signature = forms.CharField(widget=forms.HiddenInput, max_length=400_000, required=False)


class WorkOrderFilterForm(BootstrapMixin, forms.Form):
    view = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("pending", _("Still to do")),
            ("mine", _("My visits")),
            ("unscheduled", _("To schedule")),
            ("done", pgettext_lazy("work orders", "Done")),
            ("all", _("All work orders")),
        ],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *WorkStatus.choices]
    )
    billed = forms.ChoiceField(
        label=_("Billed"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Billed")), ("no", _("Done, not billed"))],
    )
    date_from = LocalDateField(label=_("From"), required=False)
    date_to = LocalDateField(label=_("To"), required=False)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        if data.get("view") not in WORK_VIEWS:
            data["view"] = "pending"
        return data


class ContractForm(BootstrapMixin, forms.Form):
    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=10**18 - 1)
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = LocalDateField(label=_("Starts"))
    ends_on = LocalDateField(label=_("Ends"))
    sla_policy = forms.ModelChoiceField(
        label=_("SLA policy"),
        queryset=SlaPolicy.objects.none(),
        required=False,
        empty_label=_("The usual rules"),
    )
    hours_included = forms.CharField(
        label=_("Hours included"),
        required=False,
        max_length=10,
        help_text=_("Left blank: any number of hours."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )
    covers_parts = forms.BooleanField(label=_("Covers parts"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sla_policy"].queryset = SlaPolicy.objects.filter(active=True)  # type: ignore[attr-defined]

    def contract_input(self, party: Any) -> ContractInput:
        data = {
            name: self.cleaned_data[name]
            for name in CONTRACT_FIELDS
            if name != "party" and name in self.cleaned_data
        }
        if party is not None:
            data["party"] = party
        return ContractInput(**data)


class ContractFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any")),
            ("active", _("In force")),
            ("future", _("Not started")),
            ("expired", _("Expired")),
        ],
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
