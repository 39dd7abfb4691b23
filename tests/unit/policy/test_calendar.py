"""CAL-1..CAL-3: business hours, holidays, closures, DST and the closing-time convention."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.policy.calendar import (
    BusinessCalendar,
    add_duration,
    calendar_for,
    duration_timedelta,
    measure,
)
from bot.policy.config import Duration, PolicyConfig, RegionCalendar, TimeUnit

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
H = timedelta(hours=1)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def test_cal_1_opening_instant_is_open_and_closing_instant_is_not(
    na_calendar: BusinessCalendar,
) -> None:
    assert na_calendar.is_open(ny(2026, 3, 2, 8))
    assert na_calendar.is_open(ny(2026, 3, 2, 20, 59, 59, 999999))
    assert not na_calendar.is_open(ny(2026, 3, 2, 21))
    assert not na_calendar.is_open(ny(2026, 3, 2, 7, 59, 59))


def test_cal_1_weekends_and_us_public_holidays_are_closed(na_calendar: BusinessCalendar) -> None:
    assert not na_calendar.is_open(ny(2026, 3, 7, 12))  # Saturday
    assert not na_calendar.is_open(ny(2026, 11, 26, 12))  # Thanksgiving
    assert not na_calendar.is_open(ny(2026, 7, 3, 12))  # Independence Day (observed), a Friday
    assert na_calendar.is_open(ny(2026, 11, 27, 12))  # the Friday after is a business day


def test_cal_1_emea_uses_the_england_holidays_not_scotland(default_policy: PolicyConfig) -> None:
    emea = calendar_for(default_policy, "EMEA")
    assert not emea.is_open(datetime(2026, 4, 6, 12, tzinfo=LONDON))  # Easter Monday (England)
    assert emea.is_open(datetime(2026, 11, 30, 12, tzinfo=LONDON))  # St Andrew's Day (Scotland)


def test_cal_1_closure_days_close_a_region(default_policy: PolicyConfig) -> None:
    region = replace(default_policy.region("NA"), closures=frozenset({date(2026, 3, 4)}))
    calendar = BusinessCalendar(region)
    assert not calendar.is_open(ny(2026, 3, 4, 12))
    assert calendar.add(ny(2026, 3, 3, 20), 2 * H) == ny(2026, 3, 5, 9).astimezone(UTC)


def test_cal_1_next_open_is_the_instant_itself_when_open(na_calendar: BusinessCalendar) -> None:
    at = ny(2026, 3, 2, 10, 30)
    assert na_calendar.next_open(at) == at.astimezone(UTC)
    assert na_calendar.next_open(at).tzinfo is UTC


def test_cal_1_next_open_from_closing_time_is_the_next_business_morning(
    na_calendar: BusinessCalendar,
) -> None:
    assert na_calendar.next_open(ny(2026, 3, 6, 21)) == ny(2026, 3, 9, 8).astimezone(UTC)
    assert na_calendar.next_open(ny(2026, 12, 31, 22)) == ny(2027, 1, 4, 8).astimezone(UTC)


@pytest.mark.parametrize(
    ("region", "zone", "opens", "closes"),
    [
        ("NA", "America/New_York", 8, 21),
        ("LATAM", "America/Sao_Paulo", 8, 20),
        ("EMEA", "Europe/London", 8, 19),
        ("APAC", "Australia/Brisbane", 8, 18),
        ("INDIA", "Asia/Kolkata", 8, 17),
        ("JAPAN", "Asia/Tokyo", 9, 18),
    ],
)
def test_cal_1_one_business_day_from_opening_ends_at_closing_in_every_region(
    default_policy: PolicyConfig, region: str, zone: str, opens: int, closes: int
) -> None:
    tz = ZoneInfo(zone)
    monday = datetime(2026, 6, 8, opens, tzinfo=tz)  # no public holiday in any region
    due = add_duration(default_policy, region, monday, Duration(1, TimeUnit.BUSINESS_DAYS))
    assert due == datetime(2026, 6, 8, closes, tzinfo=tz).astimezone(UTC)


def test_cal_2_one_business_day_in_na_is_thirteen_business_hours(
    default_policy: PolicyConfig,
) -> None:
    one_day = Duration(1, TimeUnit.BUSINESS_DAYS)
    assert duration_timedelta(default_policy, "NA", one_day) == 13 * H
    assert duration_timedelta(default_policy, "JAPAN", one_day) == 9 * H
    start = ny(2026, 3, 3, 15)
    thirteen = Duration(13, TimeUnit.BUSINESS_HOURS)
    assert add_duration(default_policy, "NA", start, one_day) == add_duration(
        default_policy, "NA", start, thirteen
    )


def test_cal_2_a_target_ending_exactly_at_closing_is_due_at_closing(
    na_calendar: BusinessCalendar,
) -> None:
    assert na_calendar.add(ny(2026, 3, 2, 17), 4 * H) == ny(2026, 3, 2, 21).astimezone(UTC)
    # From closing time itself the count starts at the next opening.
    assert na_calendar.add(ny(2026, 3, 2, 21), 4 * H) == ny(2026, 3, 3, 12).astimezone(UTC)


def test_cal_2_a_start_on_saturday_counts_from_monday_opening(
    na_calendar: BusinessCalendar,
) -> None:
    assert na_calendar.add(ny(2026, 3, 7, 10), H) == ny(2026, 3, 9, 9).astimezone(UTC)


def test_cal_2_a_start_on_a_holiday_counts_from_the_next_business_day(
    na_calendar: BusinessCalendar,
) -> None:
    # 2026-07-03 is Independence Day (observed); the weekend follows.
    assert na_calendar.add(ny(2026, 7, 3, 10), H) == ny(2026, 7, 6, 9).astimezone(UTC)


def test_cal_2_a_holiday_eve_late_afternoon_carries_over_the_holiday(
    na_calendar: BusinessCalendar,
) -> None:
    # Wednesday before Thanksgiving, 30 minutes before closing: 30 min then, 30 min on Friday.
    due = na_calendar.add(ny(2026, 11, 25, 20, 30), H)
    assert due == ny(2026, 11, 27, 8, 30).astimezone(UTC)
    assert na_calendar.between(ny(2026, 11, 25, 20, 30), due) == H


def test_cal_2_add_of_zero_returns_the_start_even_when_closed(
    na_calendar: BusinessCalendar,
) -> None:
    saturday = ny(2026, 3, 7, 10)
    assert na_calendar.add(saturday, timedelta(0)) == saturday.astimezone(UTC)


def test_cal_2_between_is_zero_when_the_end_is_not_after_the_start(
    na_calendar: BusinessCalendar,
) -> None:
    at = ny(2026, 3, 3, 10)
    assert na_calendar.between(at, at) == timedelta(0)
    assert na_calendar.between(at + H, at) == timedelta(0)


def test_cal_2_naive_datetimes_and_negative_durations_are_rejected(
    na_calendar: BusinessCalendar, default_policy: PolicyConfig
) -> None:
    naive = datetime(2026, 3, 3, 10)
    with pytest.raises(ValueError, match="naive"):
        na_calendar.is_open(naive)
    with pytest.raises(ValueError, match="naive"):
        na_calendar.next_open(naive)
    with pytest.raises(ValueError, match="naive"):
        na_calendar.add(naive, H)
    with pytest.raises(ValueError, match="naive"):
        na_calendar.between(naive, ny(2026, 3, 4))
    with pytest.raises(ValueError, match="naive"):
        add_duration(default_policy, "NA", naive, Duration(1, TimeUnit.HOURS))
    with pytest.raises(ValueError, match="negative"):
        na_calendar.add(ny(2026, 3, 3, 10), -H)


def test_cal_2_na_spring_forward_weekend_keeps_wall_clock_hours(
    na_calendar: BusinessCalendar,
) -> None:
    # 2026-03-08 (Sunday): EST -> EDT. Friday 20:00 EST + 2 bh = Monday 09:00 EDT (13:00 UTC).
    due = na_calendar.add(ny(2026, 3, 6, 20), 2 * H)
    assert due == datetime(2026, 3, 9, 13, tzinfo=UTC)
    assert na_calendar.between(ny(2026, 3, 6, 8), ny(2026, 3, 9, 8)) == 13 * H


def test_cal_2_na_fall_back_weekend_keeps_wall_clock_hours(na_calendar: BusinessCalendar) -> None:
    # 2026-11-01 (Sunday): EDT -> EST. Friday 20:00 EDT + 2 bh = Monday 09:00 EST (14:00 UTC).
    assert na_calendar.add(ny(2026, 10, 30, 20), 2 * H) == datetime(2026, 11, 2, 14, tzinfo=UTC)


def test_cal_2_emea_dst_weekends_keep_wall_clock_hours(default_policy: PolicyConfig) -> None:
    emea = calendar_for(default_policy, "EMEA")
    # 2026-03-29: GMT -> BST; 2026-10-25: BST -> GMT.
    spring = emea.add(datetime(2026, 3, 27, 18, 30, tzinfo=LONDON), H)
    assert spring == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)  # 08:30 BST
    autumn = emea.add(datetime(2026, 10, 23, 18, 30, tzinfo=LONDON), H)
    assert autumn == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # 08:30 GMT


def test_cal_2_latam_zone_data_has_no_dst_in_2026_to_2028(default_policy: PolicyConfig) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    offsets = {
        (start + timedelta(hours=h)).astimezone(SAO_PAULO).utcoffset()
        for h in range(0, 3 * 366 * 24, 3)
    }
    assert offsets == {timedelta(hours=-3)}
    latam = calendar_for(default_policy, "LATAM")
    for month in (1, 7, 10, 12):
        monday = datetime(2026, month, 1, tzinfo=UTC)
        monday = latam.next_open(monday)
        assert monday.astimezone(SAO_PAULO).time() == time(8)
        assert monday.time() == time(11)


def test_cal_2_a_business_day_on_a_dst_change_day_is_still_opens_to_closes_wall_clock() -> None:
    # A 7-day region open 01:00-04:00 in New York: the spring-forward day loses an hour of real
    # time, the fall-back day gains one, yet both open and close at the same wall-clock times.
    region = RegionCalendar(
        "NIGHT", time(1), time(4), "America/New_York", None, workdays=frozenset(range(7))
    )
    calendar = BusinessCalendar(region)
    spring = calendar.between(ny(2026, 3, 8, 0), ny(2026, 3, 8, 5))
    autumn = calendar.between(ny(2026, 11, 1, 0), ny(2026, 11, 1, 5))
    assert (spring, autumn) == (2 * H, 4 * H)
    assert calendar.add(ny(2026, 3, 8, 1), 2 * H) == ny(2026, 3, 8, 4).astimezone(UTC)


def test_cal_2_long_spans_are_exact_and_consistent(na_calendar: BusinessCalendar) -> None:
    start = ny(2026, 1, 2, 9, 15, 30, 123456)
    far = na_calendar.add(start, 1000 * 13 * H)
    assert na_calendar.between(start, far) == 1000 * 13 * H
    stepped = start
    for _ in range(10):
        stepped = na_calendar.add(stepped, 100 * 13 * H)
    assert stepped == far
    # Backwards in time from the first built year works too.
    assert na_calendar.between(ny(2019, 1, 1), ny(2026, 1, 1)) > 1700 * 13 * H


def test_cal_3_calendar_units_run_24x7_in_absolute_time(default_policy: PolicyConfig) -> None:
    saturday = ny(2026, 3, 7, 12)
    minutes = add_duration(default_policy, "NA", saturday, Duration(60, TimeUnit.MINUTES))
    assert minutes == ny(2026, 3, 7, 13).astimezone(UTC)
    # Across spring-forward, 24 hours are 24 real hours: 13:00 EDT on Sunday, not 12:00.
    day = add_duration(default_policy, "NA", saturday, Duration(24, TimeUnit.HOURS))
    assert day == ny(2026, 3, 8, 13).astimezone(UTC)
    assert measure(default_policy, "NA", saturday, day, unit_is_business=False) == 24 * H
    assert measure(default_policy, "NA", saturday, day, unit_is_business=True) == timedelta(0)


def test_cal_1_calendars_are_cached_per_config_and_region(default_policy: PolicyConfig) -> None:
    assert calendar_for(default_policy, "NA") is calendar_for(default_policy, "NA")
    assert calendar_for(default_policy, "NA") is not calendar_for(default_policy, "EMEA")
    with pytest.raises(KeyError, match="unknown support region"):
        calendar_for(default_policy, "MARS")


def test_cal_1_overnight_or_empty_hours_are_rejected(default_policy: PolicyConfig) -> None:
    na = default_policy.region("NA")
    with pytest.raises(ValueError, match="before closing"):
        BusinessCalendar(replace(na, opens=time(21), closes=time(8)))
    with pytest.raises(ValueError, match="workdays"):
        BusinessCalendar(replace(na, workdays=frozenset()))
