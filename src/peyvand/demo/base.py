"""What every part of the demo's plan shares: its sizes, time zone and time window."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

TEHRAN_TZ = zoneinfo.ZoneInfo("Asia/Tehran")
FRIDAY = 4  # dt.date.weekday(): the Iranian weekend
# Times of day for planned work, chosen from a list so that no anchor changes the draws.
OFFICE_SLOTS = (
    (9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30), (12, 0),
    (13, 30), (14, 0), (14, 30), (15, 0), (15, 30), (16, 0), (16, 30),
)  # fmt: skip


@dataclass(frozen=True)
class Size:
    people: int
    organisations: int
    foreign_organisations: int
    english_people: int
    duplicate_pairs: int
    interaction_scale: float
    # Deals in the default pipeline's stages: new, qualified, proposal, negotiation, won, lost.
    deals: tuple[int, int, int, int, int, int]
    # Leads by stage: suspect, prospect, qualified, disqualified, converted.
    leads: tuple[int, int, int, int, int]
    # Each salesperson's activities: overdue, today, upcoming (two weeks), done.
    sales_activities: tuple[int, int, int, int]
    # Each support agent's, likewise.
    support_activities: tuple[int, int, int, int]
    monthly_calls: int  # "call every month" series, one per salesperson
    assigned_by_managers: int  # per manager
    cancelled: int


SIZES = {
    "default": Size(
        people=250,
        organisations=60,
        foreign_organisations=8,
        english_people=20,
        duplicate_pairs=6,
        interaction_scale=1.0,
        deals=(12, 10, 10, 8, 12, 8),
        leads=(10, 11, 7, 8, 4),
        sales_activities=(3, 3, 6, 4),
        support_activities=(2, 2, 4, 3),
        monthly_calls=4,
        assigned_by_managers=2,
        cancelled=4,
    ),
    "small": Size(
        people=40,
        organisations=10,
        foreign_organisations=2,
        english_people=4,
        duplicate_pairs=3,
        interaction_scale=0.6,
        deals=(3, 2, 2, 2, 4, 2),
        leads=(2, 3, 2, 2, 1),
        sales_activities=(1, 1, 2, 1),
        support_activities=(1, 1, 1, 1),
        monthly_calls=2,
        assigned_by_managers=1,
        cancelled=1,
    ),
}


def window(anchor: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The two years before the anchor day, in Tehran time: interactions fall in here."""
    try:
        start_day = anchor.replace(year=anchor.year - 2)
    except ValueError:  # 29 February
        start_day = anchor.replace(year=anchor.year - 2, day=28)
    return (
        dt.datetime.combine(start_day, dt.time(), TEHRAN_TZ),
        dt.datetime.combine(anchor, dt.time(), TEHRAN_TZ),
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """That time of that day in Tehran."""
    return dt.datetime.combine(day, dt.time(hour, minute), TEHRAN_TZ)


def workday(day: dt.date, step: int) -> dt.date:
    """``day``, or if it is a Friday the day ``step`` (±1) away: no draw, so an anchor moved
    by a day changes no other choice of the plan."""
    return day + dt.timedelta(days=step) if day.weekday() == FRIDAY else day


def weights(spec: str) -> tuple[list[str], list[int]]:
    pairs = [item.split(":") for item in spec.split()]
    return [name for name, _w in pairs], [int(w) for _n, w in pairs]
