"""The demo's sales, drawn from the seed without touching the database: the catalogue,
deals in every stage of the pipeline with their lines, quotes, orders, invoices and
payments, leads from the website and elsewhere, and the sales teams' targets.

Dates are days before or after the anchor, never drawn by rejection, so the same seed
with another anchor gives the same deals on other days.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import jdatetime

from peyvand.core.models import Role
from peyvand.core.text import to_persian_digits
from peyvand.customers.models import Kind, Source, Stage

from . import data
from .base import OFFICE_SLOTS, at, weights, workday
from .customers import CustomerBuilder, PartyPlan

DEAL_STAGES = ("new", "qualified", "proposal", "negotiation", "won", "lost")
OPEN_STAGES = DEAL_STAGES[:4]
LEAD_STAGES = ("suspect", "prospect", "qualified", "disqualified", "converted")
# How a won deal was billed; the first ones in this order, so even the small demo has a
# fully paid, a partly paid and an overdue invoice and a partly invoiced order.
BILLING = ("paid", "partly_paid", "overdue", "partly_invoiced", "paid_in_two", "not_invoiced")
BILLION = 1_000_000_000
# Rial for one unit six months before the anchor (open market), from which the months after drift.
RIAL_RATES = {
    "USD": 820_000,
    "EUR": 890_000,
    "GBP": 1_040_000,
    "AED": 223_000,
    "TRY": 24_000,
    "CNY": 113_000,
    "IQD": 625,
}
SCORE_RULES = (
    ("field", "email", 10),
    ("field", "phone", 5),
    ("field", "company", 15),
    ("field", "job_title", 5),
    ("source", "referral", 20),
    ("source", "partner", 15),
    ("source", "website", 5),
    ("source", "walk_in", 10),
    ("province", "تهران", 5),
    ("touches", "", 5),
    ("recency", "14", 10),
)


@dataclass
class LinePlan:
    sku: str
    quantity: int
    unit_price: int | None  # None: the price list's
    discount: int  # percent


@dataclass
class PaymentPlan:
    share: Decimal | None  # of the invoice's total; None: all that is still due
    paid_on: dt.date
    method: str
    reference: str


@dataclass
class InvoicePlan:
    first_line_only: bool  # a partial invoice: the order's first line only
    issued_on: dt.date
    due_on: dt.date
    payments: list[PaymentPlan]


@dataclass
class DealPlan:
    party: int
    contact: int | None
    owner: str
    lang: str
    title: str
    stage: str  # one of DEAL_STAGES
    expected_close: dt.date
    lines: list[LinePlan]
    amount: int  # the salesperson's estimate, for a deal without lines yet
    quote: str = ""  # "draft" or "declined"; a won deal's quote is accepted
    quote_reason: str = ""
    lost_from: str = ""  # the open stage a lost deal was in
    lost_reason: str = ""
    billing: str = ""  # one of BILLING, for a won deal
    invoices: list[InvoicePlan] = field(default_factory=list)
    # The stages it went through, from the first, and when it entered each (the first: when
    # it was made); a won or lost deal closed when it entered the last.
    path: list[str] = field(default_factory=list)
    times: list[dt.datetime] = field(default_factory=list)


@dataclass
class ConversionPlan:
    person: int
    organisation: int | None
    title: str
    expected_close: dt.date
    line: LinePlan


@dataclass
class LeadPlan:
    lang: str
    data: dict[str, Any]
    creator: str | None  # None: submitted on the website
    owner: str | None
    assigned_by: str | None  # the manager who gave a web lead to its owner
    worker: str  # who contacts, qualifies or disqualifies it
    touches: list[tuple[str, str, dt.datetime]]  # (channel, note, when)
    stage: str  # one of LEAD_STAGES
    reason: str = ""
    convert: ConversionPlan | None = None


@dataclass
class RatePlan:
    currency: str
    valid_from: dt.date
    rate: int  # Rial for one unit


@dataclass
class ScoreRulePlan:
    kind: str
    value: str
    points: int


@dataclass
class AssignmentRulePlan:
    order: int
    kind: str
    value: str
    team: str | None  # take turns in this team
    user: str | None  # or give every such lead to this salesperson


@dataclass
class WebFormPlan:
    name: str
    title: str
    intro: str
    fields: list[str]
    required: list[str]
    email_consent_label: str
    sms_consent_label: str
    thank_you: str


WEB_FORM = WebFormPlan(
    name="فرم تماس وب‌سایت",
    title="درخواست مشاوره و پیش‌فاکتور",
    intro="نام و راه تماس خود را بنویسید؛ کارشناسان فروش زرین‌دانه تا یک روز کاری با شما تماس می‌گیرند.",
    fields=[
        "first_name",
        "last_name",
        "company",
        "job_title",
        "phone",
        "email",
        "province",
        "city",
        "message",
    ],
    required=["last_name", "phone"],
    email_consent_label="مایلم خبرنامه و پیشنهادهای ویژه‌ی زرین‌دانه را با ایمیل دریافت کنم.",
    sms_consent_label="مایلم پیشنهادهای ویژه را با پیامک دریافت کنم.",
    thank_you="درخواست شما رسید؛ به‌زودی با شما تماس می‌گیریم.",
)


@dataclass
class SettingsPlan:
    """The sales configuration an administrator of the company would have made."""

    rates: list[RatePlan]
    score_rules: list[ScoreRulePlan]
    assignment_rules: list[AssignmentRulePlan]
    web_form: WebFormPlan


@dataclass
class TargetPlan:
    setter: str
    month: dt.date  # the first day of a Jalali month
    amount: int
    owner: str | None
    team: str | None


@dataclass
class SalesPlan:
    products: tuple[data.CatalogueItem, ...]
    deals: list[DealPlan]
    leads: list[LeadPlan]
    targets: list[TargetPlan]
    settings: SettingsPlan
    lead_times: list[dt.datetime]  # when each lead came in, in the order of ``leads``


def quarter_months(anchor: dt.date) -> list[dt.date]:
    """The first days of the three months of the anchor's Jalali quarter."""
    today = jdatetime.date.fromgregorian(date=anchor)
    first = (today.month - 1) // 3 * 3 + 1
    return [jdatetime.date(today.year, month, 1).togregorian() for month in range(first, first + 3)]


