"""The SLA clock: how long a due time takes to compute, beside a baseline measured in the same
process.

    .venv/bin/python -m bench.sla_clock              # 20,000 due times per SLA
    BENCH_SLA_SAMPLES=2000 .venv/bin/python -m bench.sla_clock

The baseline is the same answer from a lookup table: every working window of 2026-2028 on
Iran's calendar, converted to instants ahead of time, with the business minutes before each,
so a due time is two bisections and an addition. That is the least work the answer can cost
once everything that can be precomputed is; the table itself is built outside the timing
(its cost is printed). Every due time the engine gives is checked against the table's.

The engine's figures are with the calendar and its years warm, as the desk keeps them (one
calendar per stored calendar, cached); the first call of a process, which imports `holidays`
and builds the years, is printed on its own.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable

from peyvand.service import calendar as engine

SAMPLES = int(os.environ.get("BENCH_SLA_SAMPLES", "20000"))
TABLE_FROM, TABLE_UNTIL = dt.date(2026, 1, 1), dt.date(2029, 1, 1)
MINUTE = 60_000_000  # microseconds
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def say(message: str) -> None:
    print(message, flush=True)


class Table:
    """Every working window in [TABLE_FROM, TABLE_UNTIL) as instants (microseconds), with
    the business microseconds before each window."""

    def __init__(self, calendar: engine.BusinessCalendar) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []
        total, day = 0, TABLE_FROM
        while day < TABLE_UNTIL:
            if not calendar.is_holiday(day):
                midnight = dt.datetime.combine(day, dt.time())
                for start, end in calendar.week[day.weekday()]:
                    low, high = (
                        micro((midnight + dt.timedelta(minutes=m)).replace(tzinfo=calendar.zone))
                        for m in (start, end)
                    )
                    self.starts.append(low)
                    self.ends.append(high)
                    self.before.append(total)
                    total += high - low
            day += dt.timedelta(days=1)

    def due(self, start: dt.datetime, minutes: int) -> dt.datetime:
        now = micro(start)
        index = bisect_right(self.ends, now)  # the first window that ends after now
        used = self.before[index] + max(0, now - self.starts[index])
        target = used + minutes * MINUTE
        window = bisect_left(self.before, target) - 1  # the last window that starts before it
        return EPOCH + dt.timedelta(microseconds=self.starts[window] + target - self.before[window])


def micro(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def timings(action: Callable[[dt.datetime], object], starts: list[dt.datetime]) -> tuple[float, float]:
    """p50 and p99 of one call, in microseconds."""
    spent = []
    clock = time.perf_counter_ns
    for start in starts:
        began = clock()
        action(start)
        spent.append(clock() - began)
    centiles = statistics.quantiles(spent, n=100, method="inclusive")
    return centiles[49] / 1000, centiles[98] / 1000


def random_starts(rng: random.Random, first: dt.datetime, last: dt.datetime, count: int) -> list[dt.datetime]:
    """Instants spread over [first, last), at any second: in and out of working time."""
    span = int((last - first).total_seconds())
    return [first + dt.timedelta(seconds=rng.randrange(span)) for _ in range(count)]


def main() -> None:
    say("# The SLA clock")
    say("")
    say(
        f"Run on {dt.date.today().isoformat()} - {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}. "
        f"{SAMPLES:,} due times per row, one calendar: Iran's week (Saturday-Wednesday 08:00-16:00, "
        "Thursday 08:00-13:00) and Iran's official holidays, Asia/Tehran."
    )
    say("")

    began = time.perf_counter()
    calendar = engine.BusinessCalendar()
    first = engine.add_business_minutes(
        calendar, dt.datetime(2026, 3, 21, 10, tzinfo=calendar.zone), 2000 * 60
    )
    cold = time.perf_counter() - began
    began = time.perf_counter()
    table = Table(calendar)
    table_seconds = time.perf_counter() - began
    assert table.due(dt.datetime(2026, 3, 21, 10, tzinfo=calendar.zone), 2000 * 60) == first

    rng = random.Random(1404)
    year = dt.datetime(2026, 1, 1, tzinfo=calendar.zone), dt.datetime(2027, 1, 1, tzinfo=calendar.zone)
    nowruz = dt.datetime(2026, 3, 14, tzinfo=calendar.zone), dt.datetime(2026, 4, 4, tzinfo=calendar.zone)
    cases = [
        ("4-hour SLA, starts over 2026", 4 * 60, random_starts(rng, *year, SAMPLES)),
        ("3-day SLA (24 business hours), starts over 2026", 3 * 8 * 60, random_starts(rng, *year, SAMPLES)),
        ("2,000 business hours, starts around Nowruz 2026", 2000 * 60, random_starts(rng, *nowruz, SAMPLES)),
    ]

    say("| | engine p50 µs | engine p99 µs | baseline p50 µs | baseline p99 µs | engine ÷ baseline (p50) |")
    say("|---|---:|---:|---:|---:|---:|")
    for label, minutes, starts in cases:
        for start in starts[:1000]:  # the same answers, and every year warm
            assert engine.add_business_minutes(calendar, start, minutes) == table.due(start, minutes), start
        ours = timings(lambda start, m=minutes: engine.add_business_minutes(calendar, start, m), starts)
        base = timings(lambda start, m=minutes: table.due(start, m), starts)
        say(
            f"| {label} | {ours[0]:.1f} | {ours[1]:.1f} | {base[0]:.1f} | {base[1]:.1f} | "
            f"{ours[0] / base[0]:.1f}× |"
        )
    say("")

    # The inverse, on the long span: what a pause costs to record.
    starts = cases[2][2]
    ends = [engine.add_business_minutes(calendar, start, 2000 * 60) for start in starts]
    pairs = iter(zip(starts, ends, strict=True))
    between = timings(lambda _: engine.business_minutes_between(calendar, *next(pairs)), starts)
    say(
        f"business_minutes_between over the same 2,000-hour spans: p50 {between[0]:.1f} µs, "
        f"p99 {between[1]:.1f} µs."
    )
    fresh = timings(
        lambda start: engine.add_business_minutes(engine.BusinessCalendar(), start, 3 * 8 * 60),
        cases[1][2][:2000],
    )
    say(
        f"A new calendar object for every 3-day due time (its year tables built again): "
        f"p50 {fresh[0]:.1f} µs, p99 {fresh[1]:.1f} µs."
    )
    say(
        f"First call in this process (imports `holidays`, builds 2026 and 2027): {cold * 1000:.0f} ms. "
        f"The baseline's table of {len(table.starts):,} windows took {table_seconds * 1000:.0f} ms to build."
    )
    say("Target: a due time ≤ 1 ms (1,000 µs), even across a year of holidays.")


if __name__ == "__main__":
    main()
