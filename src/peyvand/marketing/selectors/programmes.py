"""Programmes through the permission policy: the list, one programme and its steps, its
enrolments, each enrolment's path, and the figures per step.

Per step: entered (enrolments that reached it), sent and skipped (its messages), opened and
clicked (of those sent), converted (enrolments that reached it and placed an order, not
cancelled, within the programme's attribution window after), exited (passages that ended
there: an exit step, or the last step done).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from peyvand.core import charts, jalali, policy
from peyvand.core.models import User
from peyvand.core.pagination import Page, capped_count, keyset_page
from peyvand.core.text import search_terms
from peyvand.customers.models import Party
from peyvand.sales.models import Order, OrderStatus

from ..models import Channel, Enrolment, PathEvent, Programme, Recipient, Step

SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
DEFAULT_SORT = "-created"


def programme_queryset(*, user: User, filters: dict[str, Any]) -> QuerySet[Programme]:
    queryset = policy.visible(user, Programme.objects.all())
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if filters.get("status") in Programme.Status.values:
        queryset = queryset.filter(status=filters["status"])
    return queryset


def programme_list(
    *,
    user: User,
    filters: dict[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Programme]:
    queryset = programme_queryset(user=user, filters=filters)
    page: Page[Programme] = keyset_page(
        queryset.select_related("owner", "entry_segment").annotate(
            steps_count=Count("steps", distinct=True),
            active_count=Count(
                "enrolments", filter=Q(enrolments__state=Enrolment.State.ACTIVE), distinct=True
            ),
        ),
        order=SORTS.get(sort, SORTS[DEFAULT_SORT]),
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def programme_get(*, user: User, pk: Any) -> Programme:
    return policy.get_visible(
        user, Programme.objects.select_related("owner", "entry_segment", "started_by"), pk
    )


def programme_steps(*, programme: Programme) -> list[Step]:
    return list(programme.steps.select_related("campaign", "yes_step", "no_step").order_by("position", "id"))


def step_get(*, programme: Programme, pk: Any) -> Step:
    return Step.objects.select_related("campaign", "yes_step", "no_step").get(programme=programme, pk=pk)


# --- enrolments and paths -----------------------------------------------------------------


def enrolment_queryset(*, user: User, programme: Programme, filters: dict[str, Any]) -> QuerySet[Enrolment]:
    """The programme's enrolments whose customers ``user`` may see."""
    queryset = Enrolment.objects.filter(
        programme=programme, party__in=policy.visible(user, Party.objects.all())
    )
    if filters.get("state") in Enrolment.State.values:
        queryset = queryset.filter(state=filters["state"])
    step = filters.get("step")
    if isinstance(step, str) and step.isdigit():
        queryset = queryset.filter(step__position=int(step))
    return queryset


def enrolment_list(
    *, user: User, programme: Programme, filters: dict[str, Any], cursor: str | None = None, limit: int = 50
) -> Page[Enrolment]:
    queryset = enrolment_queryset(user=user, programme=programme, filters=filters)
    page = keyset_page(queryset.select_related("party", "step"), order=["-id"], cursor=cursor, limit=limit)
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def enrolment_get(*, user: User, programme: Programme, pk: Any) -> Enrolment:
    return (
        enrolment_queryset(user=user, programme=programme, filters={})
        .select_related("party", "step")
        .get(pk=pk)
    )


@dataclass(frozen=True)
class PathRow:
    at: dt.datetime
    kind: str
    label: str
    step_position: int | None
    step_kind: str
    detail: str


def describe(event: PathEvent) -> str:
    """Why, in the reader's language (the event keeps it in none)."""
    code, detail = event.code, event.detail
    if code in ("yes", "no"):
        condition = str(Step.Condition(detail).label) if detail in Step.Condition.values else detail
        answer = (
            _("Yes: %(condition)s") % {"condition": condition}
            if code == "yes"
            else _("No: not %(condition)s in time") % {"condition": condition}
        )
        if not event.target:
            return _("%(answer)s → the end") % {"answer": answer}
        return _("%(answer)s → step %(step)s") % {"answer": answer, "step": jalali.local_digits(event.target)}
    if code == "reason":
        return str(Recipient.Reason(detail).label) if detail in Recipient.Reason.values else detail
    if code == "channel":
        return str(Channel(detail).label) if detail in Channel.values else detail
    words = {
        "entered": _("Entered the programme."),
        "done": _("All steps done."),
        "deleted": _("The customer was deleted."),
        "exit": _("An exit step."),
        "no_message": _("The step has no message."),
    }
    return str(words.get(code, detail))


