"""Deals: create, change, move through the pipeline (the kanban and the form call the same
``deal_move_stage``), win or lose, and their product lines.

Every stage change is an audit event on the customer's timeline and a history row that
time in stage is measured from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.custom_fields import Entity, custom_changes
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log, changes_between, snapshot, soft_delete_record
from peyvand.core.services.custom_fields import record_custom
from peyvand.customers.models import Kind, Party

from .. import conf
from ..models import Deal, DealLine, DealStageChange, Outcome, Pipeline, Product, Stage
from ..money import ZERO, check_currency, check_money, round_money, to_decimal
from .common import LineValues, check_lines_total, clean_line, text_field, to_base

DEAL_FIELDS = ("title", "party", "contact", "amount", "currency", "expected_close", "owner")
AUDITED = (*DEAL_FIELDS, "pipeline", "stage", "status", "lost_reason")
LATEST_CLOSE = dt.date(9000, 12, 31)


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(active=True).order_by("-is_default", "order", "id").first()
    if pipeline is None:
        raise ValidationError(
            {"pipeline": [_("There is no pipeline yet; an administrator creates one first.")]}
        )
    return pipeline


def _clean(data: Mapping[str, Any], *, actor: User, deal: Deal | None) -> dict[str, Any]:
    unknown = set(data) - {*DEAL_FIELDS, "pipeline", "stage", "lost_reason", "custom"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name == "title":
            cleaned[name] = text_field(errors, name, value, 200, required=True)
        elif name == "party":
            if not isinstance(value, Party) or not policy.can_view(actor, value):
                errors[name] = [_("Choose a customer you may see.")]
            cleaned[name] = value
        elif name == "contact":
            if value is not None and (
                not isinstance(value, Party) or value.kind != Kind.PERSON or not policy.can_view(actor, value)
            ):
                errors[name] = [_("Choose a person you may see.")]
            cleaned[name] = value
        elif name == "amount":
            try:
                cleaned[name] = to_decimal(value, field=name)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        elif name == "currency":
            try:
                cleaned[name] = check_currency(value)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        elif name == "expected_close":
            if not isinstance(value, dt.date) or not dt.date(1900, 1, 1) <= value <= LATEST_CLOSE:
                errors[name] = [_("Enter a valid date.")]
            cleaned[name] = value
        elif name == "owner":
            if value is not None and (not isinstance(value, User) or not value.is_active):
                errors[name] = [_("Choose an active user.")]
            elif not policy.may_own(actor, Deal, value):
                errors[name] = [
                    _("You may not give a deal to this user.")
                    if value is not None
                    else _("A deal you make or change needs an owner; choose one.")
                ]
            cleaned[name] = value
        elif name in ("pipeline", "stage"):
            cleaned[name] = value
        elif name == "lost_reason":
            cleaned[name] = text_field(errors, name, value, 500)
        elif name == "custom":  # given by the form and the API; a new deal's required ones checked
            current = dict(deal.custom or {}) if deal is not None else None
            cleaned[name] = record_custom(Entity.DEAL, value, current=current, errors=errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _refresh(deal: Deal, *, field: str = "amount") -> None:
    """The amount rounded to its currency and in the base currency; a field error (on
    ``field``, what made the amount) when either is more than an amount can be."""
    # The day in the local time zone, as rates are entered: UTC would be yesterday after midnight.
    day = timezone.localdate(deal.created_at) if deal.created_at else timezone.localdate()
    deal.amount = check_money(round_money(deal.amount, deal.currency), field=field, currency=deal.currency)
    deal.amount_base = to_base(deal.amount, deal.currency, day, field=field)


@transaction.atomic
def deal_create(*, actor: User, data: Mapping[str, Any]) -> Deal:
    policy.require_create(actor, Deal)
    missing = [name for name in ("title", "party") if not data.get(name)]
    if missing:
        raise ValidationError({name: [_("This field is required.")] for name in missing})
    data = {
        "owner": actor,
        "currency": conf.base_currency(),
        "amount": ZERO,
        "expected_close": timezone.localdate() + dt.timedelta(days=30),
        **data,
    }
    cleaned = _clean(data, actor=actor, deal=None)
    pipeline = cleaned.pop("pipeline", None) or default_pipeline()
    stage = cleaned.pop("stage", None) or _first_stage(pipeline)
    lost_reason = cleaned.pop("lost_reason", "")
    _check_stage(pipeline, stage)
    now = timezone.now()
    deal = Deal(
        pipeline=pipeline, stage=stage, stage_entered_at=now, created_by=actor, updated_by=actor, **cleaned
    )
    _apply_outcome(deal, stage, lost_reason, now)
    _refresh(deal)
    deal.save()
    DealStageChange.objects.create(deal=deal, to_stage=stage, at=now, actor=actor)
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        obj=deal,
        party_id=deal.party_id,
        changes={k: [None, v] for k, v in _snapshot(deal).items() if v not in (None, "")}
        | custom_changes({}, deal.custom),
    )
    return deal


def _first_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(active=True, outcome=Outcome.OPEN).order_by("order", "id").first()
    if stage is None:
        raise ValidationError({"stage": [_("This pipeline has no open stage.")]})
    return stage


def _check_stage(pipeline: Pipeline, stage: Stage) -> None:
    if not isinstance(stage, Stage) or stage.pipeline_id != pipeline.pk or not stage.active:
        raise ValidationError({"stage": [_("Choose a stage of this deal's pipeline.")]})
    if not isinstance(pipeline, Pipeline) or not pipeline.active:
        raise ValidationError({"pipeline": [_("Choose an active pipeline.")]})


def _apply_outcome(deal: Deal, stage: Stage, lost_reason: str, now: dt.datetime) -> None:
    if stage.outcome == Outcome.LOST and not lost_reason:
        raise ValidationError({"lost_reason": [_("Say why the deal was lost.")]})
    deal.status = stage.outcome
    deal.lost_reason = lost_reason if stage.outcome == Outcome.LOST else ""
    deal.closed_at = now if stage.outcome != Outcome.OPEN else None


def _snapshot(deal: Deal) -> dict[str, Any]:
    values = snapshot(deal, (*DEAL_FIELDS, "status", "lost_reason"))
    # Names rather than ids: the timeline shows them as they were, even if renamed later.
    values["party"] = deal.party.display_name
    values["contact"] = deal.contact.display_name if deal.contact else None
    values["pipeline"] = deal.pipeline.name
    values["stage"] = deal.stage.name
    return values


def _lock(deal: Deal) -> Deal:
    return (
        Deal.objects.select_for_update(of=("self",))
        .select_related("party", "contact", "pipeline", "stage")
        .get(pk=deal.pk)
    )


@transaction.atomic
def deal_update(*, deal: Deal, actor: User, data: Mapping[str, Any]) -> Deal:
    """Change a deal's fields; a new stage (or pipeline) goes through ``deal_move_stage``."""
    deal = _lock(deal)
    policy.require_change(actor, deal)
    cleaned = _clean(data, actor=actor, deal=deal)
    has_lines = deal.lines.exists()
    if "amount" in cleaned and has_lines and cleaned["amount"] != deal.amount:
        raise ValidationError({"amount": [_("The amount is the sum of the deal's lines; change the lines.")]})
    if "currency" in cleaned and has_lines and cleaned["currency"] != deal.currency:
        # Its lines are priced in the old currency: relabelling them would change what they are worth.
        raise ValidationError(
            {
                "currency": [
                    _("Its lines are priced in %(currency)s; remove them to change the deal's currency.")
                    % {"currency": deal.currency}
                ]
            }
        )
    stage = cleaned.pop("stage", None)
    pipeline = cleaned.pop("pipeline", None)
    lost_reason = cleaned.pop("lost_reason", None)
    before, custom_before = _snapshot(deal), dict(deal.custom or {})
    for name, value in cleaned.items():
        setattr(deal, name, value)
    _refresh(deal, field="amount" if "amount" in cleaned or "currency" not in cleaned else "currency")
    deal.updated_by = actor
    deal.save()
    changes = changes_between(before, _snapshot(deal)) | custom_changes(custom_before, deal.custom)
    if changes:
        audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=deal, party_id=deal.party_id, changes=changes)
    if pipeline is not None and stage is None and pipeline.pk != deal.pipeline_id:
        stage = _first_stage(pipeline)
    if stage is not None and (stage.pk != deal.stage_id or (lost_reason and lost_reason != deal.lost_reason)):
        deal = deal_move_stage(deal=deal, stage=stage, actor=actor, lost_reason=lost_reason or "")
    return deal


