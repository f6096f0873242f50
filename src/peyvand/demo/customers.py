"""The demo's customers: people and organisations with their contact points, two years of
interactions and notes, and pairs of duplicates typed differently — drawn from the seed
without touching the database."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jdatetime
import phonenumbers

from peyvand.core.jalali import JALALI_MONTHS
from peyvand.core.models import Role
from peyvand.core.text import to_persian_digits
from peyvand.customers.models import Kind, Source, Stage
from peyvand.interactions.models import Channel

from . import data
from .base import TEHRAN_TZ, Size, weights, window

ZWNJ = "\u200c"
NON_JOINING = "اآدذرزژو"


@dataclass
class PartyPlan:
    kind: str
    lang: str  # "fa" or "en": the language its contacts are in
    team: str  # the sales team whose territory it is in
    city: str
    actor: str  # username of whoever creates it
    owner: str | None
    data: dict[str, Any]
    contacts: list[dict[str, Any]]
    organisations: list[tuple[int, str]]  # (index in Plan.parties, job title)
    tags: list[str]
    created_at: dt.datetime
    email_consent_at: dt.datetime | None = None
    sms_consent_at: dt.datetime | None = None
    phones: list[str] = field(default_factory=list)  # the E.164 forms of its phones

    @property
    def name(self) -> str:
        if self.kind == Kind.ORGANISATION:
            return str(self.data["name"])
        return f"{self.data['first_name']} {self.data['last_name']}"


@dataclass
class InteractionPlan:
    party: int
    handler: str
    channel: str
    direction: str
    occurred_at: dt.datetime
    subject: str
    body: str
    outcome: str


@dataclass
class NotePlan:
    party: int
    author: str
    body: str
    at: dt.datetime


@dataclass
class DuplicatePlan:
    first: int
    second: int
    reason: str


def _ascii(name: str) -> str:
    """A Latin name as an email local part: «Müller» → mueller, «Al Mansouri» → almansouri."""
    name = name.lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    name = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in name if ch.isascii() and ch.isalnum())


def _arabic_letters(text: str) -> str:
    """How old systems and Arabic keyboards type Persian ی and ک."""
    return text.replace("ی", "ي").replace("ک", "ك")


class CustomerBuilder:
    """Draws the customers, their history and the deliberate duplicates."""

    def __init__(self, seed: int, anchor: dt.date, size: Size, size_name: str) -> None:
        self.rng = random.Random(seed)
        # Times have their own stream: the anchor changes how many draws a time takes, and
        # must not change who the customers are.
        self.clock = random.Random(f"{seed}:clock")
        self.seed, self.anchor, self.size, self.size_name = seed, anchor, size, size_name
        self.start, self.end = window(anchor)
        self.parties: list[PartyPlan] = []
        self.interactions: list[InteractionPlan] = []
        self.notes: list[NotePlan] = []
        self.duplicates: list[DuplicatePlan] = []
        self.used_phones: set[str] = set()
        self.used_emails: set[str] = set()
        self.used_ids: set[str] = set()
        self.used_org_names: set[str] = set()
        self.sales = {
            team: [
                s.username
                for s in data.STAFF
                if s.role == Role.SALES and s.team == team and s.language == "fa"
            ]
            for team in (data.TEHRAN, data.ISFAHAN)
        }
        self.managers = {s.team: s.username for s in data.STAFF if s.role == Role.MANAGER}
        self.support = [s.username for s in data.STAFF if s.role == Role.SUPPORT]
        self.marketing = {s.language: s.username for s in data.STAFF if s.role == Role.MARKETING}
        year = jdatetime.date.fromgregorian(date=anchor).year - 1
        self.exhibition_tag = data.TAG_EXHIBITION.format(year=to_persian_digits(str(year)))
        # Cycled through first, so even the small demo has every source and stage.
        self.sources = list(Source.values)
        self.stages = list(Stage.values)

    def build(self) -> None:
        self.organisations()
        self.people()
        self.deliberate_duplicates()
        for index in range(len(self.parties)):
            self.history(index)
        self.cover_every_channel()
        self.interactions.sort(key=lambda i: (i.occurred_at, i.party))
        self.notes.sort(key=lambda n: (n.at, n.party))

    # --- small draws ----------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def moment(self, start: dt.datetime, end: dt.datetime, profile: str = "office") -> dt.datetime:
        """A plausible time between ``start`` and ``end``: offices work Saturday to Thursday
        noon and close for Nowruz; stores and the website are open every day."""
        days = max((end.date() - start.date()).days, 0) + 1
        for _attempt in range(30):
            day = start.date() + dt.timedelta(days=self.clock.randrange(days))
            weekday = day.weekday()  # Monday 0 … Friday 4
            if profile == "office":
                jday = jdatetime.date.fromgregorian(date=day)
                if weekday == 4 or (jday.month == 1 and jday.day <= 4):
                    continue
                opens, closes = 8 * 60 + 30, (13 * 60 if weekday == 3 else 17 * 60 + 30)
            elif profile == "store":
                opens, closes = 10 * 60, 21 * 60 + 30
            else:
                opens, closes = 7 * 60, 24 * 60 - 1
            minute = self.clock.randrange(opens, closes)
            moment = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), TEHRAN_TZ)
            if start <= moment < end:
                return moment
        # No opening hours in so short a span: any minute in it will do.
        minutes = max(int((end - start).total_seconds() // 60), 1)
        return start + dt.timedelta(minutes=self.clock.randrange(minutes))

    def national_code(self) -> str:
        while True:
            digits = [self.rng.randrange(10) for _ in range(9)]
            total = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
            code = "".join(map(str, digits)) + str(total if total < 2 else 11 - total)
            if len(set(code)) > 1 and code not in self.used_ids:
                self.used_ids.add(code)
                return code

    def legal_id(self) -> str:
        weights = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
        while True:
            digits = [1, 0] + [self.rng.randrange(10) for _ in range(8)]
            total = sum((d + digits[9] + 2) * w for d, w in zip(digits, weights, strict=True)) % 11
            code = "".join(map(str, digits)) + str(0 if total == 10 else total)
            if code not in self.used_ids:
                self.used_ids.add(code)
                return code

    def _unique_phone(self, make: Callable[[], str]) -> str:
        for _attempt in range(1000):
            e164 = make()
            if e164 not in self.used_phones and phonenumbers.is_valid_number(phonenumbers.parse(e164)):
                self.used_phones.add(e164)
                return e164
        raise RuntimeError("no valid phone number from this pattern; check demo/data.py")

    def mobile(self) -> str:
        return self._unique_phone(
            lambda: "+98" + self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randrange(10**7):07d}"
        )

    def landline(self, city: data.City) -> str:
        return self._unique_phone(
            lambda: (
                "+98"
                + city.area_code
                + self.rng.choice(city.first_digits)
                + f"{self.rng.randrange(10**7):07d}"
            )
        )

    def foreign_phone(self, country: data.Country, mobile: bool) -> str:
        prefixes, digits = (
            (country.mobile, country.mobile_digits) if mobile else (country.landline, country.landline_digits)
        )
        return self._unique_phone(
            lambda: self.rng.choice(prefixes) + f"{self.rng.randrange(10**digits):0{digits}d}"
        )

    def written(self, e164: str, style: str | None = None) -> str:
        """A phone number as people type it: 0912 345 6789, +98 912…, 0098…, Persian digits."""
        number = phonenumbers.parse(e164)
        if number.country_code != 98:
            international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            return international if self.chance(0.8) else "00" + international[1:].replace(" ", "")
        national = "0" + str(number.national_number)
        mobile = national.startswith("09")
        head, rest = (national[:4], national[4:]) if mobile else (national[:3], national[3:])
        style = (
            style
            or self.rng.choices(
                ["plain", "spaced", "dashed", "persian", "plus", "plus_spaced", "double_zero"],
                [30, 20, 10, 15, 10, 8, 7],
            )[0]
        )
        if style == "spaced":
            return f"{head} {rest[:3]} {rest[3:]}" if mobile else f"{head} {rest[:4]} {rest[4:]}"
        if style == "dashed":
            return f"{head}-{rest}" if mobile or self.chance(0.5) else f"({head}) {rest}"
        if style == "persian":
            spaced = f"{head} {rest[:3]} {rest[3:]}" if mobile else f"{head} {rest}"
            return to_persian_digits(national if self.chance(0.6) else spaced)
        if style == "plus":
            return e164
        if style == "plus_spaced":
            return (
                f"+98 {head[1:]} {rest[:3]} {rest[3:]}" if mobile else f"+98 {head[1:]} {rest[:4]} {rest[4:]}"
            )
        if style == "double_zero":
            return "00" + e164[1:]
        return national

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        first, last = _ascii(first), _ascii(last)
        local = self.rng.choice(
            [
                f"{first}.{last}",
                f"{first[0]}.{last}",
                f"{last}.{first}",
                f"{first}{last}{self.rng.randrange(50, 100)}",
                f"{first}_{last}",
            ]
        )
        domain = domain or self.rng.choice(data.PERSONAL_EMAIL_DOMAINS)
        address, n = f"{local}@{domain}", 1
        while address in self.used_emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.used_emails.add(address)
        if self.chance(0.1):  # some people capitalise their address
            return address[0].upper() + address[1:]
        return address

    def address(self, city: data.City, label: str) -> dict[str, Any]:
        street = f"{self.rng.choice(data.STREETS)}، {self.rng.choice(data.ALLEYS)}"
        street += f"، پلاک {self.rng.randrange(1, 120)}"
        if self.chance(0.4):
            street += f"، واحد {self.rng.randrange(1, 20)}"
        # Iranian postal codes: ten digits, no 0 or 2 in the first five.
        postal = "".join(self.rng.choice("13456789") for _ in range(5)) + f"{self.rng.randrange(10**5):05d}"
        return {
            "kind": "address",
            "value": "",
            "label": label,
            "country": "IR",
            "province": city.province,
            "city": city.name,
            "street": to_persian_digits(street),
            "postal_code": postal,
        }

    def foreign_address(self, country: data.Country, city: str) -> dict[str, Any]:
        return {
            "kind": "address",
            "value": "",
            "label": "work",
            "country": country.code,
            "city": city,
            "street": self.rng.choice(country.streets),
        }

    def created(self, *, former: bool = False) -> dt.datetime:
        latest = self.end - dt.timedelta(days=400 if former else 2)
        return self.moment(self.end - dt.timedelta(days=3 * 365), latest)

    def source_and_stage(self, index: int) -> tuple[str, str]:
        source = (
            self.sources[index]
            if index < len(self.sources)
            else self.rng.choices(self.sources, [18, 15, 8, 12, 10, 7, 12, 13, 5])[0]
        )
        stage = (
            self.stages[index]
            if index < len(self.stages)
            else self.rng.choices(self.stages, [20, 25, 45, 10])[0]
        )
        return source, stage

    def consent(self, party: PartyPlan, has_email: bool, has_mobile: bool) -> None:
        if has_email and self.chance(0.45):
            party.data |= {
                "email_consent": True,
                "email_consent_source": self.rng.choice(data.CONSENT_SOURCES),
            }
            party.email_consent_at = self.moment(party.created_at, self.end, "online")
        if has_mobile and self.chance(0.55):
            party.data |= {
                "sms_consent": True,
                "sms_consent_source": self.rng.choice(data.CONSENT_SOURCES),
            }
            party.sms_consent_at = self.moment(party.created_at, self.end, "online")

    def tag(self, name: str) -> str:
        # Tags arrive from old spreadsheets with Arabic letters too; they are one tag.
        return _arabic_letters(name) if self.chance(0.2) else name

    def owner_and_actor(self, team: str, *, english: bool = False) -> tuple[str | None, str]:
        """Most customers belong to a salesperson of their territory, some to nobody yet;
        the salesperson usually created the record, otherwise the team's manager did."""
        if self.chance(0.2 if english else 0.12):
            return None, self.managers[team]
        owner = data.EXPORT_DESK if english else self.rng.choice(self.sales[team])
        return owner, owner if self.chance(0.9) else self.managers[team]

    def city(self) -> data.City:
        return self.rng.choices(data.CITIES, [c.weight for c in data.CITIES])[0]

    # --- organisations --------------------------------------------------------------------

    def organisations(self) -> None:
        twins = sum(
            2 for kind in DUPLICATE_KINDS[: self.size.duplicate_pairs] if kind[1] == Kind.ORGANISATION
        )
        iranian = self.size.organisations - self.size.foreign_organisations - twins
        names: list[tuple[str, str, str, str | None]] = list(data.ORG_FIXED)
        self.used_org_names.update(n for n, _s, _i, _c in names)
        while len(names) < iranian:
            pattern, industry = self.rng.choice(data.ORG_TYPES)
            word, latin = self.rng.choice(data.ORG_NAMES)
            name = pattern.format(word)
            if name not in self.used_org_names:
                self.used_org_names.add(name)
                slug = latin + self.rng.choice(["", "co", "group", "food"])
                names.append((name, slug, industry, None))
        for name, slug, industry, city in names[:iranian]:
            self.iranian_organisation(name, slug, industry, city=city and self.city_named(city))
        for name, slug, country_code, industry in data.FOREIGN_ORGS[: self.size.foreign_organisations]:
            self.foreign_organisation(name, slug, data.COUNTRIES[country_code], industry)

    def iranian_organisation(self, name: str, slug: str, industry: str, **overrides: Any) -> int:
        city = overrides.pop("city", None) or self.city()
        source, stage = self.source_and_stage(len(self.parties))
        owner, actor = self.owner_and_actor(city.team)
        domain = f"{slug}.example"
        main = overrides.pop("phone", None) or self.landline(city)
        phones = [main]
        contacts = [
            {
                "kind": "phone",
                "value": overrides.pop("written_phone", None) or self.written(main),
                "label": "work",
                "is_primary": True,
            }
        ]
        if self.chance(0.3):
            phones.append(self.landline(city))
            contacts.append({"kind": "phone", "value": self.written(phones[-1]), "label": "work"})
        if self.chance(0.4):
            phones.append(self.landline(city))
            contacts.append({"kind": "phone", "value": self.written(phones[-1]), "label": "fax"})
        has_email = self.chance(0.7)
        if has_email:
            box = f"{self.rng.choice(['info', 'sales', 'kharid', 'office'])}@{domain}"
            self.used_emails.add(box)
            contacts.append({"kind": "email", "value": box, "label": "work"})
        if self.chance(0.9):
            contacts.append(self.address(city, "work"))
        tags = []
        if industry in ("بازرگانی", "پخش و توزیع") or "زنجیره" in name:
            tags.append(self.tag("عمده‌فروش"))
        if stage == Stage.CUSTOMER and self.chance(0.25):
            tags.append(self.tag("مشتری ویژه"))
        if self.chance(0.15):
            tags.append(self.exhibition_tag)
        if self.chance(0.15):
            tags.append("پرداخت با چک")
        party = PartyPlan(
            kind=Kind.ORGANISATION,
            lang="fa",
            team=city.team,
            city=city.name,
            actor=actor,
            owner=owner,
            data={
                "name": name,
                "website": domain if self.chance(0.7) else "",
                "industry": industry,
                "national_id": self.legal_id() if self.chance(0.6) else "",
                "source": source,
                "stage": stage,
            },
            contacts=contacts,
            organisations=[],
            tags=tags,
            created_at=self.created(former=stage == Stage.FORMER),
            phones=phones,
        )
        self.consent(party, has_email, False)
        self.parties.append(party)
        return len(self.parties) - 1

    def foreign_organisation(self, name: str, slug: str, country: data.Country, industry: str) -> None:
        source, stage = self.source_and_stage(len(self.parties))
        owner, actor = self.owner_and_actor(data.TEHRAN, english=True)
        city = self.rng.choice(country.cities)
        phone = self.foreign_phone(country, mobile=False)
        contacts = [
            {"kind": "phone", "value": self.written(phone), "label": "work"},
            {
                "kind": "email",
                "value": f"{self.rng.choice(['info', 'purchasing', 'orders'])}@{slug}.example",
                "label": "work",
            },
            self.foreign_address(country, city),
        ]
        party = PartyPlan(
            kind=Kind.ORGANISATION,
            lang="en",
            team=data.TEHRAN,
            city=city,
            actor=actor,
            owner=owner,
            data={
                "name": name,
                "website": f"{slug}.example",
                "industry": industry,
                "national_id": f"{country.code}{self.rng.randrange(10**8, 10**9)}"
                if self.chance(0.5)
                else "",
                "source": source,
                "stage": stage,
            },
            contacts=contacts,
            organisations=[],
            tags=[data.TAG_EXPORT],
            created_at=self.created(former=stage == Stage.FORMER),
            phones=[phone],
        )
        self.consent(party, True, False)
        self.parties.append(party)

    # --- people ---------------------------------------------------------------------------

    def persian_name(self, names: Sequence[tuple[str | tuple[str, str], str]]) -> tuple[str, str]:
        written, latin = self.rng.choice(names)
        if isinstance(written, tuple):
            # A compound is written joined, with a ZWNJ or with a space. Joined is right
            # after a letter that does not connect forward («محمدعلی»), a common typo
            # otherwise («حسینزاده»), so it is rarer there.
            joined = 40 if written[0][-1] in NON_JOINING else 10
            glue = self.rng.choices(["", ZWNJ, " "], [joined, 45, 15])[0]
            written = glue.join(written)
        return written, latin

    def people(self) -> None:
        pairs = self.size.duplicate_pairs
        twins = sum(2 for reason in DUPLICATE_KINDS[:pairs] if reason[1] == Kind.PERSON)
        total = self.size.people - twins
        english = self.size.english_people
        for n in range(total):
            self.person(english=n >= total - english)

    def person(self, *, english: bool = False, **overrides: Any) -> int:
        """A person, drawn at random except for what ``overrides`` fixes: first_name,
        last_name, latin (both names in Latin letters, for the email), arabic, mobile,
        written_mobile, email, solo (no organisation),
        owner_actor and data (party fields)."""
        index = len(self.parties)
        source, stage = self.source_and_stage(index)
        orgs = [i for i, p in enumerate(self.parties) if p.kind == Kind.ORGANISATION]
        city: data.City | None = None
        country = data.COUNTRIES[self.rng.choice(sorted(data.COUNTRIES))]
        if english:
            first, last = self.rng.choice(data.ENGLISH_FIRST), self.rng.choice(data.ENGLISH_LAST)
            first_latin, last_latin = first, last
            team = data.TEHRAN
            candidates = [i for i in orgs if self.parties[i].lang == "en"]
            member_chance = 0.85
        else:
            gender = data.MALE_NAMES if self.chance(0.55) else data.FEMALE_NAMES
            first, first_latin = self.persian_name(gender)
            last, last_latin = self.persian_name(data.LAST_NAMES)
            city = self.city()
            team = city.team
            # A person can only be linked to organisations their creator may see: those of
            # the same territory (owned by its team, or by nobody).
            candidates = [i for i in orgs if self.parties[i].lang == "fa" and self.parties[i].team == team]
            member_chance = 0.45
        first, last = overrides.pop("first_name", first), overrides.pop("last_name", last)
        first_latin, last_latin = overrides.pop("latin", (first_latin, last_latin))
        arabic = overrides.pop("arabic", None)
        if not english and (self.chance(0.08) if arabic is None else arabic):
            first, last = _arabic_letters(first), _arabic_letters(last)
        owner, actor = overrides.pop("owner_actor", None) or self.owner_and_actor(team, english=english)
        memberships: list[tuple[int, str]] = []
        if candidates and not overrides.pop("solo", False) and self.chance(member_chance):
            count = 2 if len(candidates) > 1 and self.chance(0.12) else 1
            titles = data.ENGLISH_TITLES if english else data.JOB_TITLES
            memberships = [(i, self.rng.choice(titles)) for i in self.rng.sample(candidates, count)]
        employer = self.parties[memberships[0][0]] if memberships else None
        if employer and english:
            country = next((c for c in data.COUNTRIES.values() if employer.city in c.cities), country)
        if employer and not english:
            city = self.city_named(employer.city)

        contacts: list[dict[str, Any]] = []
        phones: list[str] = []
        has_mobile = "mobile" in overrides or self.chance(0.92)
        if has_mobile:
            mobile = overrides.pop("mobile", None) or (
                self.foreign_phone(country, True) if english else self.mobile()
            )
            phones.append(mobile)
            contacts.append(
                {
                    "kind": "phone",
                    "value": overrides.pop("written_mobile", None) or self.written(mobile),
                    "label": "mobile",
                    "is_primary": True,
                }
            )
            if not english and self.chance(0.05):
                phones.append(self.mobile())
                contacts.append({"kind": "phone", "value": self.written(phones[-1]), "label": "mobile"})
        if employer and self.chance(0.6):
            # A direct line, not the switchboard: a shared number would make colleagues
            # look like duplicates of each other.
            phones.append(
                self.foreign_phone(country, False) if english or city is None else self.landline(city)
            )
            contacts.append({"kind": "phone", "value": self.written(phones[-1]), "label": "work"})
        elif city and self.chance(0.1):
            phones.append(self.landline(city))
            contacts.append({"kind": "phone", "value": self.written(phones[-1]), "label": "home"})
        has_email = "email" in overrides or self.chance(0.65)
        if has_email:
            domain = (employer.data["website"] or None) if employer and self.chance(0.6) else None
            address = overrides.pop("email", None) or self.email(first_latin, last_latin, domain)
            contacts.append({"kind": "email", "value": address, "label": "work" if domain else "home"})
        if english and self.chance(0.3):
            contacts.append(self.foreign_address(country, self.rng.choice(country.cities)))
        elif city and self.chance(0.4):
            contacts.append(self.address(city, "work" if employer else "home"))

        tags = [
            self.tag(name)
            for name, p in (("VIP", 0.05), ("خرده‌فروش", 0.1), ("سفارش نوروزی", 0.1))
            if self.chance(p)
        ]
        if stage == Stage.CUSTOMER and self.chance(0.12):
            tags.append(self.tag("مشتری ویژه"))
        if source == Source.CAMPAIGN or self.chance(0.08):
            tags.append(self.exhibition_tag)
        person_data: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "source": source,
            "stage": stage,
        }
        if not english and self.chance(0.35):
            person_data["national_id"] = self.national_code()
        if self.chance(0.4):
            person_data["date_of_birth"] = self.anchor - dt.timedelta(
                days=self.rng.randrange(22 * 365, 70 * 365)
            )
        person_data |= overrides.pop("data", {})
        if overrides:
            raise TypeError(f"unknown overrides: {sorted(overrides)}")
        party = PartyPlan(
            kind=Kind.PERSON,
            lang="en" if english else "fa",
            team=team,
            city=employer.city if employer else (city.name if city else country.cities[0]),
            actor=actor,
            owner=owner,
            data=person_data,
            contacts=contacts,
            organisations=memberships,
            tags=tags,
            created_at=self.created(former=stage == Stage.FORMER),
            phones=phones,
        )
        self.consent(party, has_email, has_mobile)
        self.parties.append(party)
        return index

    def city_named(self, name: str) -> data.City:
        return next((c for c in data.CITIES if c.name == name), data.CITIES[0])

    # --- deliberate duplicates ------------------------------------------------------------

    def deliberate_duplicates(self) -> None:
        """Pairs of records of one customer, typed differently, for the merge feature."""
        for reason, kind, make in DUPLICATE_KINDS[: self.size.duplicate_pairs]:
            first, second = make(self)
            assert self.parties[first].kind == self.parties[second].kind == kind
            self.duplicates.append(DuplicatePlan(first, second, reason))

    def _pick(self, names: Sequence[tuple[str | tuple[str, str], str]], letters: str) -> tuple[str, str]:
        """A simple name containing one of ``letters``, e.g. ی or ک for the Arabic-letter twin."""
        fitting = [(w, latin) for w, latin in names if isinstance(w, str) and any(ch in w for ch in letters)]
        return self.rng.choice(fitting)

    def twin_arabic_letters(self) -> tuple[int, int]:
        (first, first_latin), (last, last_latin) = (
            self._pick(data.MALE_NAMES, "یک"),
            self._pick(data.LAST_NAMES, "یک"),
        )
        mobile = self.mobile()
        a = self.person(
            first_name=first,
            last_name=last,
            latin=(first_latin, last_latin),
            arabic=False,
            mobile=mobile,
            written_mobile=self.written(mobile, "plain"),
            solo=True,
        )
        # The same man walked into a store; the clerk's keyboard typed Arabic letters.
        b = self.person(
            first_name=first,
            last_name=last,
            latin=(first_latin, last_latin),
            arabic=True,
            mobile=mobile,
            written_mobile=self.written(mobile, "plus_spaced"),
            solo=True,
            owner_actor=(None, self.managers[self.parties[a].team]),
            data={"source": Source.STORE},
        )
        return a, b

    def twin_email_case(self) -> tuple[int, int]:
        (first, first_latin), (last, last_latin) = (
            self.persian_name(data.FEMALE_NAMES),
            self.persian_name(data.LAST_NAMES),
        )
        address = self.email(first_latin, last_latin).lower()
        latin = (first_latin, last_latin)
        a = self.person(first_name=first, last_name=last, latin=latin, email=address, solo=True)
        local, domain = address.split("@")
        shouted = ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.upper()
        b = self.person(
            first_name=first,
            last_name=last,
            latin=latin,
            email=shouted,
            solo=True,
            data={"source": Source.WEBSITE},
        )
        return a, b

    def twin_organisation_phone(self) -> tuple[int, int]:
        word, latin = next((w, s) for w, s in data.ORG_NAMES if f"بازرگانی {w}" not in self.used_org_names)
        city = data.CITIES[0]
        phone = self.landline(city)
        for name in (f"بازرگانی {word}", f"شرکت بازرگانی {word}"):
            self.used_org_names.add(name)
        a = self.iranian_organisation(
            f"بازرگانی {word}",
            latin + "trade",
            "بازرگانی",
            city=city,
            phone=phone,
            written_phone=self.written(phone, "dashed"),
        )
        b = self.iranian_organisation(
            f"شرکت بازرگانی {word}",
            latin + "co",
            "بازرگانی",
            city=city,
            phone=phone,
            written_phone=self.written(phone, "persian"),
        )
        return a, b

    def twin_national_code(self) -> tuple[int, int]:
        first, first_latin = self.persian_name(data.MALE_NAMES)
        code, latin = self.national_code(), (first_latin, "Hosseinzadeh")
        a, b = (
            self.person(first_name=first, last_name=last, latin=latin, data={"national_id": code}, solo=True)
            for last in ("حسین‌زاده", "حسین زاده")
        )
        return a, b

    def twin_zwnj(self) -> tuple[int, int]:
        last, last_latin = self.persian_name(data.LAST_NAMES)
        address = self.email("Mohammadali", last_latin).lower()
        latin = ("Mohammadali", last_latin)
        a = self.person(first_name="محمدعلی", last_name=last, latin=latin, email=address, solo=True)
        b = self.person(
            first_name=f"محمد{ZWNJ}علی",
            last_name=last,
            latin=latin,
            email=address.upper(),
            solo=True,
        )
        return a, b

    def twin_double_zero(self) -> tuple[int, int]:
        (first, first_latin), (last, last_latin) = (
            self.persian_name(data.FEMALE_NAMES),
            self.persian_name(data.LAST_NAMES),
        )
        mobile = self.mobile()
        a = self.person(
            first_name=first,
            last_name=last,
            latin=(first_latin, last_latin),
            mobile=mobile,
            written_mobile=self.written(mobile, "persian"),
            solo=True,
        )
        b = self.person(
            first_name=first,
            last_name=last,
            latin=(first_latin, last_latin),
            mobile=mobile,
            written_mobile=self.written(mobile, "double_zero"),
            solo=True,
        )
        return a, b

    # --- history --------------------------------------------------------------------------

    def history(self, index: int) -> None:
        """The interactions and notes of one customer, from its creation (or two years ago)
        up to the anchor — or, for a former customer, up to the win-back call it refused."""
        party = self.parties[index]
        stage = party.data["stage"]
        start = max(party.created_at, self.start)
        end = self.end
        if stage == Stage.FORMER:
            end = max(
                start + dt.timedelta(days=30),
                self.end - dt.timedelta(days=self.rng.randrange(60, 300)),
            )
            end = min(end, self.end)
        low, high = (
            INTERACTIONS_PER_ORGANISATION if party.kind == Kind.ORGANISATION else INTERACTIONS_PER_PERSON
        )[stage]
        active = (end - start) / (self.end - self.start)
        count = round(self.rng.randint(low, high) * self.size.interaction_scale * max(0.25, active))
        stories = [
            s
            for s in (data.ENGLISH_STORIES if party.lang == "en" else data.PERSIAN_STORIES)
            if party.kind[0] in s.kinds
        ]
        buyer = stage in (Stage.CUSTOMER, Stage.FORMER)
        first = FIRST_CHANNEL.get(party.data["source"], Channel.EMAIL)
        opening = [s for s in stories if not s.buyer and s.channel == first] or [
            s for s in stories if not s.buyer
        ]
        # The first contact comes within a fortnight of the record; the rest spread after it.
        later = [s for s in stories if buyer or not s.buyer]
        first_at = start
        for n in range(count):
            pool = later if n else opening
            story = self.rng.choices(pool, [s.weight for s in pool])[0]
            profile = PROFILES.get(story.channel, "office")
            if n == 0:
                first_at = self.moment(start, min(start + dt.timedelta(days=14), end), profile)
                self.add_interaction(index, story, first_at)
            else:
                self.add_interaction(index, story, self.moment(first_at, end, profile))
        if stage == Stage.FORMER:
            self.add_interaction(
                index, data.WIN_BACK[party.lang], self.moment(end - dt.timedelta(days=20), end)
            )
        for _n in range(self.rng.choices([0, 1, 2], [67, 25, 8])[0]):
            body = self.rng.choice(data.NOTES[party.lang]).format(product=self.product(party.lang)[0])
            author = party.owner or self.managers[party.team]
            self.notes.append(NotePlan(index, author, body, self.moment(start, end)))

    def product(self, lang: str) -> tuple[str, str]:
        first, second = self.rng.sample(data.PRODUCTS, 2)
        column = 1 if lang == "en" else 0
        return first[column], second[column]

    def handler(self, party: PartyPlan, role: str) -> str:
        if role == "support":
            return self.rng.choice(self.support)
        if role == "marketing":
            return self.marketing[party.lang]
        if role == "manager":
            return self.managers[party.team]
        if party.owner:
            return party.owner
        return data.EXPORT_DESK if party.lang == "en" else self.rng.choice(self.sales[party.team])

    def add_interaction(self, index: int, story: data.Story, at: dt.datetime) -> None:
        party = self.parties[index]
        product, product2 = self.product(party.lang)
        persian = party.lang == "fa"
        local = at.astimezone(TEHRAN_TZ)
        qty = str(self.rng.choice([10, 20, 25, 50, 100, 200, 500]))
        values = {
            "product": product,
            "product2": product2,
            "order": f"ZD-{self.rng.randrange(10000, 100000)}",
            "qty": to_persian_digits(qty) if persian else qty,
            "amount": to_persian_digits(f"{self.rng.randrange(5, 480)} میلیون تومان"),
            "city": party.city,
            "month": JALALI_MONTHS[jdatetime.date.fromgregorian(date=local.date()).month - 1]
            if persian
            else data.GREGORIAN_MONTHS[local.month - 1],
        }
        outcomes, odds = weights(story.outcomes)
        self.interactions.append(
            InteractionPlan(
                party=index,
                handler=self.handler(party, story.handler),
                channel=story.channel,
                direction=story.direction,
                occurred_at=at,
                subject=story.subject.format(**values),
                body=story.body.format(**values),
                outcome=self.rng.choices(outcomes, odds)[0],
            )
        )

    def cover_every_channel(self) -> None:
        """However small the demo, every channel appears in both directions where it can."""
        seen = {(i.channel, i.direction) for i in self.interactions}
        for story in data.PERSIAN_STORIES:
            if (story.channel, story.direction) in seen:
                continue
            fitting = [
                i
                for i, p in enumerate(self.parties)
                if p.lang == "fa"
                and p.kind[0] in story.kinds
                and (not story.buyer or p.data["stage"] in (Stage.CUSTOMER, Stage.FORMER))
            ]
            index = self.rng.choice(fitting)
            start = max(self.parties[index].created_at, self.start)
            self.add_interaction(index, story, self.moment(start, self.end))
            seen.add((story.channel, story.direction))


