"""CAL-1/CAL-2 differential test: our business-time arithmetic against `businesstimedelta`.

`businesstimedelta` walks day by day with pytz zones (`localize`, so wall-clock hours are right
across DST) and `holidays` objects; it is slow but simple, which makes it a fair oracle. Both
sides return the closing instant when a target runs out exactly at closing; should the oracle
ever answer with the next opening instead, that is the same due time under our convention and
is counted separately.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import businesstimedelta as btd
import holidays
import pytest
import pytz

from bot.policy.calendar import BusinessCalendar, calendar_for
from bot.policy.config import PolicyConfig, RegionCalendar

CONFIG = PolicyConfig()
CASES = 10_000
US = timedelta(microseconds=1)
FIRST, LAST = date(2026, 1, 1), date(2028, 12, 31)


class _ClosedDays:
    """Public holidays plus the region's closures, as the oracle's HolidayRule expects."""

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
    """The region's CAL-1 hours as businesstimedelta rules."""
    tz = pytz.timezone(region.time_zone)
    workday = btd.WorkDayRule(
        start_time=region.opens,
        end_time=region.closes,
        working_days=sorted(region.workdays),
        tz=tz,
    )
    return btd.Rules([workday, btd.HolidayRule(_ClosedDays(region), tz=tz)])


def random_case(rng: random.Random, region: RegionCalendar) -> tuple[datetime, timedelta]:
    """A start in 2026-2028 and a positive whole-second duration, biased towards boundaries."""
    zone = ZoneInfo(region.time_zone)
    day = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days))
    day_seconds = region.day_minutes * 60
    kind = rng.random()
    if kind < 0.5:  # anywhere, any length up to 20 business days
        start = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(
            seconds=rng.randrange(86_400)
        )
        return start, timedelta(seconds=rng.randrange(1, 20 * day_seconds))
    opening = datetime.combine(day, region.opens, tzinfo=zone)
    if kind < 0.75:  # at opening, closing or on a quarter hour; quarter-hour lengths
        start = opening + timedelta(minutes=15 * rng.randrange(-8, region.day_minutes // 15 + 8))
        return start, timedelta(minutes=15 * rng.randrange(1, 40 * region.day_minutes // 15))
    # Lengths that run out exactly at some closing time when the start day is a business day.
    into_day = timedelta(minutes=15 * rng.randrange(region.day_minutes // 15))
    return opening + into_day, timedelta(seconds=rng.randrange(1, 11) * day_seconds) - into_day


def _is_closing(calendar: BusinessCalendar, at: datetime) -> bool:
    return not calendar.is_open(at) and calendar.is_open(at - US)


@pytest.mark.slow
def test_cal_2_add_and_between_agree_with_businesstimedelta_in_every_region() -> None:
    rng = random.Random(20260308)
    names = sorted(CONFIG.regions)
    rules = {name: oracle_rule(CONFIG.regions[name]) for name in names}
    tally: Counter[str] = Counter()
    mismatches: list[tuple[str, datetime, timedelta, datetime, datetime]] = []
    for n in range(CASES):
        name = rng.choice(names)
        calendar = calendar_for(CONFIG, name)
        start, length = random_case(rng, CONFIG.regions[name])
        ours = calendar.add(start, length)
        theirs = (start + btd.BusinessTimeDelta(rules[name], timedelta=length)).astimezone(UTC)
        tally[name] += 1
        if ours == theirs:
            tally["equal"] += 1
        elif _is_closing(calendar, ours) and theirs == calendar.next_open(ours):
            tally["closing convention"] += 1
        else:
            mismatches.append((name, start, length, ours, theirs))
        if n % 5 == 0:  # between is the oracle's slowest path: check every fifth case
            end = start + timedelta(seconds=rng.randrange(1, 30 * 86_400))
            expected = rules[name].difference(start, end).timedelta
            assert calendar.between(start, end) == expected, (name, start, end)
            tally["between"] += 1
    assert mismatches == []
    assert tally["equal"] + tally["closing convention"] == CASES
    assert all(tally[name] > CASES // 10 for name in names)