@transaction.atomic
def deal_move_stage(*, deal: Deal, stage: Stage, actor: User, lost_reason: str = "") -> Deal:
    """Move a deal to ``stage`` (of its pipeline or another): won and lost close it, lost needs a reason."""
    deal = _lock(deal)
    policy.require_change(actor, deal)
    if not isinstance(stage, Stage):
        raise ValidationError({"stage": [_("Choose a stage of this deal's pipeline.")]})
    errors: dict[str, list[str]] = {}
    lost_reason = text_field(errors, "lost_reason", lost_reason, 500)
    if errors:
        raise ValidationError(errors)
    _check_stage(stage.pipeline, stage)
    if stage.pk == deal.stage_id and lost_reason == deal.lost_reason:
        return deal
    now = timezone.now()
    before = _snapshot(deal)
    previous_stage_id, entered = deal.stage_id, deal.stage_entered_at
    _apply_outcome(deal, stage, lost_reason, now)
    if stage.pk != previous_stage_id:
        deal.pipeline, deal.stage, deal.stage_entered_at = stage.pipeline, stage, now
        DealStageChange.objects.filter(deal=deal, left_at__isnull=True).update(left_at=now)
        DealStageChange.objects.create(
            deal=deal, from_stage_id=previous_stage_id, to_stage=stage, at=now, actor=actor
        )
    deal.updated_by = actor
    deal.save()
    changes = changes_between(before, _snapshot(deal))
    if "stage" in changes:
        # The stage it left with how long it stayed, put in words when the timeline is read
        # (in the reader's language): "New (3 days) → Proposal".
        stayed = int((now - entered).total_seconds())
        changes["stage"] = [{"stage": changes["stage"][0], "seconds": stayed}, changes["stage"][1]]
    audit_log(actor=actor, kind=AuditEvent.Kind.UPDATE, obj=deal, party_id=deal.party_id, changes=changes)
    return deal


