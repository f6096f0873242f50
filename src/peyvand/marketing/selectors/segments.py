"""Segments through the permission policy: a rule as one queryset of customers, its capped
count, its members page by page, and the lists of segments.

A rule becomes a single ``WHERE`` over the customers table: each condition a column test or
an ``EXISTS``/correlated subquery on its own index (orders by customer, interactions by
customer, contact points by customer…), combined with AND/OR as the groups say, and then
``policy.visible`` for the user who asks. Nothing is looped over in Python.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Contains, Exact, GreaterThanOrEqual, In, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import get_language

from peyvand.core import policy
from peyvand.core.custom_fields import NUMERIC_TYPES, Definition, Entity, FieldType
from peyvand.core.models import User
from peyvand.core.pagination import COUNT_CAP, Page, capped_count, keyset_page
from peyvand.core.selectors.custom_fields import CustomValue, definitions_for
from peyvand.core.text import search_key, search_terms
from peyvand.customers.models import (
    ContactPoint,
    CustomerInsight,
    Kind,
    LifecycleStage,
    Party,
    PartyTag,
    RfmCell,
    Source,
    Stage,
)
from peyvand.customers.selectors.parties import prefetch_tags
from peyvand.interactions.models import Interaction
from peyvand.sales import conf as sales_conf
from peyvand.sales.models import CurrencyRate, Deal, Order, OrderLine, OrderStatus, Outcome
from peyvand.service.models import OPEN_STATUSES, Ticket

from .. import rules
from ..models import Segment, SegmentMember

SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
DEFAULT_SORT = "name"
MEMBER_ORDER = ["sort_key", "id"]
MONEY = DecimalField(max_digits=30, decimal_places=2)
EVERYONE = Q(pk__isnull=False)  # a rule without conditions: true of every customer


def _custom_definitions() -> dict[str, Definition]:
    """The active custom fields of people and organisations (one table: one type per key)."""
    found: dict[str, Definition] = {}
    for entity in (Entity.PERSON, Entity.ORGANISATION):
        for definition in definitions_for(entity):
            found.setdefault(definition.key, definition)
    return found


def _custom_specs() -> dict[str, rules.FieldSpec]:
    language = get_language()
    return {
        f"{rules.CUSTOM}{d.key}": rules.custom_field_spec(d.key, d.label(language), d.type)
        for d in _custom_definitions().values()
    }


rules.FIELDS.provider = _custom_specs  # a rule may name customers' custom fields


def _custom_q(c: rules.Condition) -> Q:
    """A condition on a custom field, on the value's expression its index serves."""
    definition = _custom_definitions().get(c.field.removeprefix(rules.CUSTOM))
    if definition is None:
        return ~EVERYONE  # a field since deactivated holds nobody
    key = definition.key
    if definition.type == FieldType.YES_NO:
        return Q(**{f"custom__{key}": c.op == "yes"})
    if definition.type in NUMERIC_TYPES:
        return _compare(c.op, CustomValue(key, numeric=True), float(c.amount or 0))
    value = CustomValue(key)
    if definition.type == FieldType.DATE:
        condition = Q()
        if c.start:
            condition &= Q(GreaterThanOrEqual(value, c.start.isoformat()))
        if c.end:
            condition &= Q(LessThanOrEqual(value, c.end.isoformat()))
        return condition
    # Names typed: a choice's key, or its label in either language.
    wanted = set()
    for name in c.values:
        option = next(
            (
                o
                for o in definition.choices
                if search_key(name) in {search_key(o.key), search_key(o.label_fa), search_key(o.label_en)}
            ),
            None,
        )
        wanted.add(option.key if option else name)
    if definition.type == FieldType.MULTI_CHOICE:
        found = Q(pk__in=[])
        for name in wanted:
            found |= Q(Contains(value, f'"{name}"'))
    else:
        found = Q(In(value, sorted(wanted)))
    return ~found if c.op == "not_in" else found


def rule_codes() -> dict[str, frozenset[str]]:
    return {
        "kind": frozenset(Kind.values),
        "stage": frozenset(Stage.values),
        "source": frozenset(Source.values),
        "rfm_cell": frozenset(RfmCell.values),
        "lifecycle_stage": frozenset(LifecycleStage.values),
    }


def rule_parse(data: Any) -> rules.Rule:
    """The stored rule, checked against the models' choices (a ValidationError on "rule")."""
    return rules.parse_rule(data, codes=rule_codes())


# --- a rule as a condition on customers ---------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _in_period(period: rules.Period, today: dt.date, prefix: str = "") -> Q:
    """Orders dated within ``period`` (``prefix`` reaches the order from another row)."""
    found = Q()
    if period.days is not None:
        found &= Q(**{f"{prefix}ordered_on__gt": today - dt.timedelta(days=period.days)})
    if period.start:
        found &= Q(**{f"{prefix}ordered_on__gte": period.start})
    if period.end:
        found &= Q(**{f"{prefix}ordered_on__lte": period.end})
    return found


