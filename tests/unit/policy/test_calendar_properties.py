"""CAL-2 properties of business-time arithmetic, for every default region (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy.calendar import calendar_for
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