@transaction.atomic
def deal_delete(*, deal: Deal, actor: User) -> None:
    policy.require_change(actor, deal)
    soft_delete_record(deal, actor=actor, party_id=deal.party_id, changes={"title": [deal.title, None]})


# --- lines --------------------------------------------------------------------------------


def _product(value: Any) -> Product | None:
    if value is None or value == "":
        return None
    if not isinstance(value, Product) or not value.active:
        raise ValidationError({"product": [_("Choose an active product.")]})
    return value


def _product_price(product: Product | None, currency: str) -> Decimal | None:
    if product is None:
        return None
    price = (
        product.prices.filter(price_list__currency=currency, price_list__active=True)
        .order_by("-price_list__is_default", "price_list_id")
        .values_list("price", flat=True)
        .first()
    )
    return price


def _recompute_amount(deal: Deal, actor: User, before: Decimal, *, field: str = "quantity") -> None:
    """The amount from the lines; a field error when their sum is more than an amount can be."""
    deal.amount = check_lines_total(
        [_line_values(line) for line in deal.lines.all()], deal.currency, field=field
    )
    _refresh(deal, field=field)
    deal.updated_by = actor
    deal.save(update_fields=["amount", "amount_base", "updated_by", "updated_at"])
    if before != deal.amount:
        audit_log(
            actor=actor,
            kind=AuditEvent.Kind.UPDATE,
            obj=deal,
            party_id=deal.party_id,
            changes={"amount": [f"{before} {deal.currency}", f"{deal.amount} {deal.currency}"]},
        )


def _line_values(line: DealLine) -> LineValues:
    return LineValues(line.description, line.quantity, line.unit_price, line.discount_percent, line.tax_rate)


@transaction.atomic
def deal_line_add(*, deal: Deal, actor: User, data: Mapping[str, Any]) -> DealLine:
    """Add a line; the product's price in the deal's currency is the default price."""
    deal = _lock(deal)
    policy.require_change(actor, deal)
    _check_open(deal)
    product = _product(data.get("product"))
    price = _product_price(product, deal.currency)
    if product is not None and price is None and data.get("unit_price") in (None, ""):
        raise ValidationError(
            {
                "unit_price": [
                    _("This product has no price in %(currency)s; enter one.") % {"currency": deal.currency}
                ]
            }
        )
    values = clean_line(data, currency=deal.currency, product=product, default_price=price)
    position = (deal.lines.aggregate(top=Sum("position"))["top"] or 0) + 1
    line = DealLine.objects.create(
        deal=deal,
        product=product,
        description=values.description,
        quantity=values.quantity,
        unit_price=values.unit_price,
        discount_percent=values.discount_percent,
        tax_rate=values.tax_rate,
        position=position,
    )
    _recompute_amount(deal, actor, deal.amount)
    return line


@transaction.atomic
def deal_line_update(*, line: DealLine, actor: User, data: Mapping[str, Any]) -> DealLine:
    deal = _lock(line.deal)
    policy.require_change(actor, deal)
    _check_open(deal)
    current = {
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_percent": line.discount_percent,
        "tax_rate": line.tax_rate,
    }
    values = clean_line({**current, **data}, currency=deal.currency, product=line.product)
    for name in current:
        setattr(line, name, getattr(values, name))
    line.save()
    _recompute_amount(deal, actor, deal.amount)
    return line


@transaction.atomic
def deal_line_remove(*, line: DealLine, actor: User) -> None:
    deal = _lock(line.deal)
    policy.require_change(actor, deal)
    _check_open(deal)
    line.delete()
    _recompute_amount(deal, actor, deal.amount)


def _check_open(deal: Deal) -> None:
    if deal.status != Outcome.OPEN:
        raise ValidationError(_("This deal is closed; reopen it to change its lines."))