def _orders(period: rules.Period, today: dt.date) -> QuerySet[Order]:
    """The customer's orders that count (not cancelled) in ``period``, correlated by customer."""
    orders = Order.objects.filter(party_id=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)
    return orders.filter(_in_period(period, today))


def _in_base_currency() -> Any:
    """An order's total in the base currency, at each currency's latest rate (orders in a
    currency without a rate count nothing)."""
    base = sales_conf.base_currency()
    latest: dict[str, Decimal] = {}
    for currency, rate in CurrencyRate.objects.order_by("currency", "-valid_from").values_list(
        "currency", "rate"
    ):
        latest.setdefault(currency, rate)
    latest.pop(base, None)
    cases = [When(currency=base, then=F("total"))]
    cases += [
        When(currency=code, then=ExpressionWrapper(F("total") * Value(rate), output_field=MONEY))
        for code, rate in sorted(latest.items())
    ]
    return Case(*cases, default=Value(Decimal(0)), output_field=MONEY)


def _compare(op: str, left: Any, right: Any) -> Q:
    lookup = {"gte": GreaterThanOrEqual, "lte": LessThanOrEqual, "eq": Exact}[op]
    return Q(lookup(left, right))


def _exists(queryset: QuerySet[Any], negate: bool) -> Q:
    return ~Q(Exists(queryset)) if negate else Q(Exists(queryset))


def condition_q(c: rules.Condition, *, now: dt.datetime, today: dt.date) -> Q:
    """One condition as a test of a customer row."""
    field, op, negate = c.field, c.op, c.op in ("not_in", "no", "none", "not_within", "never")
    if field.startswith(rules.CUSTOM):
        return _custom_q(c)
    if field == "kind":
        return Q(kind=c.values[0])
    if field == "owner":
        if op == "none":
            return Q(owner__isnull=True)
        chosen = Q(owner_id__in=c.values)
        return ~chosen | Q(owner__isnull=True) if negate else chosen
    if field == "tag":
        tagged = PartyTag.objects.filter(party_id=OuterRef("pk"))
        if op == "all":
            condition = Q()
            for tag_id in c.values:
                condition &= Q(Exists(tagged.filter(tag_id=tag_id)))
            return condition
        return _exists(tagged.filter(tag_id__in=c.values), negate)
    if field in ("stage", "source"):
        chosen = Q(**{f"{field}__in": c.values})
        return ~chosen if negate else chosen
    if field in ("province", "city"):
        named = Q()
        for name in c.values:
            named |= Q(**{f"{field}__iexact": name})
        addresses = ContactPoint.objects.filter(party_id=OuterRef("pk"), kind=ContactPoint.Kind.ADDRESS)
        return _exists(addresses.filter(named), negate)
    if field in ("email_consent", "sms_consent"):
        return Q(**{field: op == "yes"})
    if field == "created":
        if op == "within":
            return Q(created_at__gte=now - dt.timedelta(days=c.number or 0))
        created = Q()
        if c.start:
            created &= Q(created_at__gte=_day_start(c.start))
        if c.end:
            created &= Q(created_at__lt=_day_start(c.end + dt.timedelta(days=1)))
        return created
    if field == "last_interaction":
        touches = Interaction.objects.filter(party_id=OuterRef("pk"))
        if op in ("within", "not_within"):
            return _exists(touches.filter(occurred_at__gte=now - dt.timedelta(days=c.number or 0)), negate)
        if op == "never":
            return ~Q(Exists(touches))
        assert c.day is not None
        since = touches.filter(occurred_at__gte=_day_start(c.day))
        if op == "after":
            return Q(Exists(since))
        return Q(Exists(touches)) & ~Q(Exists(since))  # the last one was before the day
    if field == "product":
        lines = OrderLine.objects.filter(
            _in_period(c.period, today, "order__"),
            order__party_id=OuterRef("pk"),
            order__deleted_at__isnull=True,
            product_id__in=c.values,
        ).exclude(order__status=OrderStatus.CANCELLED)
        return Q(Exists(lines))
    if field == "order_count":
        number = c.number or 0
        if op == "gte" and number == 1:
            return Q(Exists(_orders(c.period, today)))
        if (op == "eq" and number == 0) or (op == "lte" and number == 0):
            return ~Q(Exists(_orders(c.period, today)))
        counted = _orders(c.period, today).order_by().values("party_id").annotate(n=Count("pk")).values("n")
        return _compare(op, Coalesce(Subquery(counted), Value(0)), Value(number))
    if field == "order_value":
        totals = (
            _orders(c.period, today)
            .order_by()
            .values("party_id")
            .annotate(value=Sum(_in_base_currency()))
            .values("value")
        )
        amount = Value(c.amount or Decimal(0), output_field=MONEY)
        return _compare(
            op, Coalesce(Subquery(totals, output_field=MONEY), Value(Decimal(0)), output_field=MONEY), amount
        )
    if field == "open_deals":
        return _exists(Deal.objects.filter(party_id=OuterRef("pk"), status=Outcome.OPEN), negate)
    if field == "open_tickets":
        return _exists(Ticket.objects.filter(party_id=OuterRef("pk"), status__in=OPEN_STATUSES), negate)
    if field == "list":
        return _exists(SegmentMember.objects.filter(party_id=OuterRef("pk"), segment_id__in=c.values), negate)
    if field == "rfm_cell":
        cells = Q(Exists(CustomerInsight.objects.filter(party_id=OuterRef("pk"), rfm_cell__in=c.values)))
        return ~cells if negate else cells
    if field == "predicted_clv":
        return Q(**{f"insight__predicted_clv__{op}": c.amount or Decimal(0)})
    if field == "churn_risk":
        return Q(**{f"insight__churn_risk__{op}": (c.number or 0) / 100})
    if field == "lifecycle_stage":
        stages = Q(
            Exists(CustomerInsight.objects.filter(party_id=OuterRef("pk"), lifecycle_stage__in=c.values))
        )
        return ~stages if negate else stages
    if field == "profit":
        return Q(**{f"insight__profit__{op}": c.amount if c.amount is not None else Decimal(0)})
    if field == "probability_alive":
        return Q(**{f"insight__probability_alive__{op}": (c.number or 0) / 100})
    raise ValueError(f"unknown field {field!r}")