def enrolment_path(*, enrolment: Enrolment) -> list[PathRow]:
    """Which step, when, and why: the enrolment's events in order."""
    rows = enrolment.events.select_related("step").order_by("at", "id")
    return [
        PathRow(
            at=event.at,
            kind=event.kind,
            label=str(PathEvent.Kind(event.kind).label),
            step_position=event.step.position if event.step else None,
            step_kind=str(Step.Kind(event.step.kind).label) if event.step else "",
            detail=describe(event),
        )
        for event in rows
    ]


def party_enrolments(*, user: User, party: Party, limit: int = 5) -> list[Enrolment]:
    """The customer's last passages through programmes, for the customer page."""
    programmes = policy.visible(user, Programme.objects.all())
    rows = Enrolment.objects.filter(party=party, programme__in=programmes)
    return list(rows.select_related("programme", "step").order_by("-id")[:limit])


# --- stats --------------------------------------------------------------------------------


@dataclass
class StepStats:
    step: Step
    entered: int = 0
    sent: int = 0
    skipped: int = 0
    opened: int = 0
    clicked: int = 0
    converted: int = 0
    exited: int = 0


def step_stats(*, programme: Programme) -> list[StepStats]:
    """The figures of each step, a few queries however many enrolments."""
    steps = programme_steps(programme=programme)
    found = {step.pk: StepStats(step) for step in steps}
    events = (
        PathEvent.objects.filter(step__programme=programme, kind__in=("arrived", "exited", "done"))
        .values("step_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in events:
        stats = found.get(row["step_id"])
        if stats is None:
            continue
        if row["kind"] == PathEvent.Kind.ARRIVED:
            stats.entered += row["n"]
        else:
            stats.exited += row["n"]
    # The last step done is recorded without a step: it ends at the last one.
    done = PathEvent.objects.filter(enrolment__programme=programme, kind=PathEvent.Kind.DONE, step=None)
    if steps:
        found[steps[-1].pk].exited += done.count()
    by_campaign = {step.campaign_id: found[step.pk] for step in steps if step.campaign_id}
    sends = (
        Recipient.objects.filter(campaign_id__in=list(by_campaign), enrolment__isnull=False)
        .values("campaign_id")
        .annotate(
            sent=Count("id", filter=Q(state=Recipient.State.QUEUED)),
            skipped=Count("id", filter=Q(state=Recipient.State.SKIPPED)),
            opened=Count("id", filter=Q(state=Recipient.State.QUEUED, opened_at__isnull=False)),
            clicked=Count("id", filter=Q(state=Recipient.State.QUEUED, clicked_at__isnull=False)),
        )
        .order_by()
    )
    for send in sends:
        stats = by_campaign[send["campaign_id"]]
        stats.sent, stats.skipped = send["sent"], send["skipped"]
        stats.opened, stats.clicked = send["opened"], send["clicked"]
    window = dt.timedelta(days=programme.attribution_days)
    bought = Order.objects.filter(
        party_id=OuterRef("enrolment__party_id"),
        created_at__gte=OuterRef("at"),
        created_at__lt=OuterRef("at") + window,
    ).exclude(status=OrderStatus.CANCELLED)
    converted = (
        PathEvent.objects.filter(step__programme=programme, kind=PathEvent.Kind.ARRIVED)
        .filter(Exists(bought))
        .values("step_id")
        .annotate(n=Count("enrolment_id", distinct=True))
        .order_by()
    )
    for hit in converted:
        if hit["step_id"] in found:
            found[hit["step_id"]].converted = hit["n"]
    return [found[step.pk] for step in steps]


def steps_chart(stats: list[StepStats]) -> charts.Chart:
    """How many customers each step took in, converted and let go: where a programme leaks."""
    labels = tuple(
        f"{charts.format_value(row.step.position, 'count')}. {row.step.get_kind_display()}" for row in stats
    )
    return charts.Chart(
        key="steps",
        title=_("Customers at each step"),
        kind="bar",
        labels=labels,
        series=(
            charts.Series(_("Entered"), tuple(float(row.entered) for row in stats)),
            charts.Series(_("Converted"), tuple(float(row.converted) for row in stats)),
            charts.Series(_("Exited"), tuple(float(row.exited) for row in stats)),
        ),
        label_heading=_("Step"),
        note=_("Converted: bought within the attribution window after reaching the step."),
    )


@dataclass
class ProgrammeTotals:
    enrolled: int = 0
    active: int = 0
    done: int = 0
    exited: int = 0


def programme_totals(*, programme: Programme) -> ProgrammeTotals:
    rows = programme.enrolments.values("state").annotate(n=Count("id")).order_by()
    totals = ProgrammeTotals()
    for row in rows:
        totals.enrolled += row["n"]
        setattr(totals, row["state"], row["n"])
    return totals