class SalesPlanner:
    def __init__(self, customers: CustomerBuilder) -> None:
        self.c = customers
        self.rng = random.Random(f"{customers.seed}:sales")
        # The customer builder's helpers (names, phones, emails) draw from this stream from
        # now on: the sales plan must not change who the customers are.
        customers.rng = self.rng
        self.anchor, self.size, self.parties = customers.anchor, customers.size, customers.parties
        self.catalogue = {item.sku: item for item in data.CATALOGUE}
        self.twins = {d.second for d in customers.duplicates}
        self.team_of = {s.username: s.team for s in data.STAFF if s.role == Role.SALES}
        self.nowruz = to_persian_digits(str(jdatetime.date.fromgregorian(date=self.anchor).year + 1))

    def build(self) -> SalesPlan:
        deals = self.deals()
        leads = self.leads()
        targets = self.targets(deals, leads)
        # Moments and settings come from streams of their own: the deals, leads and targets
        # above are the same as before these were planned.
        clock = random.Random(f"{self.c.seed}:sales:times")
        for deal in deals:
            self.deal_times(deal, clock)
        lead_times = [self.lead_time(lead, clock) for lead in leads]
        settings = self.settings(random.Random(f"{self.c.seed}:sales:settings"))
        return SalesPlan(data.CATALOGUE, deals, leads, targets, settings, lead_times)

    def days(self, n: int) -> dt.date:
        return self.anchor + dt.timedelta(days=n)

    # --- deals ----------------------------------------------------------------------------

    def deals(self) -> list[DealPlan]:
        stages = [name for name, n in zip(DEAL_STAGES, self.size.deals, strict=True) for _ in range(n)]
        plans, won = [], 0
        for stage in stages:
            index = self.deal_party(stage)
            party = self.parties[index]
            owner = party.owner
            assert owner is not None
            billing = ""
            if stage == "won":
                billing = BILLING[won] if won < len(BILLING) else self.rng.choice(BILLING[:2] + BILLING[4:])
                won += 1
            no_lines = stage == "new" and self.rng.random() < 0.5
            count = 2 if billing == "partly_invoiced" else None
            lines = [] if no_lines else self.lines(party, count)
            skus, estimate = [line.sku for line in lines], 0
            if no_lines:  # too early for products: the salesperson's guess of its worth
                sellable = [i for i in data.CATALOGUE if party.lang == "fa" or i.sku in data.EXPORT_SKUS]
                item = self.rng.choice(sellable)
                low, high = item.wholesale if party.kind == Kind.ORGANISATION else item.retail
                estimate = max(item.price * self.rng.randint(low, high) // 1_000_000 * 1_000_000, 1_000_000)
                skus = [item.sku]
            plan = DealPlan(
                party=index,
                contact=self.contact(index, owner),
                owner=owner,
                lang=party.lang,
                title=self.title(party.lang, skus),
                stage=stage,
                expected_close=self.expected_close(stage),
                lines=lines,
                amount=estimate,
                billing=billing,
            )
            if stage in ("proposal", "negotiation"):
                # Most deals in negotiation have a quote; half of those still in proposal.
                plan.quote = "draft" if self.rng.random() < (0.5 if stage == "proposal" else 0.8) else ""
            elif stage == "lost":
                plan.lost_from = self.rng.choice(OPEN_STAGES[1:])
                plan.lost_reason = self.rng.choice(data.LOST_REASONS[party.lang])
                if plan.lost_from != "qualified" and self.rng.random() < 0.6:
                    plan.quote, plan.quote_reason = "declined", data.QUOTE_DECLINED[party.lang]
            if billing:
                plan.invoices = self.invoices(billing)
            plans.append(plan)
        return plans

    def deal_party(self, stage: str) -> int:
        """A customer of a salesperson: deals are made by their owners. Each salesperson gets
        about as many (the export desk fewer, and only with companies)."""
        sellers = sorted(self.team_of)
        owner = self.rng.choices(sellers, [2 if s == data.EXPORT_DESK else 3 for s in sellers])[0]
        owned = [
            i
            for i, p in enumerate(self.parties)
            if p.owner == owner
            and i not in self.twins
            and (owner != data.EXPORT_DESK or p.kind == Kind.ORGANISATION)
        ]
        wanted = {
            "won": (Stage.CUSTOMER,),
            "lost": (Stage.PROSPECT, Stage.CUSTOMER, Stage.FORMER),
        }.get(stage, (Stage.PROSPECT, Stage.CUSTOMER))
        pool = [i for i in owned if self.parties[i].data["stage"] in wanted] or owned
        odds = [3 if self.parties[i].kind == Kind.ORGANISATION else 1 for i in pool]
        return self.rng.choices(pool, odds)[0]

    def contact(self, index: int, owner: str) -> int | None:
        """Someone at the organisation whom the deal's owner may see (of their team, or nobody's)."""
        if self.parties[index].kind != Kind.ORGANISATION or self.rng.random() < 0.2:
            return None
        team = self.team_of[owner]
        people = [
            i
            for i, p in enumerate(self.parties)
            if p.kind == Kind.PERSON
            and i not in self.twins
            and any(org == index for org, _title in p.organisations)
            and (p.owner is None or self.team_of.get(p.owner) == team)
        ]
        return self.rng.choice(people) if people else None

    def lines(self, party: PartyPlan, count: int | None = None) -> list[LinePlan]:
        skus = [item.sku for item in data.CATALOGUE] if party.lang == "fa" else list(data.EXPORT_SKUS)
        wholesale = party.kind == Kind.ORGANISATION
        lines = []
        for sku in self.rng.sample(skus, count or self.rng.choices([1, 2, 3], [6, 3, 1])[0]):
            item = self.catalogue[sku]
            low, high = item.wholesale if wholesale else item.retail
            quantity = self.rng.randint(low, high)
            if wholesale:
                quantity = max(10, quantity // 10 * 10)
            unit_price, discount = None, 0
            if wholesale and self.rng.random() < 0.25:
                discount = self.rng.choice([3, 5, 10])  # a volume discount
            elif self.rng.random() < 0.15:
                unit_price = item.price * self.rng.choice([95, 97, 98]) // 100 // 10_000 * 10_000
            lines.append(LinePlan(sku, quantity, unit_price, discount))
        return lines

    @staticmethod
    def local(text: str, lang: str) -> str:
        return to_persian_digits(text) if lang == "fa" else text

    def name(self, sku: str, lang: str) -> str:
        item = self.catalogue[sku]
        return item.name_en if lang == "en" else item.name_fa

    def title(self, lang: str, skus: list[str]) -> str:
        others = [s for s in data.EXPORT_SKUS if s != skus[0]]
        second = skus[1] if len(skus) > 1 else self.rng.choice(others)
        return self.rng.choice(data.DEAL_TITLES[lang]).format(
            product=self.name(skus[0], lang), product2=self.name(second, lang), year=self.nowruz
        )

    def expected_close(self, stage: str) -> dt.date:
        if stage == "won":
            return self.days(-self.rng.randint(0, 10))
        if stage == "lost":
            return self.days(-self.rng.randint(0, 30))
        if self.rng.random() < 0.1:  # a deal that should have closed by now: the board flags it
            return self.days(-self.rng.randint(1, 15))
        low, high = {"new": (30, 120), "qualified": (20, 100), "proposal": (10, 70)}.get(stage, (3, 45))
        return self.days(self.rng.randint(low, high))

    def payment(self, share: Decimal | None, paid_on: dt.date, method: str) -> PaymentPlan:
        number = to_persian_digits(str(self.rng.randrange(100_000, 1_000_000)))
        reference = data.PAYMENT_REFERENCES[method].format(n=number)
        return PaymentPlan(share, min(paid_on, self.anchor), method, reference)

    def invoices(self, billing: str) -> list[InvoicePlan]:
        month = dt.timedelta(days=30)
        if billing == "not_invoiced":
            return []
        if billing == "overdue":
            issued = self.days(-self.rng.randint(40, 55))
            return [InvoicePlan(False, issued, issued + month, [])]
        if billing == "partly_invoiced":
            issued = self.days(-self.rng.randint(0, 4))
            return [InvoicePlan(True, issued, issued + month, [])]
        issued = self.days(
            -self.rng.randint(16, 25) if billing == "paid_in_two" else -self.rng.randint(5, 15)
        )
        later = dt.timedelta(days=self.rng.randint(1, 4))
        if billing == "paid":
            payments = [self.payment(None, issued + later, self.rng.choice(["transfer", "transfer", "card"]))]
        elif billing == "partly_paid":
            payments = [
                self.payment(self.rng.choice([Decimal("0.4"), Decimal("0.5")]), issued + later, "cheque")
            ]
        else:
            payments = [
                self.payment(Decimal("0.5"), issued + later, "cheque"),
                self.payment(None, issued + dt.timedelta(days=self.rng.randint(8, 15)), "transfer"),
            ]
        return [InvoicePlan(False, issued, issued + month, payments)]

    def value(self, lines: list[LinePlan], amount: int) -> int:
        """What a deal is worth with tax, as the sales services will compute it (near enough)."""
        total = amount
        for line in lines:
            item = self.catalogue[line.sku]
            net = line.quantity * (line.unit_price or item.price) * (100 - line.discount) // 100
            total += net + net * item.tax_rate // 100
        return total

    # --- leads ----------------------------------------------------------------------------

    def leads(self) -> list[LeadPlan]:
        plans: list[LeadPlan] = []
        converted: set[int] = set()
        for stage, count in zip(LEAD_STAGES, self.size.leads, strict=True):
            for n in range(count):
                if stage == "converted":
                    plans.append(self.converted_lead(converted))
                else:
                    # The first of each stage came through the website's form.
                    web = n == 0 or self.rng.random() < 0.4
                    plans.append(self.new_lead(stage, web=web, english=n > 0 and self.rng.random() < 0.12))
        return plans

    def touches(self, lang: str, count: int) -> list[tuple[str, str, dt.datetime]]:
        days = sorted(self.rng.sample(range(1, 26), count), reverse=True)
        touches = []
        for day in days:
            channel, note = self.rng.choice(data.LEAD_TOUCHES[lang])
            moment = at(workday(self.days(-day), -1), *self.rng.choice(OFFICE_SLOTS))
            touches.append((channel, note, moment))
        return touches

    def new_lead(self, stage: str, *, web: bool, english: bool) -> LeadPlan:
        c = self.c
        lang = "en" if english else "fa"
        if english:
            first, last = self.rng.choice(data.ENGLISH_FIRST), self.rng.choice(data.ENGLISH_LAST)
            latin = (first, last)
            country = data.COUNTRIES[self.rng.choice(sorted(data.COUNTRIES))]
            city, province, team = self.rng.choice(country.cities), "", data.TEHRAN
            seller = data.EXPORT_DESK
            phone = c.foreign_phone(country, True) if c.chance(0.6) else ""
            company = f"{last} {self.rng.choice(['Trading', 'Foods', 'Imports'])}" if c.chance(0.7) else ""
            titles: tuple[str, ...] = data.ENGLISH_TITLES
        else:
            gender = data.MALE_NAMES if c.chance(0.55) else data.FEMALE_NAMES
            (first, first_latin), (last, last_latin) = c.persian_name(gender), c.persian_name(data.LAST_NAMES)
            latin = (first_latin, last_latin)
            place = c.city()
            city, province, team = place.name, place.province, place.team
            seller = self.rng.choice(c.sales[team])
            phone = c.mobile() if c.chance(0.85) else ""
            company = ""
            if c.chance(0.4):
                pattern, _industry = self.rng.choice(data.ORG_TYPES)
                company = pattern.format(self.rng.choice(data.ORG_NAMES)[0])
            titles = data.JOB_TITLES
        email = c.email(*latin) if not phone or c.chance(0.6) else ""
        values: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "company": company,
            "job_title": self.rng.choice(titles) if company else "",
            "email": email,
            "phone": c.written(phone) if phone else "",
            "province": province,
            "city": city,
        }
        manager = c.managers[team]
        if web:
            values["source"] = Source.WEBSITE
            values["message"] = self.rng.choice(data.LEAD_MESSAGES[lang]).format(
                product=self.name(self.rng.choice(data.EXPORT_SKUS), lang),
                city=city,
                qty=self.local(str(self.rng.choice([20, 50, 100, 200])), lang),
            )
            values["email_consent"] = bool(email) and c.chance(0.5)
            values["sms_consent"] = bool(phone) and c.chance(0.4)
            # New web leads wait for a manager to give them to someone; some are spam.
            unassigned = stage in ("suspect", "disqualified") and c.chance(0.5)
            owner, assigned_by = (None, None) if unassigned else (seller, manager)
            creator = None
        else:
            names, odds = weights(data.LEAD_SOURCES)
            values["source"] = self.rng.choices(names, odds)[0]
            owner, assigned_by, creator = seller, None, seller
        # A suspect has not been reached yet; a lead nobody owns waits for a manager.
        low, high = {"suspect": (0, 0), "prospect": (1, 3), "qualified": (2, 4)}.get(stage, (0, 2))
        count = self.rng.randint(low, high) if owner else 0
        return LeadPlan(
            lang=lang,
            data=values,
            creator=creator,
            owner=owner,
            assigned_by=assigned_by,
            worker=owner or manager,
            touches=self.touches(lang, count),
            stage=stage,
            reason=self.rng.choice(data.DISQUALIFY_REASONS[lang]) if stage == "disqualified" else "",
        )

    def converted_lead(self, used: set[int]) -> LeadPlan:
        """A lead that became a deal with a customer already in the CRM, chosen on conversion."""
        fa_sellers = {name for name in self.team_of if name != data.EXPORT_DESK}
        people = [
            i
            for i, p in enumerate(self.parties)
            if p.kind == Kind.PERSON
            and p.owner in fa_sellers
            and i not in self.twins
            and i not in used
            and (p.phones or any(c["kind"] == "email" for c in p.contacts))
        ]
        pool = [i for i in people if self.parties[i].data["stage"] == Stage.PROSPECT] or people
        index = self.rng.choice(pool)
        used.add(index)
        person = self.parties[index]
        assert person.owner is not None
        organisation, job_title = person.organisations[0] if person.organisations else (None, "")
        place = self.c.city_named(person.city)
        emails = [c["value"] for c in person.contacts if c["kind"] == "email"]
        values = {
            "first_name": person.data["first_name"],
            "last_name": person.data["last_name"],
            "company": self.parties[organisation].name if organisation is not None else "",
            "job_title": job_title,
            "email": emails[0] if emails else "",
            "phone": person.phones[0] if person.phones else "",
            "province": place.province,
            "city": place.name,
            "source": person.data["source"],
        }
        customer = self.parties[organisation] if organisation is not None else person
        line = self.lines(customer, 1)[0]
        return LeadPlan(
            lang="fa",
            data=values,
            creator=person.owner,
            owner=person.owner,
            assigned_by=None,
            worker=person.owner,
            touches=self.touches("fa", self.rng.randint(2, 3)),
            stage="converted",
            convert=ConversionPlan(
                person=index,
                organisation=organisation,
                title=self.title("fa", [line.sku]),
                expected_close=self.days(self.rng.randint(20, 60)),
                line=line,
            ),
        )

    # --- moments --------------------------------------------------------------------------

    def moment(self, day: dt.date, clock: random.Random) -> dt.datetime:
        return at(workday(day, -1), *clock.choice(OFFICE_SLOTS))

    def deal_times(self, deal: DealPlan, clock: random.Random) -> None:
        """When the deal was made and entered each stage of its way: open deals up to now
        from weeks ago, a lost one until it was lost, a won one until it was won, before
        its first invoice."""
        if deal.stage in OPEN_STAGES:
            deal.path = list(OPEN_STAGES[: OPEN_STAGES.index(deal.stage) + 1])
            low, high = {"new": (2, 25), "qualified": (10, 40), "proposal": (18, 55)}.get(
                deal.stage, (25, 70)
            )
            end = self.anchor
            start = end - dt.timedelta(days=clock.randint(low, high))
        else:
            last_open = deal.lost_from if deal.stage == "lost" else OPEN_STAGES[-1]
            deal.path = [*OPEN_STAGES[: OPEN_STAGES.index(last_open) + 1], deal.stage]
            # Closed by the day before the anchor at the latest: nothing happens after it.
            yesterday = self.anchor - dt.timedelta(days=1)
            end = min([deal.expected_close, yesterday] + [i.issued_on for i in deal.invoices])
            if deal.stage == "won":
                end -= dt.timedelta(days=clock.randint(0, 2))
            start = end - dt.timedelta(days=clock.randint(25, 75))
        span = (end - start).days
        steps = sorted(clock.sample(range(1, span), len(deal.path) - 1)) if len(deal.path) > 1 else []
        days = [start, *(start + dt.timedelta(days=n) for n in steps)]
        if deal.stage not in OPEN_STAGES:
            days[-1] = end  # closed on its day
        deal.times = sorted(self.moment(day, clock) for day in days)

    def lead_time(self, lead: LeadPlan, clock: random.Random) -> dt.datetime:
        """A lead came in a day or two before anyone first called it (or in the last fortnight)."""
        if lead.touches:
            first = min(when for _channel, _note, when in lead.touches).date()
            day = first - dt.timedelta(days=clock.randint(0, 2))
        else:
            day = self.anchor - dt.timedelta(days=clock.randint(1, 14))
        return self.moment(day, clock)

    # --- settings -------------------------------------------------------------------------

    def settings(self, rng: random.Random) -> SettingsPlan:
        """Exchange rates for the last half year, month by month; the scoring and assignment
        rules; the website's contact form."""
        rates = []
        for currency, rial in RIAL_RATES.items():
            value = rial
            for months_ago in range(6, -1, -1):
                day = self.anchor - dt.timedelta(days=30 * months_ago)
                step = 1 if value < 10_000 else 100
                rates.append(RatePlan(currency, day, max(value // step * step, 1)))
                value = value * (1000 + rng.randint(-10, 40)) // 1000  # the Rial mostly weakens
        score = [ScoreRulePlan(kind, value, points) for kind, value, points in SCORE_RULES]
        assignment = [
            AssignmentRulePlan(10, "province", "اصفهان", data.ISFAHAN, None),
            AssignmentRulePlan(20, "province", "فارس", data.ISFAHAN, None),
            AssignmentRulePlan(30, "source", "partner", None, data.EXPORT_DESK),
            AssignmentRulePlan(100, "any", "", data.TEHRAN, None),
        ]
        return SettingsPlan(rates, score, assignment, WEB_FORM)

    # --- targets --------------------------------------------------------------------------

    def targets(self, deals: list[DealPlan], leads: list[LeadPlan]) -> list[TargetPlan]:
        """Monthly targets for the quarter, for each salesperson and each sales team, set by
        the team's manager: about a quarter of what each person has in play, growing 5% a month."""
        in_play: dict[str, int] = {}
        for deal in deals:
            if deal.stage != "lost":
                in_play[deal.owner] = in_play.get(deal.owner, 0) + self.value(deal.lines, deal.amount)
        for lead in leads:
            if lead.convert and lead.owner:
                in_play[lead.owner] = in_play.get(lead.owner, 0) + self.value([lead.convert.line], 0)
        targets = []
        for team in (data.TEHRAN, data.ISFAHAN):
            manager = self.c.managers[team]
            members = [name for name, t in self.team_of.items() if t == team]
            for step, month in enumerate(quarter_months(self.anchor)):
                amounts = {
                    name: _round_up(
                        max(in_play.get(name, 0) // 4, BILLION) * (100 + 5 * step) // 100, BILLION // 10
                    )
                    for name in members
                }
                for name in members:
                    targets.append(TargetPlan(manager, month, amounts[name], name, None))
                team_total = _round_up(sum(amounts.values()) * 110 // 100, BILLION)
                targets.append(TargetPlan(manager, month, team_total, None, team))
        return targets


def _round_up(amount: int, unit: int) -> int:
    return -(-amount // unit) * unit
