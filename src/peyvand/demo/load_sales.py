"""Writing the plan's sales and activities through the sales and activities services.

Every record is made by someone allowed to: a deal, its quote, order, invoices and payments
by the deal's owner; a lead by its owner (or by nobody, as a web form does) and handed out
by a manager; targets by the team's manager; an activity by its assignee or their manager.
The catalogue, the default price list and the default pipeline are the app's own first-run
set-up (``product_create`` without an actor, ``default_price_list``,
``pipeline_ensure_default``): the demo is loaded before anyone is an administrator.

The services date what they make now (a deal's creation, a quote's and an order's day);
the plan's own dates (expected close, invoice and payment days, contacts with leads, and
all activity times) are relative to the anchor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from peyvand.activities.services import activity_cancel, activity_complete, activity_create
from peyvand.core import policy
from peyvand.core.models import Team, User
from peyvand.customers.models import Party
from peyvand.interactions.models import Interaction
from peyvand.sales.models import Deal, Outcome, Pipeline, PriceList, Product
from peyvand.sales.models import Stage as DealStage
from peyvand.sales.services import billing, catalogue, conversion, deals, leads, pipelines, targets

from .plan import Plan
from .sales import OPEN_STAGES, DealPlan, LeadPlan, LinePlan

ROUNDING = Decimal(10_000)  # part payments are round sums of Rial


@dataclass
class SalesResult:
    products: int = 0
    deals: int = 0
    leads: int = 0
    invoices: int = 0
    targets: int = 0


@dataclass
class ActivityResult:
    count: int = 0
    # The interactions finished calls and meetings logged, with when they were finished.
    logged: list[tuple[Interaction, dt.datetime]] = field(default_factory=list)


def write_sales(
    plan: Plan, parties: list[Party], users: dict[str, User], teams: dict[str, Team]
) -> SalesResult:
    result = SalesResult()
    with translation.override(settings.LANGUAGE_CODE):
        # Named in the installation's language, like a first run would.
        pipeline = pipelines.pipeline_ensure_default()
        price_list = catalogue.default_price_list()
    products = _catalogue(plan, price_list)
    result.products = len(products)
    stages = _stages(pipeline)
    for planned in plan.sales.deals:
        result.invoices += _deal(planned, parties, users, products, stages)
        result.deals += 1
    for lead in plan.sales.leads:
        result.deals += _lead(lead, parties, users, products)
        result.leads += 1
    for target in plan.sales.targets:
        targets.target_set(
            actor=users[target.setter],
            month=target.month,
            amount=target.amount,
            owner=users[target.owner] if target.owner else None,
            team=teams[target.team] if target.team else None,
        )
        result.targets += 1
    return result


def _catalogue(plan: Plan, price_list: PriceList) -> dict[str, Product]:
    products = {}
    for item in plan.sales.products:
        # Loaded again with force: the products are the same ones.
        product = Product.objects.filter(sku=item.sku).first()
        if product is None:
            product = catalogue.product_create(
                actor=None,
                data={
                    "sku": item.sku,
                    "name_fa": item.name_fa,
                    "name_en": item.name_en,
                    "unit": item.unit,
                    "tax_rate": item.tax_rate,
                },
                prices={price_list: item.price},
            )
        products[item.sku] = product
    return products


def _stages(pipeline: Pipeline) -> dict[str, DealStage]:
    """The plan's stage names on this pipeline: its open stages in order, its won and lost."""
    active = list(pipeline.stages.filter(active=True).order_by("order", "id"))
    open_ = [s for s in active if s.outcome == Outcome.OPEN]
    stages = {name: open_[min(i, len(open_) - 1)] for i, name in enumerate(OPEN_STAGES)}
    stages["won"] = next(s for s in active if s.outcome == Outcome.WON)
    stages["lost"] = next(s for s in active if s.outcome == Outcome.LOST)
    return stages


def _line(line: LinePlan, products: dict[str, Product]) -> dict[str, Any]:
    values: dict[str, Any] = {"product": products[line.sku], "quantity": line.quantity}
    if line.unit_price is not None:
        values["unit_price"] = line.unit_price
    if line.discount:
        values["discount_percent"] = line.discount
    return values


