"""CAL-2 properties of business-time arithmetic, for every default region (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy.calendar import calendar_for, epoch_us, from_epoch_us
from bot.policy.config import PolicyConfig

CONFIG = PolicyConfig()
REGIONS = st.sampled_from(sorted(CONFIG.regions))
STARTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
# Up to 20 NA business days, in whole seconds (the promised precision).
DURATIONS = st.integers(min_value=0, max_value=20 * 13 * 3600).map(lambda s: timedelta(seconds=s))
US = timedelta(microseconds=1)


@settings(deadline=None, max_examples=300)
@given(region=REGIONS, start=STARTS, a=DURATIONS, b=DURATIONS)
def test_cal_2_adding_in_two_steps_equals_adding_the_sum(
    region: str, start: datetime, a: timedelta, b: timedelta
) -> None:
    calendar = calendar_for(CONFIG, region)
    assert calendar.add(calendar.add(start, a), b) == calendar.add(start, a + b)


@settings(deadline=None, max_examples=300)
@given(region=REGIONS, start=STARTS, d=DURATIONS)
def test_cal_2_business_time_between_a_start_and_its_due_time_is_the_duration(
    region: str, start: datetime, d: timedelta
) -> None:
    calendar = calendar_for(CONFIG, region)
    assert calendar.between(start, calendar.add(start, d)) == d


@settings(deadline=None, max_examples=300)
@given(region=REGIONS, start=STARTS, d=DURATIONS.filter(lambda d: d > timedelta(0)))
def test_cal_2_a_due_time_is_inside_business_hours_or_exactly_at_closing(
    region: str, start: datetime, d: timedelta
) -> None:
    calendar = calendar_for(CONFIG, region)
    due = calendar.add(start, d)
    assert due > start
    closing = not calendar.is_open(due) and calendar.is_open(due - US)
    assert calendar.is_open(due) or closing


@settings(deadline=None, max_examples=200)
@given(region=REGIONS, start=STARTS, end=STARTS)
def test_cal_2_between_is_additive_over_a_split_point(
    region: str, start: datetime, end: datetime
) -> None:
    calendar = calendar_for(CONFIG, region)
    start, end = min(start, end), max(start, end)
    middle = start + (end - start) / 3
    whole = calendar.between(start, end)
    assert whole == calendar.between(start, middle) + calendar.between(middle, end)
    assert whole <= end - start


@settings(deadline=None, max_examples=300)
@given(region=REGIONS, start=STARTS, d=DURATIONS.filter(lambda d: d > timedelta(0)))
def test_cal_2_a_position_and_its_instant_are_inverse_and_instant_is_add(
    region: str, start: datetime, d: timedelta
) -> None:
    # The SLA clocks convert each instant to a running business total once and read every
    # threshold back with `instant`: the two must agree with `add` and with each other.
    calendar = calendar_for(CONFIG, region)
    at = epoch_us(start)
    target = calendar.position(at) + d // US
    found = calendar.instant(target)
    assert from_epoch_us(found) == calendar.add(start, d)
    assert calendar.position(found) == target
    assert calendar.position(found - 1) < target  # the first instant that reaches it


@settings(deadline=None, max_examples=200)
@given(region=REGIONS, start=STARTS, end=STARTS)
def test_cal_2_positions_never_decrease_and_differ_by_the_time_between(
    region: str, start: datetime, end: datetime
) -> None:
    calendar = calendar_for(CONFIG, region)
    start, end = min(start, end), max(start, end)
    a, b = calendar.position(epoch_us(start)), calendar.position(epoch_us(end))
    assert a <= b
    assert timedelta(microseconds=b - a) == calendar.between(start, end)
