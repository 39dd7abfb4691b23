"""P4: business-time arithmetic, ours against `businesstimedelta` on the same inputs.

Prints our time for 100,000 due-time computations (random starts across 2026-2028 in every
default region, random SLA-style business durations), businesstimedelta's time on a sample of
the same inputs extrapolated to the full count, the ratio, and the number of disagreements.
Run: `python bench/p4_calendar.py [--count N] [--oracle-sample N] [--seed S]`.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import businesstimedelta as btd
import holidays
import pytz

from bot.policy.calendar import add_duration, calendar_for, duration_timedelta
from bot.policy.config import Duration, PolicyConfig, RegionCalendar, TimeUnit

US = timedelta(microseconds=1)
Job = tuple[str, datetime, Duration]


class _ClosedDays:
    """Public holidays plus closures, as businesstimedelta's HolidayRule expects."""

    def __init__(self, region: RegionCalendar) -> None:
        self.public = (
            holidays.country_holidays(region.holiday_country, subdiv=region.holiday_subdivision)
            if region.holiday_country
            else {}
        )
        self.closures = region.closures

    def __contains__(self, day: object) -> bool:
        return day in self.closures or day in self.public


def oracle_rule(region: RegionCalendar) -> btd.Rules:
    """The region's CAL-1 hours as businesstimedelta rules (pytz zone, same holidays)."""
    tz = pytz.timezone(region.time_zone)
    workday = btd.WorkDayRule(
        start_time=region.opens, end_time=region.closes, working_days=sorted(region.workdays), tz=tz
    )
    return btd.Rules([workday, btd.HolidayRule(_ClosedDays(region), tz=tz)])


def make_jobs(config: PolicyConfig, count: int, seed: int) -> list[Job]:
    """Random (region, start, business duration): half SLA-table targets, half 1-130 hours."""
    rng = random.Random(seed)
    names = sorted(config.regions)
    lo = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(2029, 1, 1, tzinfo=UTC).timestamp())
    targets = [Duration(n, TimeUnit.BUSINESS_HOURS) for n in (2, 4)] + [
        Duration(n, TimeUnit.BUSINESS_DAYS) for n in (1, 2, 5, 10)
    ]
    jobs: list[Job] = []
    for _ in range(count):
        start = datetime.fromtimestamp(rng.randrange(lo, hi), UTC)
        if rng.random() < 0.5:
            duration = rng.choice(targets)
        else:
            duration = Duration(rng.randrange(1, 10 * 13 + 1), TimeUnit.BUSINESS_HOURS)
        jobs.append((rng.choice(names), start, duration))
    return jobs


def timed(fn: Callable[[], list[datetime]]) -> tuple[float, list[datetime]]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--oracle-sample", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    config = PolicyConfig()
    jobs = make_jobs(config, args.count, args.seed)
    lengths = [duration_timedelta(config, name, d) for name, _, d in jobs]

    cold_started = time.perf_counter()
    for name in config.regions:  # builds the 2026-2028 interval tables of every region
        calendar = calendar_for(config, name)
        calendar.between(datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
    cold = time.perf_counter() - cold_started

    public, ours = timed(lambda: [add_duration(config, n, s, d) for n, s, d in jobs])
    core, direct = timed(
        lambda: [
            calendar_for(config, n).add(s, t) for (n, s, _), t in zip(jobs, lengths, strict=True)
        ]
    )
    if direct != ours:
        raise SystemExit("add_duration and BusinessCalendar.add disagree")

    sample = min(args.oracle_sample, args.count)
    rules = {name: oracle_rule(region) for name, region in config.regions.items()}
    theirs_time, theirs = timed(
        lambda: [
            (s + btd.BusinessTimeDelta(rules[n], timedelta=t)).astimezone(UTC)
            for (n, s, _), t in zip(jobs[:sample], lengths[:sample], strict=True)
        ]
    )
    closing_convention = 0
    disagreements = 0
    for (name, _, _), mine, other in zip(jobs[:sample], ours[:sample], theirs, strict=True):
        if mine == other:
            continue
        calendar = calendar_for(config, name)
        at_closing = not calendar.is_open(mine) and calendar.is_open(mine - US)
        if at_closing and other == calendar.next_open(mine):
            closing_convention += 1
        else:
            disagreements += 1
    theirs_full = theirs_time * args.count / sample

    print(
        f"P4 business-time arithmetic: {args.count:,} due-time computations, 6 regions, 2026-2028"
    )
    print(f"  interval tables built (cold, once):      {cold * 1000:8.1f} ms")
    print(
        f"  ours, add_duration (public API):         {public:8.3f} s  ({public / args.count * 1e6:.2f} us each)"
    )
    print(
        f"  ours, BusinessCalendar.add (core):       {core:8.3f} s  ({core / args.count * 1e6:.2f} us each)"
    )
    note = "" if sample == args.count else f" (timed on {sample:,}, extrapolated)"
    print(f"  businesstimedelta:                       {theirs_full:8.3f} s{note}")
    print(f"  ratio businesstimedelta / ours (public): {theirs_full / public:8.1f}x")
    print(
        f"  disagreements on the {sample:,} compared:   {disagreements}"
        f" (+{closing_convention} closing-vs-next-opening, same due time by convention)"
    )
    print(f"  seed {args.seed}")


if __name__ == "__main__":
    main()
