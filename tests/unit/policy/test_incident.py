"""INC-3, INC-5, INC-6: status slots, RCA due time and availability."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.config import PolicyConfig
from bot.policy.incident import (
    availability,
    minutes_in_month,
    next_slot,
    rca_due,
    slot_index,
    status_slots,
)
from tests.builders import utc

HALF_HOUR = timedelta(minutes=30)
DECLARED = datetime(2026, 4, 1, 10, 7, 13, tzinfo=UTC)


def test_inc_3_slots_are_counted_from_the_declaration_without_drift() -> None:
    slots = status_slots(DECLARED, DECLARED + timedelta(hours=2), HALF_HOUR)
    assert slots == [DECLARED + k * HALF_HOUR for k in (1, 2, 3, 4)]
    assert all(s.second == 13 for s in slots)


def test_inc_3_slot_index_counts_due_slots_and_next_slot_is_strictly_later() -> None:
    assert slot_index(DECLARED, DECLARED - timedelta(minutes=1), HALF_HOUR) == 0
    assert slot_index(DECLARED, DECLARED + timedelta(minutes=29), HALF_HOUR) == 0
    assert slot_index(DECLARED, DECLARED + HALF_HOUR, HALF_HOUR) == 1
    assert next_slot(DECLARED, DECLARED + HALF_HOUR, HALF_HOUR) == DECLARED + 2 * HALF_HOUR
    with pytest.raises(ValueError, match="positive"):
        slot_index(DECLARED, DECLARED, timedelta(0))


def test_inc_3_slots_keep_real_30_minute_steps_across_a_dst_change() -> None:
    # 8 March 2026 02:00 New York springs forward; zoned input must not add wall-clock time.
    declared = datetime(2026, 3, 8, 1, 45, tzinfo=ZoneInfo("America/New_York"))
    slots = status_slots(declared, declared + timedelta(hours=1), HALF_HOUR)
    utc_declared = declared.astimezone(UTC)
    assert slots == [utc_declared + HALF_HOUR, utc_declared + 2 * HALF_HOUR]


@given(
    st.datetimes(timezones=st.just(UTC)),
    st.integers(min_value=0, max_value=10_000_000),
    st.integers(min_value=1, max_value=240),
)
def test_inc_3_property_the_last_slot_is_never_after_now_and_the_next_is(
    declared: datetime, seconds: int, minutes: int
) -> None:
    interval = timedelta(minutes=minutes)
    now = declared + timedelta(seconds=seconds)
    index = slot_index(declared, now, interval)
    assert declared + index * interval <= now < declared + (index + 1) * interval
    assert next_slot(declared, now, interval) == declared + (index + 1) * interval


def test_inc_5_rca_is_due_5_business_days_after_restoration() -> None:
    restored = utc(2026, 7, 2, 19)  # Thursday 15:00 New York, before a holiday and a weekend
    assert rca_due(restored, "NA", PolicyConfig()) == utc(2026, 7, 10, 19)
    assert rca_due(restored, "NA", PolicyConfig(rca_due_business_days=1)) == utc(2026, 7, 6, 19)


def test_inc_6_availability_follows_the_handbook_formula() -> None:
    # 100 agents, April (30 days = 43,200 min): 20 agents x 60 min + 100 x 30 min = 4,200.
    value = availability(100, (2026, 4), [(20, 60), (100, 30)])
    assert value == pytest.approx(100 - 100 * 4_200 / (100 * 43_200))
    assert availability(100, (2026, 4), []) == 100.0
    assert minutes_in_month(2028, 2) == 29 * 1440


@pytest.mark.parametrize(
    ("total", "month", "impacts"),
    [
        (0, (2026, 4), []),
        (10, (2026, 13), []),
        (10, (2026, 4), [(11, 5)]),
        (10, (2026, 4), [(1, -1)]),
    ],
)
def test_inc_6_impossible_inputs_are_rejected(
    total: int, month: tuple[int, int], impacts: list[tuple[int, float]]
) -> None:
    with pytest.raises(ValueError):
        availability(total, month, impacts)


def test_inc_6_overlapping_impacts_never_give_negative_availability() -> None:
    whole = minutes_in_month(2026, 4)
    assert availability(1, (2026, 4), [(1, whole), (1, whole)]) == 0.0