def _deal(
    planned: DealPlan,
    parties: list[Party],
    users: dict[str, User],
    products: dict[str, Product],
    stages: dict[str, DealStage],
) -> int:
    """Make one deal and take it as far as the plan says; returns how many invoices it got."""
    owner = users[planned.owner]
    start = planned.stage if planned.stage in OPEN_STAGES else planned.lost_from or "negotiation"
    values: dict[str, Any] = {
        "title": planned.title,
        "party": parties[planned.party],
        "owner": owner,
        "expected_close": planned.expected_close,
        "stage": stages[start],
    }
    if planned.contact is not None:
        values["contact"] = parties[planned.contact]
    if not planned.lines:
        values["amount"] = planned.amount
    deal: Deal = deals.deal_create(actor=owner, data=values)
    for line in planned.lines:
        deals.deal_line_add(deal=deal, actor=owner, data=_line(line, products))
    quote = billing.quote_create(deal=deal, actor=owner) if planned.quote or planned.stage == "won" else None
    if planned.stage == "lost":
        if quote is not None and planned.quote == "declined":
            billing.quote_decline(quote=quote, actor=owner, reason=planned.quote_reason)
        deals.deal_move_stage(deal=deal, stage=stages["lost"], actor=owner, lost_reason=planned.lost_reason)
    if planned.stage != "won" or quote is None:
        return 0
    order = billing.quote_accept(quote=quote, actor=owner)
    for invoice_plan in planned.invoices:
        quantities = None
        if invoice_plan.first_line_only:
            first = order.lines.order_by("position", "id").first()
            assert first is not None
            quantities = {first.pk: first.quantity}
        invoice = billing.invoice_create(
            order=order,
            actor=owner,
            quantities=quantities,
            issued_on=invoice_plan.issued_on,
            due_on=invoice_plan.due_on,
        )
        due = invoice.total
        for payment in invoice_plan.payments:
            amount = due if payment.share is None else invoice.total * payment.share // ROUNDING * ROUNDING
            billing.payment_record(
                invoice=invoice,
                actor=owner,
                amount=amount,
                paid_on=payment.paid_on,
                method=payment.method,
                reference=payment.reference,
            )
            due -= amount
    return len(planned.invoices)


def _lead(
    planned: LeadPlan, parties: list[Party], users: dict[str, User], products: dict[str, Product]
) -> int:
    """Capture one lead and work it as far as the plan says; returns 1 if it became a deal."""
    creator = users[planned.creator] if planned.creator else None
    values = dict(planned.data)
    if creator is not None and planned.owner:
        values["owner"] = users[planned.owner]
    lead = leads.lead_create(actor=creator, data=values)
    if planned.assigned_by and planned.owner:
        owner = users[planned.owner]
        lead = leads.lead_update(lead=lead, actor=users[planned.assigned_by], data={"owner": owner})
    worker = users[planned.worker]
    for channel, note, when in planned.touches:
        leads.lead_touch(lead=lead, actor=worker, channel=channel, note=note, at=when)
    if planned.stage in ("qualified", "converted"):
        lead = leads.lead_set_stage(lead=lead, actor=worker, stage="qualified")
    elif planned.stage == "disqualified":
        lead = leads.lead_set_stage(lead=lead, actor=worker, stage="disqualified", reason=planned.reason)
    convert = planned.convert
    if convert is None:
        return 0
    # The salesperson recognised the lead as a customer already in the CRM and chose them.
    organisation = parties[convert.organisation] if convert.organisation is not None else None
    done = conversion.lead_convert(
        lead=lead,
        actor=worker,
        person=parties[convert.person],
        organisation=organisation,
        deal={"title": convert.title, "expected_close": convert.expected_close},
    )
    if done.deal is None:
        return 0
    deals.deal_line_add(deal=done.deal, actor=worker, data=_line(convert.line, products))
    return 1


def write_activities(plan: Plan, parties: list[Party], users: dict[str, User]) -> ActivityResult:
    result = ActivityResult()
    for planned in plan.activities:
        assignee, actor = users[planned.assignee], users[planned.actor]
        party = parties[planned.party] if planned.party is not None else None
        if party is not None and not policy.can_view(actor, party):
            continue  # an administrator narrowed who sees whom before the demo was loaded again
        values: dict[str, Any] = {
            "kind": planned.kind,
            "title": planned.title,
            "due_at": planned.due_at,
            "ends_at": planned.ends_at,
            "assignee": assignee,
            "priority": planned.priority,
            "repeat": planned.repeat,
        }
        if party is not None:
            values["party"] = party
        # Planned in the assignee's language, so a monthly series follows their calendar.
        with translation.override(assignee.language or settings.LANGUAGE_CODE):
            activity = activity_create(actor=actor, data=values, reminders=planned.reminders)
            result.count += 1
            if planned.done is not None:
                done = planned.done
                follow_up = None
                if done.follow_up_at is not None:
                    follow_up = {"kind": "call", "title": done.follow_up_title, "due_at": done.follow_up_at}
                completion = activity_complete(
                    activity=activity,
                    actor=assignee,
                    outcome=done.outcome,
                    note=done.note,
                    follow_up=follow_up,
                    now=done.at,
                )
                if completion.activity.interaction is not None:
                    result.logged.append((completion.activity.interaction, done.at))
                result.count += (completion.follow_up is not None) + (completion.next_occurrence is not None)
            if planned.cancelled is not None:
                when, reason = planned.cancelled
                activity_cancel(activity=activity, actor=assignee, reason=reason, now=when)
    return result
