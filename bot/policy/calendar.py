"""Business calendars (CAL-1..CAL-3): opening hours, holidays and business-time arithmetic.

A `BusinessCalendar` keeps, per local year, the sorted open intervals of its region as integer
microseconds since the epoch, with running totals of business time. `add` and `between` are then
two bisections each, so a 10-business-day target costs the same as a 1-minute one (P4), and the
results are exact to the microsecond.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.policy.config import Duration, PolicyConfig, RegionCalendar, TimeUnit

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_DAY = timedelta(days=1)
_LAST_YEAR = 9998  # datetime stops at 9999; one year of head-room for zone offsets
_CACHE_LIMIT = 256  # distinct (config, region) pairs kept; configs are built once per process


def epoch_us(at: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    if at.tzinfo is None:
        raise ValueError(_naive(at))
    try:
        delta = at - _EPOCH
    except TypeError:  # a tzinfo whose utcoffset() is None makes the datetime naive
        raise ValueError(_naive(at)) from None
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _naive(at: datetime) -> str:
    return f"naive datetime {at.isoformat()}: business time needs a time zone"


def from_epoch_us(us: int) -> datetime:
    """The UTC instant `us` microseconds after the epoch."""
    return _EPOCH + timedelta(0, 0, us)  # positional: half the cost of `microseconds=`


def _delta_us(duration: timedelta) -> int:
    return (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds


@lru_cache(maxsize=512)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """One year of a country's public holidays; building a `holidays` object is slow, so once."""
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


@dataclass(frozen=True, slots=True)
class _Span:
    """The open intervals of the local years first..last, swapped in whole so readers never lock."""

    first_year: int
    last_year: int
    lo: int  # local midnight of 1 January of first_year, in epoch microseconds
    hi: int  # local midnight of 1 January after last_year
    cum_lo: int  # running business total at `lo` (may be negative after growing backwards)
    cum_hi: int  # running business total at `hi`
    starts: list[int]
    ends: list[int]
    cum_start: list[int]  # running business total at starts[i]
    cum_end: list[int]  # running business total at ends[i]


class BusinessCalendar:
    """CAL-1/CAL-2 business hours of one region, with exact business-time arithmetic."""

    def __init__(self, region: RegionCalendar) -> None:
        if not region.opens < region.closes:
            raise ValueError(
                f"region {region.name}: opening time {region.opens} must be before closing time "
                f"{region.closes} (overnight hours are not supported)"
            )
        if not region.workdays or not region.workdays <= frozenset(range(7)):
            raise ValueError(f"region {region.name}: workdays must be a non-empty subset of 0..6")
        self.region = region
        self._zone = ZoneInfo(region.time_zone)
        self._span: _Span | None = None
        self._lock = threading.Lock()

    def is_open(self, at: datetime) -> bool:
        """Whether `at` is inside business hours (opening instant included, closing excluded)."""
        us = epoch_us(at)
        span = self._covering(us)
        i = bisect_right(span.starts, us) - 1
        return i >= 0 and us < span.ends[i]

    def next_open(self, at: datetime) -> datetime:
        """`at` itself (in UTC) when open, else the next opening instant."""
        us = epoch_us(at)
        span = self._covering(us)
        i = bisect_right(span.starts, us)
        if i > 0 and us < span.ends[i - 1]:
            return from_epoch_us(us)
        while i >= len(span.starts):
            span = self._grow_forward(span)
            i = bisect_right(span.starts, us)
        return from_epoch_us(span.starts[i])

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant `duration` of business time after `start`, in UTC.

        Counting starts at the next opening when `start` is outside hours (CAL-2), and a target
        that runs out exactly at closing time is due at closing time. `add(t, 0)` is `t` itself,
        even outside hours: nothing has to elapse, so nothing waits for an opening.
        """
        us = epoch_us(start)
        need = _delta_us(duration)
        if need < 0:
            raise ValueError(f"business durations cannot be negative: {duration}")
        if need == 0:
            return from_epoch_us(us)
        return from_epoch_us(self.instant(self.position(us) + need))

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from `start` to `end`; zero when `end` is not after `start`."""
        a = epoch_us(start)
        b = epoch_us(end)
        if b <= a:
            return timedelta(0)
        return timedelta(microseconds=self.position(b) - self.position(a))

    def position(self, us: int) -> int:
        """The running business total at the instant `us` (epoch microseconds).

        Totals only ever grow with time and never change once a year is built (growing the span
        backwards or forwards keeps them), so the business time between two instants is the
        difference of their positions, and callers that measure many intervals of one history
        (the SLA clocks) convert each instant once.
        """
        return self._business_at(self._covering(us), us)

    def instant(self, position: int) -> int:
        """The first instant (epoch microseconds) at which the running total reaches `position`.

        For `position(t) + d` with d > 0 that is `add(t, d)`: inside hours, or exactly at a
        closing time when the target runs out there (CAL-2).
        """
        span = self._span
        if span is None or position <= span.cum_lo:
            raise ValueError(f"business position {position} is not after a known instant")
        while not span.cum_end or position > span.cum_end[-1]:
            span = self._grow_forward(span)
        j = bisect_left(span.cum_end, position)
        return span.starts[j] + (position - span.cum_start[j])

    @staticmethod
    def _business_at(span: _Span, us: int) -> int:
        i = bisect_right(span.starts, us) - 1
        if i < 0:
            return span.cum_lo
        end = span.ends[i]
        return span.cum_start[i] + (us if us < end else end) - span.starts[i]

    def _covering(self, us: int) -> _Span:
        span = self._span
        if span is not None and span.lo <= us < span.hi:
            return span
        with self._lock:
            span = self._span
            if span is None:
                year = from_epoch_us(us).astimezone(self._zone).year
                span = self._first_span(year)
            while us < span.lo:
                span = self._grow_backward_locked(span)
            while us >= span.hi:
                span = self._grow_forward_locked(span)
            return span

    def _grow_forward(self, span: _Span) -> _Span:
        with self._lock:
            current = self._span if self._span is not None else span
            if current.last_year > span.last_year:
                return current  # another thread grew it meanwhile
            return self._grow_forward_locked(current)

    def _first_span(self, year: int) -> _Span:
        lo = self._midnight(date(year, 1, 1))
        span = _Span(year, year - 1, lo, lo, 0, 0, [], [], [], [])
        return self._grow_forward_locked(span)

    def _grow_forward_locked(self, span: _Span) -> _Span:
        year = span.last_year + 1
        if year > _LAST_YEAR:
            raise ValueError(f"region {self.region.name}: business time beyond year {_LAST_YEAR}")
        starts, ends = self._year_intervals(year)
        cum_start, cum_end = list(span.cum_start), list(span.cum_end)
        total = span.cum_hi
        for s, e in zip(starts, ends, strict=True):
            cum_start.append(total)
            total += e - s
            cum_end.append(total)
        grown = _Span(
            span.first_year,
            year,
            span.lo,
            self._midnight(date(year + 1, 1, 1)),
            span.cum_lo,
            total,
            span.starts + starts,
            span.ends + ends,
            cum_start,
            cum_end,
        )
        self._span = grown
        return grown

    def _grow_backward_locked(self, span: _Span) -> _Span:
        year = span.first_year - 1
        if year < 1:
            raise ValueError(f"region {self.region.name}: business time before year 1")
        starts, ends = self._year_intervals(year)
        total = span.cum_lo - sum(e - s for s, e in zip(starts, ends, strict=True))
        cum_lo = total
        cum_start: list[int] = []
        cum_end: list[int] = []
        for s, e in zip(starts, ends, strict=True):
            cum_start.append(total)
            total += e - s
            cum_end.append(total)
        grown = _Span(
            year,
            span.last_year,
            self._midnight(date(year, 1, 1)),
            span.hi,
            cum_lo,
            span.cum_hi,
            starts + span.starts,
            ends + span.ends,
            cum_start + span.cum_start,
            cum_end + span.cum_end,
        )
        self._span = grown
        return grown

    def _midnight(self, day: date) -> int:
        return epoch_us(datetime(day.year, day.month, day.day, tzinfo=self._zone))

    def _year_intervals(self, year: int) -> tuple[list[int], list[int]]:
        """Open intervals of one local year; wall-clock hours, so DST days keep opens..closes."""
        region = self.region
        closed = region.closures
        if region.holiday_country is not None:
            closed = closed | _public_holidays(
                region.holiday_country, region.holiday_subdivision, year
            )
        starts: list[int] = []
        ends: list[int] = []
        day = date(year, 1, 1)
        while day.year == year:
            if day.weekday() in region.workdays and day not in closed:
                starts.append(epoch_us(datetime.combine(day, region.opens, tzinfo=self._zone)))
                ends.append(epoch_us(datetime.combine(day, region.closes, tzinfo=self._zone)))
            day += _ONE_DAY
        return starts, ends


