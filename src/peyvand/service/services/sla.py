"""The SLA clocks of a ticket, counted in business minutes of its policy's calendar.

Three targets: the first response (from opening to the first public reply), the next
response (from a customer's message to the answer, once they were answered before) and the
resolution. The resolution clock pauses while the ticket waits on the customer: the minutes
it used are kept in ``sla_used_minutes`` and its due time is set again from what remains when
it runs once more. A new policy (the priority or type changed) takes over from the minutes
used so far.

``sla_check`` (the worker, every minute) warns before a due time and records the breach at
it, each exactly once per due time (a unique SlaEvent), telling the assignee, and the
team's managers at a breach.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from peyvand.core import hooks
from peyvand.core.selectors.users import managers_of

from .. import calendar as engine
from ..models import OPEN_STATUSES, BusinessCalendar, ServiceContract, SlaEvent, SlaPolicy, Status, Ticket

Metric = SlaEvent.Metric
BATCH = 500


# --- calendars and policies -----------------------------------------------------------------


def business_calendar(model: BusinessCalendar) -> engine.BusinessCalendar:
    """The engine's calendar for a stored one; cached until the calendar is changed."""
    return _cached_calendar(model.pk, model.updated_at)


@functools.lru_cache(maxsize=64)
def _cached_calendar(pk: int, _version: dt.datetime) -> engine.BusinessCalendar:
    model = BusinessCalendar.objects.get(pk=pk)
    days = list(model.days.values_list("date", "is_holiday"))
    return engine.BusinessCalendar(
        week=week_of(model.week),
        time_zone=model.time_zone,
        official_holidays=model.official_holidays,
        added_holidays=frozenset(day for day, holiday in days if holiday),
        removed_holidays=frozenset(day for day, holiday in days if not holiday),
    )