def rule_q(rule: rules.Rule, *, now: dt.datetime | None = None) -> Q:
    """The whole rule as one condition on customers: groups combined as ``rule.match`` says."""
    if not rule.groups:
        return EVERYONE
    now = now or timezone.now()
    today = timezone.localdate(now)
    combined = Q()
    for group in rule.groups:
        inner = Q()
        for condition in group.conditions:
            test = condition_q(condition, now=now, today=today)
            inner = (inner | test) if group.match == rules.ANY and inner else (inner & test)
        combined = (combined | inner) if rule.match == rules.ANY and combined else (combined & inner)
    return combined


def rule_parties(*, user: User, rule: rules.Rule, now: dt.datetime | None = None) -> QuerySet[Party]:
    """The customers ``user`` may see that the rule holds."""
    return policy.visible(user, Party.objects.filter(rule_q(rule, now=now)))


def segment_q(segment: Segment, *, now: dt.datetime | None = None) -> Q:
    """Whether a customer is in the segment: its rule evaluated now, or a list's membership."""
    if segment.is_static:
        return Q(Exists(SegmentMember.objects.filter(segment_id=segment.pk, party_id=OuterRef("pk"))))
    return rule_q(rule_parse(segment.rule), now=now)


def segment_parties(*, user: User, segment: Segment, now: dt.datetime | None = None) -> QuerySet[Party]:
    """A segment's customers as ``user`` sees them: a dynamic one evaluated now, a list's members."""
    return policy.visible(user, Party.objects.filter(segment_q(segment, now=now)))


def rule_count(*, user: User, rule: rules.Rule, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many customers the rule holds, up to ``cap``: (count, whether there are more)."""
    return capped_count(rule_parties(user=user, rule=rule), cap)


def segment_count(*, user: User, segment: Segment, cap: int = COUNT_CAP) -> tuple[int, bool]:
    return capped_count(segment_parties(user=user, segment=segment), cap)


def segment_members(
    *, user: User, segment: Segment, cursor: str | None = None, limit: int = 50
) -> Page[Party]:
    """A page of the segment's customers, by name, with a capped count."""
    parties = segment_parties(user=user, segment=segment)
    page = keyset_page(parties.select_related("owner"), order=MEMBER_ORDER, cursor=cursor, limit=limit)
    prefetch_tags(page.items)
    page.extra["count"], page.extra["more"] = capped_count(parties)
    return page


# --- the segments themselves --------------------------------------------------------------


def segment_queryset(*, user: User, filters: dict[str, Any]) -> QuerySet[Segment]:
    queryset = policy.visible(user, Segment.objects.all())
    for term in search_terms(filters.get("q")):
        queryset = queryset.filter(search_text__contains=term)
    if filters.get("kind") in Segment.Kind.values:
        queryset = queryset.filter(kind=filters["kind"])
    return queryset


def segment_list(
    *,
    user: User,
    filters: dict[str, Any],
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Segment]:
    queryset = segment_queryset(user=user, filters=filters)
    page = keyset_page(
        queryset.select_related("owner"),
        order=SORTS.get(sort, SORTS[DEFAULT_SORT]),
        cursor=cursor,
        limit=limit,
    )
    page.extra["count"], page.extra["more"] = capped_count(queryset)
    return page


def segment_get(*, user: User, pk: Any) -> Segment:
    return policy.get_visible(user, Segment.objects.select_related("owner", "created_by"), pk)


def static_lists(*, user: User) -> QuerySet[Segment]:
    """The lists ``user`` may choose from (a condition "in a list", a campaign's audience)."""
    return policy.visible(user, Segment.objects.filter(kind=Segment.Kind.STATIC)).order_by("name", "id")


def segments_for_choice(*, user: User) -> QuerySet[Segment]:
    return policy.visible(user, Segment.objects.all()).order_by("name", "id")
