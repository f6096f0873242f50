"""Everything the demo will contain, drawn from the seed: customers first, then their
deals, leads and targets, then the staff's activities — each from its own random stream,
so that adding to one part of the plan never changes another."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .activities import ActivityPlan, ActivityPlanner
from .base import SIZES
from .customers import CustomerBuilder, DuplicatePlan, InteractionPlan, NotePlan, PartyPlan
from .sales import SalesPlan, SalesPlanner


@dataclass
class Plan:
    seed: int
    anchor: dt.date
    size: str
    parties: list[PartyPlan]
    interactions: list[InteractionPlan]
    notes: list[NotePlan]
    duplicates: list[DuplicatePlan]
    sales: SalesPlan
    activities: list[ActivityPlan]


def build_plan(*, seed: int = 1403, anchor: dt.date, size: str = "default") -> Plan:
    """Everything the demo will contain, drawn from ``seed`` alone; no database access."""
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; choose one of {sorted(SIZES)}")
    customers = CustomerBuilder(seed, anchor, SIZES[size], size)
    customers.build()
    activities = ActivityPlanner(customers).build()
    sales = SalesPlanner(customers).build()
    return Plan(
        seed,
        anchor,
        size,
        customers.parties,
        customers.interactions,
        customers.notes,
        customers.duplicates,
        sales,
        activities,
    )