@lru_cache(maxsize=64)
def _calendar_of(region: RegionCalendar) -> BusinessCalendar:
    """Identical region definitions share one calendar (and its built years)."""
    return BusinessCalendar(region)


_BY_CONFIG: dict[tuple[int, str], tuple[PolicyConfig, BusinessCalendar]] = {}


def calendar_for(config: PolicyConfig, region: str) -> BusinessCalendar:
    """The cached calendar of a region of `config`; raises KeyError for an unknown region."""
    key = (id(config), region)
    hit = _BY_CONFIG.get(key)
    # The entry holds the config itself, so its id cannot be reused by another config meanwhile.
    if hit is not None and hit[0] is config:
        return hit[1]
    calendar = _calendar_of(config.region(region))
    if len(_BY_CONFIG) >= _CACHE_LIMIT:
        _BY_CONFIG.clear()
    _BY_CONFIG[key] = (config, calendar)
    return calendar


def duration_timedelta(config: PolicyConfig, region: str, d: Duration) -> timedelta:
    """The length of `d`: business days are N x the region's day length (CAL-2)."""
    if d.unit is TimeUnit.BUSINESS_DAYS:
        return timedelta(minutes=d.amount * config.region(region).day_minutes)
    if d.unit is TimeUnit.BUSINESS_HOURS or d.unit is TimeUnit.HOURS:
        return timedelta(hours=d.amount)
    return timedelta(minutes=d.amount)


def add_duration(config: PolicyConfig, region: str, start: datetime, d: Duration) -> datetime:
    """When `d` from `start` ends, in UTC: in business time, or 24x7 for calendar units (CAL-3)."""
    length = duration_timedelta(config, region, d)
    if d.is_business:
        return calendar_for(config, region).add(start, length)
    if length < timedelta(0):
        raise ValueError(f"durations cannot be negative: {d}")
    # Through epoch microseconds: aware `+` on a zoned datetime would add wall-clock time.
    return from_epoch_us(epoch_us(start) + _delta_us(length))


def measure(
    config: PolicyConfig, region: str, start: datetime, end: datetime, unit_is_business: bool
) -> timedelta:
    """Time from `start` to `end` in business or 24x7 time; zero when `end` is not after `start`."""
    if unit_is_business:
        return calendar_for(config, region).between(start, end)
    elapsed = epoch_us(end) - epoch_us(start)
    return timedelta(microseconds=elapsed) if elapsed > 0 else timedelta(0)
