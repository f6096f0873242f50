"""What partners and the channel manager read.

A partner's user reaches the partner pages only while their account is a partner's and
their person is still a live contact of the partner's organisation (``partner_of``); every
partner query then starts from that partner: its registrations, the deals assigned to it
(``PartnerDeal``) and the customers of those deals. A record is found by its reference
(``refs``) and then only within the partner's own; anything else is not found (404).

The channel manager's side reads through the one permission policy (resource ``partners``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import jdatetime
from django.db import models
from django.db.models import Avg, Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.charts import Chart, Series
from peyvand.core.models import User
from peyvand.core.pagination import Page, keyset_page
from peyvand.core.text import search_key
from peyvand.customers.models import Membership, Party
from peyvand.customers.selectors.identity import parties_by_phone, party_by_email
from peyvand.customers.selectors.parties import parties_matching
from peyvand.sales.models import Outcome, ProductPrice, Stage

from ..models import (
    Partner,
    PartnerDeal,
    PartnerTarget,
    PortalAccount,
    Registration,
    RegistrationStatus,
)
from ..refs import pk_from

PAGE = 20
# A registration protects its customer from other partners' registrations for this long.
PROTECTION_DAYS = 90
NAME_MATCHES = 5


# --- who is a partner ---------------------------------------------------------------------


def partner_of(account: PortalAccount) -> Partner | None:
    """The partner ``account`` works for, or None: not a partner's user, the partner no longer
    active, or the person no longer a contact of its organisation."""
    if hasattr(account, "_partner"):
        cached: Partner | None = account._partner
        return cached
    partner = None
    if account.partner_id is not None:
        found = (
            Partner.objects.select_related("organisation", "price_list")
            .filter(pk=account.partner_id, active=True, organisation__deleted_at__isnull=True)
            .first()
        )
        if (
            found is not None
            and Membership.objects.filter(
                person_id=account.party_id, organisation_id=found.organisation_id, deleted_at__isnull=True
            ).exists()
        ):
            partner = found
    account._partner = partner  # type: ignore[attr-defined]
    return partner


# --- Jalali quarters ----------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[int, int]:
    """The Jalali (year, quarter) ``day`` falls in."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return jalali.year, (jalali.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """The first day of the Jalali quarter and the first day after it (Gregorian)."""
    start = jdatetime.date(year, 3 * (quarter - 1) + 1, 1).togregorian()
    following = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    end = jdatetime.date(following[0], 3 * (following[1] - 1) + 1, 1).togregorian()
    return start, end


def quarter_label(year: int, quarter: int) -> str:
    return _("Q%(quarter)d %(year)d") % {"quarter": quarter, "year": year}


# --- conflicts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """What a registration says about its customer, normalised."""

    name: str
    company: str
    phone: str
    email: str


def registration_conflicts(
    *, partner: Partner, candidate: Candidate, exclude: int | None = None
) -> list[dict[str, Any]]:
    """The existing customers and the other partners' live registrations (pending or
    approved, within ``PROTECTION_DAYS``) this customer may be: for the channel manager."""
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()

    def add(kind: str, pk: int, by: str) -> None:
        if (kind, pk) not in seen:
            seen.add((kind, pk))
            found.append({"kind": kind, "id": pk, "by": by})

    if candidate.phone:
        for party in parties_by_phone(candidate.phone)[:NAME_MATCHES]:
            add("customer", party.pk, "phone")
    if candidate.email:
        by_email = party_by_email(candidate.email)
        if by_email is not None:
            add("customer", by_email.pk, "email")
    for name in (candidate.company, candidate.name):
        if len(search_key(name)) >= 3:
            matching = parties_matching(name).filter(deleted_at__isnull=True).order_by("id")
            for pk in matching.values_list("pk", flat=True)[:NAME_MATCHES]:
                add("customer", pk, "name")
    since = timezone.now() - dt.timedelta(days=PROTECTION_DAYS)
    same = Q(name_key=search_key(candidate.name)) if candidate.name else Q(pk__in=[])
    if candidate.phone:
        same |= Q(phone=candidate.phone)
    if candidate.email:
        same |= Q(email=candidate.email)
    others = (
        Registration.objects.filter(same, created_at__gte=since)
        .filter(status__in=(RegistrationStatus.PENDING, RegistrationStatus.APPROVED))
        .exclude(partner=partner)
        .exclude(pk=exclude or 0)
        .order_by("created_at", "id")
    )
    for row in others.values("pk", "phone", "email")[:NAME_MATCHES]:
        if candidate.phone and row["phone"] == candidate.phone:
            by = "phone"
        elif candidate.email and row["email"] == candidate.email:
            by = "email"
        else:
            by = "name"
        add("registration", row["pk"], by)
    return found


# --- the partner's own records ------------------------------------------------------------


def registration_list(*, partner: Partner, cursor: str | None) -> Page[Registration]:
    queryset = Registration.objects.filter(partner=partner)
    return keyset_page(queryset, order=["-created_at", "-id"], cursor=cursor, limit=PAGE)


def _deals(partner: Partner) -> models.QuerySet[PartnerDeal]:
    return PartnerDeal.objects.filter(partner=partner, deal__deleted_at__isnull=True).select_related(
        "deal", "deal__party", "deal__stage"
    )


DEAL_STATUSES = (Outcome.OPEN, Outcome.WON, Outcome.LOST)


def deal_list(*, partner: Partner, status: str | None, cursor: str | None) -> Page[PartnerDeal]:
    queryset = _deals(partner)
    if status in DEAL_STATUSES:
        queryset = queryset.filter(deal__status=status)
    return keyset_page(queryset, order=["-assigned_at", "-id"], cursor=cursor, limit=PAGE)


def deal_get(*, partner: Partner, ref: Any) -> PartnerDeal:
    pk = pk_from("partner_deal", ref)
    found = _deals(partner).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def deal_stages(*, link: PartnerDeal) -> list[Stage]:
    return list(Stage.objects.filter(pipeline_id=link.deal.pipeline_id, active=True).order_by("order", "id"))


def _customers(partner: Partner) -> models.QuerySet[Party]:
    return Party.objects.filter(
        deleted_at__isnull=True,
        pk__in=PartnerDeal.objects.filter(partner=partner, deal__deleted_at__isnull=True).values(
            "deal__party_id"
        ),
    )


def customer_list(*, partner: Partner, cursor: str | None) -> Page[Party]:
    return keyset_page(_customers(partner), order=["sort_key", "id"], cursor=cursor, limit=PAGE)


def customer_get(*, partner: Partner, ref: Any) -> Party:
    pk = pk_from("partner_customer", ref)
    found = _customers(partner).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def customer_deals(*, partner: Partner, party: Party) -> list[PartnerDeal]:
    return list(_deals(partner).filter(deal__party=party).order_by("-assigned_at", "-id"))


# --- commissions, prices, targets ---------------------------------------------------------


def commission_of(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Commission:
    link: PartnerDeal
    amount: Decimal  # the won deal's, in the base currency
    commission: Decimal


def commissions(*, partner: Partner) -> tuple[list[Commission], Decimal]:
    """The partner's won deals with the commission each earns (won amount × the partner's
    rate, in the base currency), newest first, and their total."""
    won = _deals(partner).filter(deal__status=Outcome.WON).order_by("-deal__closed_at", "-id")
    rows = [
        Commission(link, link.deal.amount_base, commission_of(link.deal.amount_base, partner.commission_rate))
        for link in won
    ]
    return rows, sum((row.commission for row in rows), Decimal(0))


def price_list_items(*, partner: Partner) -> list[ProductPrice]:
    if partner.price_list is None or not partner.price_list.active:
        return []
    return list(
        ProductPrice.objects.filter(price_list=partner.price_list, product__active=True)
        .select_related("product")
        .order_by("product__sku", "id")
    )


@dataclass(frozen=True)
class TargetResult:
    year: int
    quarter: int
    target: Decimal | None
    won: Decimal

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return int((self.won * 100 / self.target).to_integral_value(rounding=ROUND_HALF_UP))


def targets(*, partner: Partner, today: dt.date | None = None, count: int = 4) -> list[TargetResult]:
    """The current Jalali quarter and the ``count - 1`` before it: each one's target (if set)
    and what the partner won in it."""
    year, quarter = quarter_of(today or timezone.localdate())
    periods = []
    for _step in range(count):
        periods.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    set_targets = {
        (t.year, t.quarter): t.amount
        for t in PartnerTarget.objects.filter(partner=partner, year__gte=periods[-1][0])
    }
    won = _deals(partner).filter(deal__status=Outcome.WON)
    sums = {}
    for period in periods:
        start, end = quarter_bounds(*period)
        sums[period] = Sum(
            "deal__amount_base", filter=Q(deal__closed_at__date__gte=start, deal__closed_at__date__lt=end)
        )
    totals = won.aggregate(**{f"p{y}_{q}": expr for (y, q), expr in sums.items()})
    return [
        TargetResult(y, q, set_targets.get((y, q)), totals[f"p{y}_{q}"] or Decimal(0)) for y, q in periods
    ]


# --- the channel manager's side -----------------------------------------------------------


def partner_list(*, user: User) -> list[Partner]:
    return list(
        policy.visible(user, Partner.objects.select_related("organisation", "price_list")).order_by(
            "organisation__sort_key", "id"
        )
    )


def partner_get(*, user: User, pk: Any) -> Partner:
    return policy.get_visible(user, Partner.objects.select_related("organisation", "price_list"), pk)


def partner_users(*, partner: Partner) -> list[PortalAccount]:
    return list(
        PortalAccount.objects.filter(partner=partner, revoked_at__isnull=True)
        .select_related("party")
        .order_by("party__sort_key", "id")
    )


def partner_contacts(*, partner: Partner) -> list[Party]:
    """The organisation's live contacts, who may be invited as the partner's users."""
    return list(
        Party.objects.filter(
            deleted_at__isnull=True,
            memberships__organisation=partner.organisation,
            memberships__deleted_at__isnull=True,
        )
        .distinct()
        .order_by("sort_key", "id")
    )


def partner_target_rows(*, partner: Partner) -> list[PartnerTarget]:
    return list(partner.targets.order_by("-year", "-quarter")[:8])


@dataclass(frozen=True)
class RegistrationFilters:
    status: str = RegistrationStatus.PENDING  # "" for every status
    partner: Partner | None = None


def staff_registration_list(
    *, user: User, filters: RegistrationFilters, cursor: str | None
) -> Page[Registration]:
    queryset = policy.visible(
        user, Registration.objects.select_related("partner__organisation", "decided_by", "account__party")
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.partner is not None:
        queryset = queryset.filter(partner=filters.partner)
    order = ["created_at", "id"] if filters.status == RegistrationStatus.PENDING else ["-created_at", "-id"]
    return keyset_page(queryset, order=order, cursor=cursor, limit=PAGE)


def registration_get(*, user: User, pk: Any) -> Registration:
    return policy.get_visible(user, Registration.objects.select_related("partner__organisation"), pk)


@dataclass(frozen=True)
class Conflict:
    kind: str  # "customer" or "registration"
    by: str  # "phone", "email" or "name"
    party: Party | None = None  # a customer the user may see
    registration: Registration | None = None
    hidden: bool = False  # a customer the user may not see: named only as a conflict


def conflicts_shown(*, user: User, registrations: list[Registration]) -> dict[int, list[Conflict]]:
    """Each registration's conflicts, resolved in two queries for the whole page."""
    party_ids = {c["id"] for r in registrations for c in r.conflicts if c.get("kind") == "customer"}
    reg_ids = {c["id"] for r in registrations for c in r.conflicts if c.get("kind") == "registration"}
    parties = {p.pk: p for p in policy.visible(user, Party.objects.filter(pk__in=party_ids))}
    others = {
        r.pk: r for r in Registration.objects.filter(pk__in=reg_ids).select_related("partner__organisation")
    }
    shown: dict[int, list[Conflict]] = {}
    for registration in registrations:
        rows = []
        for conflict in registration.conflicts:
            by = str(conflict.get("by", ""))
            if conflict.get("kind") == "customer":
                party = parties.get(conflict.get("id"))
                rows.append(Conflict("customer", by, party=party, hidden=party is None))
            elif conflict.get("kind") == "registration" and conflict.get("id") in others:
                rows.append(Conflict("registration", by, registration=others[conflict["id"]]))
        shown[registration.pk] = rows
    return shown


