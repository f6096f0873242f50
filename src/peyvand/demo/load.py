"""Writing the plan: customers, their history, the sales and the activities, in one
transaction, through the same services the UI and the API use."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from peyvand.adoption.models import Objective
from peyvand.adoption.services.objectives import objective_measure, objectives_measure_all
from peyvand.core import policy
from peyvand.core.models import Action, AuditEvent, Role, RoleScope, Scope, Team, User
from peyvand.core.services.audit import audit_log
from peyvand.core.services.site import site_flag, site_flag_set
from peyvand.core.services.users import user_create
from peyvand.customers.models import ContactPoint, Kind, Membership, Note, Party
from peyvand.customers.rules import ContactInput, PartyInput
from peyvand.customers.services.notes import note_add
from peyvand.customers.services.parties import party_create
from peyvand.interactions.models import Interaction
from peyvand.interactions.services.interactions import InteractionInput, interaction_log
from peyvand.sales.models import Product

from . import data
from .adoption import write_adoption
from .base import SIZES
from .field import write_field
from .load_sales import write_activities, write_sales
from .plan import Plan, build_plan
from .portal import write_portal
from .service import write_service

FLAG = "demo_loaded"


class DemoAlreadyLoaded(Exception):
    """The demo was loaded into this database before; pass ``force=True`` to load it again."""


@dataclass
class DemoDuplicate:
    first_id: int
    second_id: int
    first_name: str
    second_name: str
    reason: str


@dataclass
class DemoResult:
    seed: int
    anchor: dt.date
    size: str
    teams: int
    users: int
    people: int
    organisations: int
    interactions: int
    notes: int
    products: int
    deals: int
    leads: int
    invoices: int
    activities: int
    usernames: dict[str, list[str]]  # role -> usernames
    duplicates: list[DemoDuplicate]
    seconds: float


def load_demo(
    *,
    seed: int = 1403,
    anchor: dt.date | None = None,
    size: str = "default",
    stdout: TextIO | None = None,
    force: bool = False,
) -> DemoResult:
    """Create the demo company in one transaction and return what was made.

    ``anchor`` (default: today) is the day the demo's history runs up to; it cannot be in
    the future, because interactions are never logged ahead. The staff's open activities
    run from a week before it to two weeks after it, with some on the anchor's day itself
    at fixed hours, so "My day" is full right after loading. Raises ``DemoAlreadyLoaded``
    if the demo was loaded before, unless ``force``. The demo users get unusable passwords:
    an administrator sets one to log in as them.
    """
    started = time.monotonic()
    today = timezone.localdate()
    anchor = anchor or today
    if anchor > today:
        raise ValueError("the demo's anchor date cannot be in the future")
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; choose one of {sorted(SIZES)}")

    def say(message: str) -> None:
        if stdout is not None:
            print(message, file=stdout, flush=True)

    with transaction.atomic():
        loaded = site_flag(FLAG)
        if loaded and not force:
            raise DemoAlreadyLoaded(
                f"The demo data is already loaded ({loaded}); use force to load it again."
            )
        say(f"Demo: planning ({size}, seed {seed}, history up to {anchor.isoformat()})…")
        plan = build_plan(seed=seed, anchor=anchor, size=size)
        interactions_before = Interaction.all_objects.count()
        teams = _teams()
        users = _users(teams)
        _policy()
        say(f"  {len(teams)} teams, {len(users)} users")
        parties = _write_parties(plan, users, say)
        interactions = _write_interactions(plan, parties, users, say)
        notes = _write_notes(plan, parties, users)
        say(f"  {len(notes)} notes")
        sales = write_sales(plan, parties, users, teams)
        say(
            f"  {sales.products} products, {sales.deals} deals, {sales.leads} leads, "
            f"{sales.invoices} invoices, {sales.targets} targets"
        )
        activities = write_activities(plan, parties, users)
        say(f"  {activities.count} activities")
        say(f"  {write_field(users, anchor=anchor)}")
        say(f"  {write_service(users, seed=seed, anchor=anchor)}")
        say(f"  {write_portal()}")
        say(f"  {write_adoption(users, seed=seed, anchor=anchor)}")
        interactions += [interaction for interaction, _at in activities.logged]
        _backdate(plan, parties, interactions, notes)
        _measure_objectives(anchor)
        site_flag_set(FLAG, f"seed={seed} anchor={anchor.isoformat()} size={size}")
        made_interactions = Interaction.all_objects.count() - interactions_before

    usernames: dict[str, list[str]] = {}
    for staff in data.STAFF:
        usernames.setdefault(staff.role, []).append(staff.username)
    result = DemoResult(
        seed=seed,
        anchor=anchor,
        size=size,
        teams=len(teams),
        users=len(users),
        people=sum(p.kind == Kind.PERSON for p in plan.parties),
        organisations=sum(p.kind == Kind.ORGANISATION for p in plan.parties),
        interactions=made_interactions,  # the service desk's replies and surveys too
        notes=len(notes),
        products=Product.objects.count(),  # the sales catalogue and field service's labour and parts
        deals=sales.deals,
        leads=sales.leads,
        invoices=sales.invoices,
        activities=activities.count,
        usernames=usernames,
        duplicates=[
            DemoDuplicate(
                parties[d.first].pk,
                parties[d.second].pk,
                parties[d.first].display_name,
                parties[d.second].display_name,
                d.reason,
            )
            for d in plan.duplicates
        ],
        seconds=round(time.monotonic() - started, 1),
    )
    say(f"  done in {result.seconds} s")
    return result


def _measure_objectives(anchor: dt.date) -> None:
    """The objectives read the history as backdated: measured week by week from their start
    to the anchor, as the worker would have, so their charts have a trend; then today."""
    for objective in Objective.objects.all():
        day = objective.starts_on
        while day < min(anchor, objective.due_on):
            objective_measure(objective, today=day)
            day += dt.timedelta(days=7)
    objectives_measure_all()


def _teams() -> dict[str, Team]:
    """The demo's teams, reused if they exist. Not through ``team_create``: that needs an
    administrator, and the demo is loaded before anyone has an account."""
    teams = {}
    for name in data.TEAMS:
        team = Team.objects.filter(name=name).first()
        if team is None:
            team = Team.objects.create(name=name)
            audit_log(actor=None, kind=AuditEvent.Kind.CREATE, obj=team, changes={"name": [None, name]})
        teams[name] = team
    return teams


def _users(teams: dict[str, Team]) -> dict[str, User]:
    users = {}
    for staff in data.STAFF:
        user = User.objects.filter(username=staff.username).first()
        if user is None:
            user, _password = user_create(
                username=staff.username,
                role=staff.role,
                first_name=staff.first_name,
                last_name=staff.last_name,
                email=f"{staff.username}@{data.COMPANY_DOMAIN}",
                team=teams[staff.team] if staff.team else None,
                language=staff.language,
                # Nobody knows a demo user's password: an administrator sets one to use it.
                can_log_in=False,
            )
        users[staff.username] = user
    return users


# What the demo company's administrator chose beyond the defaults: its support desk is one
# central team that takes every customer's calls, and its executives (read-only) see every
# customer. Written as an administrator's override would be, so the audit log shows it.
DEMO_SCOPES = (
    (Role.SUPPORT, "party", Action.VIEW, Scope.ALL),
    (Role.SUPPORT, "interaction", Action.VIEW, Scope.ALL),
    (Role.READONLY, "party", Action.VIEW, Scope.ALL),
    (Role.READONLY, "interaction", Action.VIEW, Scope.ALL),
)


def _policy() -> None:
    for role, resource, action, scope in DEMO_SCOPES:
        row, created = RoleScope.objects.get_or_create(
            role=role, resource=resource, action=action, defaults={"scope": scope}
        )
        if created:
            default = policy.default_scope(role, resource, action)
            audit_log(
                actor=None,
                kind=AuditEvent.Kind.CREATE,
                obj=row,
                changes={f"{role}.{resource}.{action}": [default, scope]},
            )


def _write_parties(plan: Plan, users: dict[str, User], say: Callable[[str], None]) -> list[Party]:
    parties: list[Party] = []
    step = max(len(plan.parties) // 4, 1)
    for n, planned in enumerate(plan.parties, start=1):
        values = dict(planned.data, owner=users[planned.owner] if planned.owner else None)
        parties.append(
            party_create(
                actor=users[planned.actor],
                kind=planned.kind,
                data=PartyInput(**values),
                contacts=[ContactInput(**contact) for contact in planned.contacts],
                organisations=[(parties[i], title) for i, title in planned.organisations],
                tags=planned.tags,
                allow_duplicate=True,
            )
        )
        if n % step == 0 or n == len(plan.parties):
            say(f"  customers {n}/{len(plan.parties)}")
    return parties


def _visible_handler(user: User, party: Party) -> User:
    """``user`` if the permission policy lets them see ``party``, else its owner.

    By default support and marketing see only some customers; the demo's stories give
    them calls only where the policy of this installation lets them take one.
    """
    if policy.can_view(user, party) or party.owner is None:
        return user
    return party.owner


def _write_interactions(
    plan: Plan, parties: list[Party], users: dict[str, User], say: Callable[[str], None]
) -> list[Interaction]:
    made: list[Interaction] = []
    step = max(len(plan.interactions) // 4, 1)
    for n, planned in enumerate(plan.interactions, start=1):
        party = parties[planned.party]
        handler = _visible_handler(users[planned.handler], party)
        made.append(
            interaction_log(
                party=party,
                actor=handler,
                data=InteractionInput(
                    channel=planned.channel,
                    direction=planned.direction,
                    occurred_at=planned.occurred_at,
                    subject=planned.subject,
                    body=planned.body,
                    outcome=planned.outcome,
                    handled_by=handler,
                ),
            )
        )
        if n % step == 0 or n == len(plan.interactions):
            say(f"  interactions {n}/{len(plan.interactions)}")
    return made


def _write_notes(plan: Plan, parties: list[Party], users: dict[str, User]) -> list[Note]:
    return [
        note_add(
            party=parties[p.party],
            actor=_visible_handler(users[p.author], parties[p.party]),
            body=p.body,
        )
        for p in plan.notes
    ]


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _backdate(
    plan: Plan,
    parties: list[Party],
    interactions: list[Interaction],
    notes: list[Note],
) -> None:
    """Give the new rows the past the plan describes, so "created between" filters and the
    customer timeline look like two years of use rather than one afternoon.

    This includes the demo's own audit events, which would otherwise all say "today" at the
    top of every timeline. They are rewritten only here, inside the transaction that
    created them, before anyone could have read them; the audit log stays append-only.
    """
    for party, planned in zip(parties, plan.parties, strict=True):
        party.created_at = planned.created_at
        party.updated_at = max(
            planned.created_at,
            planned.email_consent_at or planned.created_at,
            planned.sms_consent_at or planned.created_at,
        )
        if planned.email_consent_at:
            party.email_consent_at = planned.email_consent_at
        if planned.sms_consent_at:
            party.sms_consent_at = planned.sms_consent_at
    Party.objects.bulk_update(
        parties, ["created_at", "updated_at", "email_consent_at", "sms_consent_at"], batch_size=200
    )
    for note, planned_note in zip(notes, plan.notes, strict=True):
        note.created_at = note.updated_at = planned_note.at
    Note.objects.bulk_update(notes, ["created_at", "updated_at"], batch_size=200)

    party_created = Party.all_objects.filter(pk=OuterRef("party_id")).values("created_at")[:1]
    for ids in _chunks([p.pk for p in parties]):
        ContactPoint.objects.filter(party_id__in=ids).update(
            created_at=Subquery(party_created), updated_at=Subquery(party_created)
        )
        person_created = Party.all_objects.filter(pk=OuterRef("person_id")).values("created_at")[:1]
        Membership.objects.filter(person_id__in=ids).update(
            created_at=Subquery(person_created), updated_at=Subquery(person_created)
        )
        events = AuditEvent.objects.filter(kind=AuditEvent.Kind.CREATE, party_id__in=ids)
        events.filter(model__in=["customers.party", "customers.contactpoint"]).update(
            at=Subquery(party_created)
        )
    for ids in _chunks([i.pk for i in interactions]):
        Interaction.objects.filter(pk__in=ids).update(
            created_at=F("occurred_at"), updated_at=F("occurred_at")
        )
        occurred = Interaction.objects.filter(pk=OuterRef("object_id")).values("occurred_at")[:1]
        AuditEvent.objects.filter(
            model="interactions.interaction", kind=AuditEvent.Kind.CREATE, object_id__in=ids
        ).update(at=Subquery(occurred))
    for ids in _chunks([n.pk for n in notes]):
        written = Note.objects.filter(pk=OuterRef("object_id")).values("created_at")[:1]
        AuditEvent.objects.filter(
            model="customers.note", kind=AuditEvent.Kind.CREATE, object_id__in=ids
        ).update(at=Subquery(written))
