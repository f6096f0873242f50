"""The demo's activities, drawn from the seed without touching the database: each
salesperson's and support agent's calls, meetings, visits and tasks on their customers —
overdue, today, in the next two weeks and done — with a few repeating series, reminders,
follow-ups, cancellations and visits a manager planned for someone in the team.

"Today" is the anchor's day (today, unless the demo is loaded for another day), at fixed
hours, so "My day" is full when the demo has just been loaded.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from peyvand.core.models import Role
from peyvand.customers.models import Kind, Stage

from . import data
from .base import OFFICE_SLOTS, at, workday
from .customers import CustomerBuilder

# The day's appointments, and the hour a task is due "by the end of the day": late enough
# that a demo loaded in the evening still has something left for today.
TODAY_SLOTS = ((9, 30), (11, 0), (12, 30), (14, 0), (15, 30), (17, 0))
END_OF_DAY = (22, 0)
LENGTH = {"meeting": 60, "visit": 90}  # minutes
NORMAL, HIGH, URGENT, LOW = 2, 3, 4, 1
KINDS, KIND_ODDS = ("call", "task", "meeting", "visit"), (40, 25, 15, 20)  # visits: organisations only


@dataclass
class CompletionPlan:
    at: dt.datetime
    outcome: str
    note: str
    follow_up_title: str = ""
    follow_up_at: dt.datetime | None = None


@dataclass
class ActivityPlan:
    assignee: str
    actor: str  # who plans it: the assignee, or their manager
    kind: str
    title: str
    party: int | None
    due_at: dt.datetime
    ends_at: dt.datetime | None
    priority: int
    repeat: str = ""
    reminders: list[int] = field(default_factory=list)  # minutes before
    done: CompletionPlan | None = None
    cancelled: tuple[dt.datetime, str] | None = None


class ActivityPlanner:
    def __init__(self, customers: CustomerBuilder) -> None:
        self.rng = random.Random(f"{customers.seed}:activities")
        self.anchor, self.size, self.parties = customers.anchor, customers.size, customers.parties
        self.managers = customers.managers
        self.twins = {d.second for d in customers.duplicates}
        self.plans: list[ActivityPlan] = []

    def build(self) -> list[ActivityPlan]:
        for staff in data.STAFF:
            if staff.role == Role.SALES:
                self.everyday(staff, self.size.sales_activities)
            elif staff.role == Role.SUPPORT:
                self.everyday(staff, self.size.support_activities)
        self.repeating()
        self.from_managers()
        self.cancelled()
        return self.plans

    # --- helpers --------------------------------------------------------------------------

    def day(self, offset: int) -> dt.date:
        """The working day ``offset`` days from the anchor (a Friday moves away from it)."""
        return workday(self.anchor + dt.timedelta(days=offset), 1 if offset > 0 else -1)

    def office(self, offset: int) -> dt.datetime:
        return at(self.day(offset), *self.rng.choice(OFFICE_SLOTS))

    def customers_of(self, staff: data.Staff) -> list[int]:
        if staff.role == Role.SUPPORT:
            # The support desk takes every customer's calls: it follows up on buyers.
            return [
                i
                for i, p in enumerate(self.parties)
                if p.lang == "fa"
                and p.data["stage"] in (Stage.CUSTOMER, Stage.FORMER)
                and i not in self.twins
            ]
        return [i for i, p in enumerate(self.parties) if p.owner == staff.username and i not in self.twins]

    def add(
        self,
        staff: data.Staff,
        party: int | None,
        due: dt.datetime,
        *,
        kind: str | None = None,
        title: str = "",
        actor: str | None = None,
        priority: int | None = None,
        reminders: list[int] | None = None,
    ) -> ActivityPlan:
        lang = staff.language
        if not title:
            organisation = party is not None and self.parties[party].kind == Kind.ORGANISATION
            role = "support" if staff.role == Role.SUPPORT else "sales"
            templates = data.ACTIVITY_TITLES[(role, lang)]
            choices = [(k, t) for k, t in templates if k == kind and (k != "visit" or organisation)] or [
                (k, t) for k, t in templates if k != "visit" or organisation
            ]
            kind, template = self.rng.choice(choices)
            product = self.rng.choice(data.PRODUCTS)[1 if lang == "en" else 0]
            city = self.parties[party].city if party is not None else ""
            title = template.format(product=product, city=city)
        assert kind is not None
        length = LENGTH.get(kind)
        plan = ActivityPlan(
            assignee=staff.username,
            actor=actor or staff.username,
            kind=kind,
            title=title,
            party=party,
            due_at=due,
            ends_at=due + dt.timedelta(minutes=length) if length else None,
            priority=priority or self.rng.choices([NORMAL, HIGH, URGENT, LOW], [60, 25, 5, 10])[0],
            reminders=reminders or [],
        )
        self.plans.append(plan)
        return plan

    def pick(self, pool: list[int]) -> tuple[int, str]:
        """A customer from ``pool`` and what to do with them: visits go to organisations."""
        kind = self.rng.choices(KINDS, KIND_ODDS)[0]
        if kind == "visit":
            organisations = [i for i in pool if self.parties[i].kind == Kind.ORGANISATION]
            if organisations:
                return self.rng.choice(organisations), kind
            kind = "meeting"
        return self.rng.choice(pool), kind

    def complete(self, plan: ActivityPlan, lang: str) -> None:
        """Done within an hour and a half of its time, before the anchor's day began."""
        if plan.kind == "call":
            outcome = self.rng.choices(["completed", "follow_up", "no_answer", "left_message"], [4, 3, 2, 1])[
                0
            ]
        elif plan.kind == "task":
            outcome = "completed"
        else:
            outcome = self.rng.choices(["completed", "follow_up"], [3, 2])[0]
        done = CompletionPlan(
            at=plan.due_at + dt.timedelta(minutes=self.rng.choice([15, 30, 45, 60, 90])),
            outcome=outcome,
            note=self.rng.choice(data.ACTIVITY_NOTES[lang]),
        )
        if outcome in ("follow_up", "no_answer") and plan.party is not None:
            done.follow_up_title = data.FOLLOW_UP_TITLE[lang].format(title=plan.title)[:200]
            done.follow_up_at = self.office(self.rng.randint(1, 9))
        plan.done = done

    # --- whose activities -----------------------------------------------------------------

    def everyday(self, staff: data.Staff, counts: tuple[int, int, int, int]) -> None:
        parties = self.customers_of(staff)
        if not parties:
            return
        overdue, today, upcoming, done = counts
        for _n in range(overdue):
            party, kind = self.pick(parties)
            self.add(staff, party, self.office(-self.rng.randint(1, 7)), kind=kind)
        slots = self.rng.sample(TODAY_SLOTS, min(today, len(TODAY_SLOTS)))
        for n, slot in enumerate(slots):
            if n == 0:  # a task due by the end of the day
                due = at(self.anchor, *END_OF_DAY)
                self.add(staff, self.rng.choice(parties), due, kind="task", reminders=[60])
            else:
                party, kind = self.pick(parties)
                reminders = self.rng.choice([[], [15]])
                self.add(staff, party, at(self.anchor, *slot), kind=kind, reminders=reminders)
        for n in range(upcoming):
            # The first within the week "My day" shows; the rest over the next two weeks.
            offset = self.rng.randint(1, 5) if n == 0 else self.rng.randint(1, 14)
            reminders = self.rng.choice([[], [15], [60], [1440, 60]])
            party, kind = self.pick(parties)
            self.add(staff, party, self.office(offset), kind=kind, reminders=reminders)
        for _n in range(done):
            party, kind = self.pick(parties)
            plan = self.add(staff, party, self.office(-self.rng.randint(1, 20)), kind=kind)
            self.complete(plan, staff.language)

    def repeating(self) -> None:
        """A monthly call with a key customer for the first salespeople (its last call done,
        so the next is planned), a weekly report in each sales team and the support desk."""
        sellers = [s for s in data.STAFF if s.role == Role.SALES and s.language == "fa"]
        for staff in sellers[: self.size.monthly_calls]:
            owned = self.customers_of(staff)
            buyers = [i for i in owned if self.parties[i].data["stage"] == Stage.CUSTOMER] or owned
            if not buyers:
                continue
            party = self.rng.choice(buyers)
            plan = self.add(
                staff,
                party,
                at(self.day(-28), 10, 0),
                kind="call",
                title=data.RECURRING["monthly_call"]["fa"],
                priority=NORMAL,
                reminders=[60],
            )
            plan.repeat = "monthly"
            plan.done = CompletionPlan(
                at=plan.due_at + dt.timedelta(minutes=20),
                outcome="completed",
                note=self.rng.choice(data.ACTIVITY_NOTES["fa"]),
            )
        wednesday = self.anchor + dt.timedelta(days=(2 - self.anchor.weekday()) % 7 or 7)
        saturday = self.anchor + dt.timedelta(days=(5 - self.anchor.weekday()) % 7 or 7)
        first_of_team: dict[str | None, data.Staff] = {}
        for staff in sellers:
            first_of_team.setdefault(staff.team, staff)
        weekly = [(s, "weekly_report", at(wednesday, 16, 0)) for s in first_of_team.values()]
        support = next(s for s in data.STAFF if s.role == Role.SUPPORT)
        weekly.append((support, "weekly_support", at(saturday, 10, 0)))
        for staff, key, due in weekly:
            title = data.RECURRING[key][staff.language]
            plan = self.add(staff, None, due, kind="task", title=title, priority=NORMAL, reminders=[60])
            plan.repeat = "weekly"

    def from_managers(self) -> None:
        """Managers plan joint visits and reviews for their salespeople."""
        for team, manager in self.managers.items():
            sellers = [
                s for s in data.STAFF if s.role == Role.SALES and s.team == team and s.language == "fa"
            ]
            for _n in range(self.size.assigned_by_managers):
                staff = self.rng.choice(sellers)
                owned = self.customers_of(staff)
                if not owned:
                    continue
                party = self.rng.choice(owned)
                organisation = self.parties[party].kind == Kind.ORGANISATION
                template = self.rng.choice(data.MANAGER_TASKS["fa"])
                self.add(
                    staff,
                    party,
                    self.office(self.rng.randint(2, 6)),
                    kind="visit" if organisation else "meeting",
                    title=template.format(city=self.parties[party].city),
                    actor=manager,
                    priority=HIGH,
                    reminders=[1440],
                )

    def cancelled(self) -> None:
        sellers = [s for s in data.STAFF if s.role == Role.SALES]
        for _n in range(self.size.cancelled):
            staff = self.rng.choice(sellers)
            owned = self.customers_of(staff)
            if not owned:
                continue
            plan = self.add(
                staff, self.rng.choice(owned), self.office(-self.rng.randint(1, 5)), kind="meeting"
            )
            reason = self.rng.choice(data.CANCEL_REASONS[staff.language])
            plan.cancelled = (plan.due_at - dt.timedelta(hours=2), reason)