def week_of(stored: dict[str, list[list[int]]]) -> engine.Week:
    """The engine's week from the stored one: weekday (Monday = 0, as text) -> windows."""
    days = tuple(tuple((int(start), int(end)) for start, end in stored.get(str(day), [])) for day in range(7))
    return days  # type: ignore[return-value]  # seven days, as the engine's Week


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The SLA of the customer's service contract in force, else the first active policy
    whose conditions the ticket meets (a blank one matches all)."""
    contracted = (
        ServiceContract.objects.filter(
            party_id=ticket.party_id,
            starts_on__lte=timezone.localdate(),
            ends_on__gte=timezone.localdate(),
            sla_policy__active=True,
        )
        .order_by("-ends_on", "-id")
        .select_related("sla_policy__calendar")
        .first()
    )
    if contracted is not None and contracted.sla_policy is not None:
        return contracted.sla_policy
    tags: set[int] | None = None  # the customer's, read once if a policy asks
    for policy in SlaPolicy.objects.filter(active=True).select_related("calendar").order_by("order", "id"):
        if (
            (policy.priority is None or policy.priority == ticket.priority)
            and (not policy.kind or policy.kind == ticket.kind)
            and (policy.team_id is None or policy.team_id == ticket.team_id)
        ):
            if policy.tag_id is not None:
                if tags is None:
                    tags = set(ticket.party.tags.values_list("id", flat=True))
                if policy.tag_id not in tags:
                    continue
            return policy
    return None


def _after(policy: SlaPolicy, start: dt.datetime, minutes: int) -> dt.datetime:
    return engine.add_business_minutes(business_calendar(policy.calendar), start, max(minutes, 0))


def _used(policy: SlaPolicy, start: dt.datetime, end: dt.datetime) -> int:
    return engine.business_minutes_between(business_calendar(policy.calendar), start, end)


# --- the clocks follow the ticket ---------------------------------------------------------------
# Each sets fields on the ticket in memory; the caller saves it.


def sla_start(ticket: Ticket, now: dt.datetime) -> None:
    """A new ticket: its policy, and the due times of the first response and the resolution."""
    policy = ticket.sla_policy = policy_for(ticket)
    ticket.sla_used_minutes, ticket.sla_running_since = 0, now
    if policy is None:
        ticket.first_response_due = ticket.resolution_due = ticket.next_response_due = None
        return
    ticket.first_response_due = _after(policy, now, policy.first_response_minutes)
    ticket.resolution_due = _after(policy, now, policy.resolution_minutes)


def sla_policy_changed(ticket: Ticket, now: dt.datetime) -> None:
    """The priority, type or team changed: the policy that now applies takes over from the
    minutes used so far."""
    policy = policy_for(ticket)
    if policy == ticket.sla_policy:
        return
    _stop(ticket, now)
    ticket.sla_policy = policy
    if policy is None:
        ticket.first_response_due = ticket.resolution_due = ticket.next_response_due = None
        return
    if ticket.first_responded_at is None:
        ticket.first_response_due = _after(policy, ticket.created_at or now, policy.first_response_minutes)
    if ticket.status not in (Status.WAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED):
        _run(ticket, now)


def sla_status_changed(ticket: Ticket, old: str, now: dt.datetime) -> None:
    """Waiting on the customer pauses the resolution clock, resolving stops it, anything
    else (back from waiting, reopened) runs it again with what remains."""
    new = ticket.status
    if new in (Status.WAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED):
        _stop(ticket, now)
        ticket.next_response_due = None
        if new == Status.WAITING_CUSTOMER:
            ticket.resolution_due = None  # paused: no due time while the clock stands
    if new == Status.RESOLVED or (new == Status.CLOSED and ticket.resolved_at is None):
        ticket.resolved_at = now
        _record_late(ticket, Metric.RESOLUTION, ticket.resolution_due, now)
    if new == Status.CLOSED:
        ticket.closed_at = now
    if new in (Status.NEW, Status.OPEN, Status.WAITING_THIRD_PARTY):
        if old in (Status.RESOLVED, Status.CLOSED):
            ticket.resolved_at = ticket.closed_at = None
        if ticket.sla_running_since is None:
            _run(ticket, now)


def sla_replied(ticket: Ticket, now: dt.datetime) -> None:
    """A public reply: the first response is given, the customer waits no more."""
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
        _record_late(ticket, Metric.FIRST_RESPONSE, ticket.first_response_due, now)
    if ticket.next_response_due is not None:
        _record_late(ticket, Metric.NEXT_RESPONSE, ticket.next_response_due, now)
        ticket.next_response_due = None


def sla_customer_waiting(ticket: Ticket, now: dt.datetime) -> None:
    """The customer wrote again after being answered: the next response is due."""
    policy = ticket.sla_policy
    if policy is None or not policy.next_response_minutes or ticket.first_responded_at is None:
        return
    if ticket.next_response_due is None:
        ticket.next_response_due = _after(policy, now, policy.next_response_minutes)


def sla_stop(ticket: Ticket, now: dt.datetime) -> None:
    """The clocks stop for good without a resolution (a ticket merged into another)."""
    _stop(ticket, now)
    ticket.next_response_due = None


def _stop(ticket: Ticket, now: dt.datetime) -> None:
    if ticket.sla_running_since is not None and ticket.sla_policy is not None:
        ticket.sla_used_minutes += _used(ticket.sla_policy, ticket.sla_running_since, now)
    ticket.sla_running_since = None


def _run(ticket: Ticket, now: dt.datetime) -> None:
    ticket.sla_running_since = now
    policy = ticket.sla_policy
    if policy is not None and ticket.resolved_at is None:
        ticket.resolution_due = _after(policy, now, policy.resolution_minutes - ticket.sla_used_minutes)


def _record_late(ticket: Ticket, metric: str, due: dt.datetime | None, now: dt.datetime) -> None:
    """A target met after its due time is a breach, whether or not the worker saw it first."""
    if due is not None and now > due and ticket.pk is not None:
        _event(ticket, metric, SlaEvent.Kind.BREACH, due, now)


# --- warnings and breaches ----------------------------------------------------------------------

_CLOCKS = (
    (Metric.FIRST_RESPONSE, "first_response_due", Q(first_responded_at__isnull=True)),
    (Metric.NEXT_RESPONSE, "next_response_due", Q()),
    (Metric.RESOLUTION, "resolution_due", Q(resolved_at__isnull=True, sla_running_since__isnull=False)),
)


def sla_check(*, now: dt.datetime | None = None) -> int:
    """Warn before each due time and record each breach, once; returns how many it raised."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(minutes=_longest_warning())
    raised = 0
    for metric, field, running in _CLOCKS:
        due_soon = Ticket.objects.filter(
            running, status__in=OPEN_STATUSES, deleted_at__isnull=True, **{f"{field}__lte": horizon}
        ).select_related("sla_policy", "assignee", "party")
        for ticket in due_soon.order_by(field, "id")[:BATCH]:
            due = getattr(ticket, field)
            warn = dt.timedelta(minutes=ticket.sla_policy.warn_before_minutes if ticket.sla_policy else 0)
            if due <= now:
                raised += _raise(ticket, metric, SlaEvent.Kind.BREACH, due, now)
            elif due - warn <= now:
                raised += _raise(ticket, metric, SlaEvent.Kind.WARNING, due, now)
    return raised


def _longest_warning() -> int:
    return max(SlaPolicy.objects.filter(active=True).values_list("warn_before_minutes", flat=True), default=0)


def _raise(ticket: Ticket, metric: str, kind: str, due: dt.datetime, now: dt.datetime) -> int:
    with transaction.atomic():
        if not _event(ticket, metric, kind, due, now):
            return 0
        recipients = [ticket.assignee] if ticket.assignee and ticket.assignee.is_active else []
        if kind == SlaEvent.Kind.BREACH or not recipients:
            team = ticket.team_id or (ticket.assignee.team_id if ticket.assignee else None)
            recipients += managers_of(team, exclude=ticket.assignee_id)
        for user in recipients:
            hooks.notify(
                recipient=user,
                kind=f"sla_{kind}",
                key=f"sla:{ticket.pk}:{metric}:{kind}:{due.isoformat()}:{user.pk}",
                party_id=ticket.party_id,
                url=ticket.get_absolute_url(),
                data={
                    "number": ticket.number,
                    "subject": ticket.subject,
                    "metric": metric,
                    "due": due.isoformat(),
                },
            )
    return 1


def _event(ticket: Ticket, metric: str, kind: str, due: dt.datetime, now: dt.datetime) -> bool:
    """Record it; False when it was recorded before (by another worker, or at the reply)."""
    try:
        with transaction.atomic():
            SlaEvent.objects.create(ticket=ticket, metric=metric, kind=kind, due_at=due, at=now)
    except IntegrityError:
        return False
    return True
