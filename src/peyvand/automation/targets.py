"""The kinds of record a rule watches, and what a rule may read and change on each.

A record type names its model, the audit log's label for it (events arrive from
``core.hooks.on_record_event`` by that label), the fields conditions read and actions set,
the date fields time triggers count from, who owns it and which customer it concerns.
No database here beyond reading the record given; changes go through the record's own
services (``services.actions``), never through ``save()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core import jalali
from peyvand.core.models import User
from peyvand.core.text import clean_text, search_key, to_ascii_digits
from peyvand.customers.models import Kind, Party, Source
from peyvand.customers.models import Stage as PartyStage
from peyvand.sales.models import Deal, Lead, LeadStage, Outcome, Stage
from peyvand.service.models import Ticket
from peyvand.service.models.tickets import Priority
from peyvand.service.models.tickets import Status as TicketStatus

TEXT, NUMBER, CHOICE, BOOLEAN, USER, DATE = "text", "number", "choice", "boolean", "user", "date"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    kind: str
    settable: bool = False
    choices: Callable[[], list[tuple[str, str]]] | None = None
    attribute: str = ""  # the model attribute read, where it is not ``name`` (a foreign key's id)

    def read(self, record: models.Model) -> Any:
        return getattr(record, self.attribute or self.name)

    def options(self) -> list[tuple[str, str]]:
        return self.choices() if self.choices else []


@dataclass(frozen=True)
class RecordType:
    key: str
    label: Any
    label_plural: Any
    model: type[models.Model]
    audit_label: str
    fields: dict[str, FieldSpec]
    date_fields: dict[str, Any]  # name -> label
    stage_field: str  # what "a stage entered" watches
    owner_field: str  # "owner", or a ticket's "assignee"
    party: Callable[[Any], Party | None]
    url_name: str
    base_filter: dict[str, Any] = field(default_factory=dict)

    def queryset(self) -> models.QuerySet:
        return self.model._default_manager.filter(**self.base_filter)


def _choices(enum: Any) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(str(value), str(label)) for value, label in enum.choices]


def _stages() -> list[tuple[str, str]]:
    rows = Stage.objects.select_related("pipeline").order_by("pipeline__order", "pipeline_id", "order", "id")
    return [(str(stage.pk), f"{stage.pipeline.name} › {stage.name}") for stage in rows]


def _users() -> list[tuple[str, str]]:
    rows = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    return [(str(user.pk), user.get_full_name() or user.username) for user in rows]


def _f(name: str, label: Any, kind: str, **kwargs: Any) -> tuple[str, FieldSpec]:
    return name, FieldSpec(name, label, kind, **kwargs)


_CREATED = _f("created_at", gettext_lazy("created"), DATE)
_UPDATED = _f("updated_at", gettext_lazy("last changed"), DATE)

LEAD = RecordType(
    key="lead",
    label=gettext_lazy("lead"),
    label_plural=gettext_lazy("Leads"),
    model=Lead,
    audit_label="sales.lead",
    fields=dict(
        [
            _f("first_name", gettext_lazy("first name"), TEXT, settable=True),
            _f("last_name", gettext_lazy("last name"), TEXT, settable=True),
            _f("company", gettext_lazy("company"), TEXT, settable=True),
            _f("job_title", gettext_lazy("job title"), TEXT, settable=True),
            _f("email", gettext_lazy("email"), TEXT),
            _f("phone", gettext_lazy("phone"), TEXT),
            _f("province", gettext_lazy("province"), TEXT, settable=True),
            _f("city", gettext_lazy("city"), TEXT, settable=True),
            _f("source", gettext_lazy("source"), CHOICE, settable=True, choices=_choices(Source)),
            _f("stage", gettext_lazy("stage"), CHOICE, settable=True, choices=_choices(LeadStage)),
            _f("owner", gettext_lazy("owner"), USER, settable=True, choices=_users, attribute="owner_id"),
            _f("score", gettext_lazy("score"), NUMBER),
            _CREATED,
            _UPDATED,
        ]
    ),
    date_fields={"created_at": gettext_lazy("created"), "last_touch_at": gettext_lazy("last contact")},
    stage_field="stage",
    owner_field="owner",
    party=lambda lead: lead.party,
    url_name="sales:lead_detail",
)

DEAL = RecordType(
    key="deal",
    label=gettext_lazy("deal"),
    label_plural=gettext_lazy("Deals"),
    model=Deal,
    audit_label="sales.deal",
    fields=dict(
        [
            _f("title", gettext_lazy("title"), TEXT, settable=True),
            _f("amount", gettext_lazy("amount"), NUMBER),
            _f("currency", gettext_lazy("currency"), TEXT),
            _f("expected_close", gettext_lazy("expected close date"), DATE, settable=True),
            _f("stage", gettext_lazy("stage"), CHOICE, settable=True, choices=_stages, attribute="stage_id"),
            _f("status", gettext_lazy("status"), CHOICE, choices=_choices(Outcome)),
            _f("owner", gettext_lazy("owner"), USER, settable=True, choices=_users, attribute="owner_id"),
            _CREATED,
            _UPDATED,
        ]
    ),
    date_fields={
        "created_at": gettext_lazy("created"),
        "expected_close": gettext_lazy("expected close date"),
        "stage_entered_at": gettext_lazy("in this stage since"),
    },
    stage_field="stage",
    owner_field="owner",
    party=lambda deal: deal.party,
    url_name="sales:deal_detail",
)


def _party_fields(kind: str) -> dict[str, FieldSpec]:
    names = (
        [
            _f("first_name", gettext_lazy("first name"), TEXT, settable=True),
            _f("last_name", gettext_lazy("last name"), TEXT, settable=True),
        ]
        if kind == Kind.PERSON
        else [
            _f("name", gettext_lazy("name"), TEXT, settable=True),
            _f("industry", gettext_lazy("industry"), TEXT, settable=True),
        ]
    )
    return dict(
        [
            *names,
            _f("primary_email", gettext_lazy("email"), TEXT),
            _f("primary_phone", gettext_lazy("phone"), TEXT),
            _f("source", gettext_lazy("source"), CHOICE, settable=True, choices=_choices(Source)),
            _f("stage", gettext_lazy("stage"), CHOICE, settable=True, choices=_choices(PartyStage)),
            _f("owner", gettext_lazy("owner"), USER, settable=True, choices=_users, attribute="owner_id"),
            _CREATED,
            _UPDATED,
        ]
    )


PERSON = RecordType(
    key="person",
    label=gettext_lazy("person"),
    label_plural=gettext_lazy("People"),
    model=Party,
    audit_label="customers.party",
    fields=_party_fields(Kind.PERSON),
    date_fields={"created_at": gettext_lazy("created"), "date_of_birth": gettext_lazy("date of birth")},
    stage_field="stage",
    owner_field="owner",
    party=lambda party: party,
    url_name="party_detail",
    base_filter={"kind": Kind.PERSON},
)
ORGANISATION = RecordType(
    key="organisation",
    label=gettext_lazy("organisation"),
    label_plural=gettext_lazy("Organisations"),
    model=Party,
    audit_label="customers.party",
    fields=_party_fields(Kind.ORGANISATION),
    date_fields={"created_at": gettext_lazy("created")},
    stage_field="stage",
    owner_field="owner",
    party=lambda party: party,
    url_name="party_detail",
    base_filter={"kind": Kind.ORGANISATION},
)
TICKET = RecordType(
    key="ticket",
    label=gettext_lazy("ticket"),
    label_plural=gettext_lazy("Tickets"),
    model=Ticket,
    audit_label="service.ticket",
    fields=dict(
        [
            _f("subject", gettext_lazy("subject"), TEXT, settable=True),
            _f("status", gettext_lazy("status"), CHOICE, settable=True, choices=_choices(TicketStatus)),
            _f("priority", gettext_lazy("priority"), CHOICE, settable=True, choices=_choices(Priority)),
            _f(
                "assignee",
                gettext_lazy("assignee"),
                USER,
                settable=True,
                choices=_users,
                attribute="assignee_id",
            ),
            _CREATED,
            _UPDATED,
        ]
    ),
    date_fields={"created_at": gettext_lazy("created")},
    stage_field="status",
    owner_field="assignee",
    party=lambda ticket: ticket.party,
    url_name="service:ticket_detail",
)

RECORD_TYPES: dict[str, RecordType] = {t.key: t for t in (LEAD, DEAL, PERSON, ORGANISATION, TICKET)}
BY_AUDIT_LABEL: dict[str, list[RecordType]] = {}
for _type in RECORD_TYPES.values():
    BY_AUDIT_LABEL.setdefault(_type.audit_label, []).append(_type)


def record_type_of(record: models.Model) -> RecordType | None:
    for candidate in BY_AUDIT_LABEL.get(record._meta.label_lower, []):
        if all(getattr(record, name) == value for name, value in candidate.base_filter.items()):
            return candidate
    return None


def record_choices() -> list[tuple[str, str]]:
    return [(key, str(t.label_plural)) for key, t in RECORD_TYPES.items()]


# --- typed values --------------------------------------------------------------------------


def parse_value(spec: FieldSpec, raw: Any) -> Any:
    """A value typed in a rule (any digits, Arabic ي and ك) as the field holds it, or a
    ValidationError saying what is wrong with it."""
    text = clean_text(to_ascii_digits(str(raw if raw is not None else "")))
    if spec.kind == NUMBER:
        try:
            return Decimal(text.replace(",", "").replace("٬", ""))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Enter a number.")) from None
    if spec.kind == DATE:
        try:
            return jalali.parse_date(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    if spec.kind == BOOLEAN:
        if text.lower() in ("1", "true", "yes", "بله"):
            return True
        if text.lower() in ("0", "false", "no", "خیر"):
            return False
        raise ValidationError(_("Enter yes or no."))
    if spec.kind in (CHOICE, USER):
        options = dict(spec.options())
        if text not in options:
            raise ValidationError(_("Choose one of the field's values."))
        return int(text) if text.isdigit() else text
    return text


def comparable(value: Any) -> Any:
    """A record's value in the form its condition compares: dates as dates, text folded."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return search_key(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def show_value(spec: FieldSpec, value: Any) -> str:
    """A value as a person reads it, in their language and digits."""
    if value in (None, ""):
        return "—"
    if spec.kind in (CHOICE, USER):
        return dict(spec.options()).get(str(value), str(value))
    if spec.kind == DATE and isinstance(value, dt.date):
        return jalali.format_date(value.date() if isinstance(value, dt.datetime) else value)
    return jalali.local_digits(value) if spec.kind == NUMBER else str(value)