@dataclass(frozen=True)
class Standing:
    partner: Partner
    open_pipeline: Decimal
    won_revenue: Decimal
    open_deals: int
    won_deals: int
    pending: int
    response_hours: float | None  # registration → the partner's first update, on average


def ranking(*, user: User) -> list[Standing]:
    """Partners by won revenue, then open pipeline (in the base currency), with their response
    time: in three queries whatever their number."""
    partners = partner_list(user=user)
    ids = [p.pk for p in partners]
    alive = Q(deal__deleted_at__isnull=True)
    money: dict[int, dict[str, Any]] = {
        row["partner_id"]: dict(row)
        for row in PartnerDeal.objects.filter(alive, partner_id__in=ids)
        .values("partner_id")
        .annotate(
            pipeline=Sum("deal__amount_base", filter=Q(deal__status=Outcome.OPEN)),
            won=Sum("deal__amount_base", filter=Q(deal__status=Outcome.WON)),
            open_count=Count("id", filter=Q(deal__status=Outcome.OPEN)),
            won_count=Count("id", filter=Q(deal__status=Outcome.WON)),
            response=Avg(
                F("first_update_at") - F("registration__created_at"),
                filter=Q(first_update_at__isnull=False, registration__isnull=False),
            ),
        )
        .order_by()
    }
    pending = dict(
        Registration.objects.filter(partner_id__in=ids, status=RegistrationStatus.PENDING)
        .values("partner_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("partner_id", "n")
    )
    standings = []
    for partner in partners:
        row: dict[str, Any] = money.get(partner.pk, {})
        response = row.get("response")
        standings.append(
            Standing(
                partner,
                row.get("pipeline") or Decimal(0),
                row.get("won") or Decimal(0),
                row.get("open_count", 0),
                row.get("won_count", 0),
                pending.get(partner.pk, 0),
                _hours(response),
            )
        )
    standings.sort(key=lambda s: (-s.won_revenue, -s.open_pipeline, s.partner.organisation.sort_key))
    return standings


def _hours(value: Any) -> float | None:
    """An average duration as hours (a timedelta, or microseconds where the database gives a number)."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 3600, 1)
    return round(float(value) / 3_600_000_000, 1)


def ranking_chart(standings: list[Standing]) -> Chart:
    return Chart(
        key="partners",
        title=_("Partners by won revenue and open pipeline"),
        kind="bar",
        labels=tuple(s.partner.organisation.display_name for s in standings),
        series=(
            Series(_("Won revenue"), tuple(float(s.won_revenue) for s in standings)),
            Series(_("Open pipeline"), tuple(float(s.open_pipeline) for s in standings)),
            Series(
                _("Response time (hours)"),
                tuple(s.response_hours for s in standings),
                format="decimal",
                in_chart=False,
            ),
        ),
        label_heading=_("Partner"),
        note=_("In the base currency. Response time: from a registration to the partner's first update."),
    )


def registration_text(registration: Registration) -> dict[str, str]:
    """The notification's data: what staff are told of a new registration."""
    return {
        "partner": registration.partner.organisation.display_name,
        "customer": registration.customer_name,
        "kind": registration.kind,
    }