# How many interactions a customer has over two years, by stage: (fewest, most).
INTERACTIONS_PER_PERSON = {
    "suspect": (0, 2),
    "prospect": (2, 8),
    "customer": (8, 30),
    "former": (4, 12),
}
INTERACTIONS_PER_ORGANISATION = {
    "suspect": (1, 3),
    "prospect": (3, 10),
    "customer": (20, 60),
    "former": (8, 20),
}
# The channel of a customer's first contact follows where it came from.
FIRST_CHANNEL: dict[str, str] = {
    Source.WEBSITE: Channel.WEBSITE,
    Source.PHONE: Channel.PHONE,
    Source.WALK_IN: Channel.IN_PERSON,
    Source.STORE: Channel.STORE,
    Source.DISTRIBUTOR: Channel.DISTRIBUTOR,
    Source.PARTNER: Channel.PARTNER,
    Source.CAMPAIGN: Channel.SMS,
    Source.REFERRAL: Channel.PHONE,
    Source.OTHER: Channel.EMAIL,
}
# When a contact can happen: office hours unless the customer reaches us on their own time.
PROFILES: dict[str, str] = {
    Channel.STORE: "store",
    Channel.WEBSITE: "online",
    Channel.CHAT: "online",
}
DUPLICATE_KINDS: tuple[tuple[str, str, Any], ...] = (
    (
        "same mobile typed differently; name typed with Arabic ي/ك",
        Kind.PERSON,
        CustomerBuilder.twin_arabic_letters,
    ),
    ("same email address in different case", Kind.PERSON, CustomerBuilder.twin_email_case),
    (
        "same landline, one in Persian digits; name with and without «شرکت»",
        Kind.ORGANISATION,
        CustomerBuilder.twin_organisation_phone,
    ),
    (
        "same national code; last name with ZWNJ and with a space",
        Kind.PERSON,
        CustomerBuilder.twin_national_code,
    ),
    ("same email; «محمدعلی» and «محمد‌علی»", Kind.PERSON, CustomerBuilder.twin_zwnj),
    ("same mobile in Persian digits and with 0098", Kind.PERSON, CustomerBuilder.twin_double_zero),
)
