"""Times in the viewer's zone, durations, cutting and action ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cards.actions import case_action_id, form_action_id, parse_action_id
from bot.cards.format import cut, cut_marker, format_minutes, format_time
from bot.messages import CaseAction, FormKind


def test_times_show_in_the_viewers_zone_like_the_product_spec() -> None:
    at = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    assert format_time(at, "America/New_York") == "Tue 24 Nov 2026 14:00 EST"


def test_staff_also_see_utc() -> None:
    at = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    assert (
        format_time(at, "America/New_York", show_utc=True)
        == "Tue 24 Nov 2026 14:00 EST (19:00 UTC)"
    )


def test_utc_on_another_day_shows_the_date_too() -> None:
    at = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert (
        format_time(at, "America/New_York", show_utc=True)
        == "Tue 24 Nov 2026 22:00 EST (Wed 25 Nov 2026 03:00 UTC)"
    )


def test_cal_2_daylight_saving_time_uses_the_summer_abbreviation() -> None:
    at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert format_time(at, "America/New_York") == "Wed 01 Jul 2026 08:00 EDT"


def test_a_viewer_in_utc_is_not_shown_utc_twice() -> None:
    at = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    assert format_time(at, "UTC", show_utc=True) == "Tue 24 Nov 2026 19:00 UTC"


def test_naive_times_from_the_store_are_taken_as_utc_and_unknown_zones_fall_back_to_utc() -> None:
    naive = datetime(2026, 11, 24, 19, 0)
    assert format_time(naive, "America/New_York") == "Tue 24 Nov 2026 14:00 EST"
    assert format_time(naive, "Mars/Olympus") == "Tue 24 Nov 2026 19:00 UTC"


def test_durations_read_naturally() -> None:
    assert [format_minutes(m) for m in (0, 45, 60, 135)] == ["0 min", "45 min", "1 h", "2 h 15 min"]


def test_cut_keeps_short_text_and_marks_long_text() -> None:
    assert cut("short", 10) == "short"
    marker = cut_marker("0000001001")
    assert cut("x" * 100, 60, "0000001001") == "x" * (60 - len(marker)) + marker
    assert cut("abcdef", 3) == "ab…"
    with pytest.raises(ValueError, match="positive"):
        cut("x", 0)


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_cut_never_exceeds_its_limit(text: str, limit: int) -> None:
    result = cut(text, limit, "0000001001")
    assert len(result) <= limit
    assert result == text or result.endswith("…") or "(cut" in result


def test_action_ids_round_trip_for_the_adapters() -> None:
    for action in CaseAction:
        assert parse_action_id(case_action_id(action)) is action
    for kind in FormKind:
        assert parse_action_id(form_action_id(kind)) is kind
    assert case_action_id(CaseAction.UPDATE) == "case:update"
    assert form_action_id(FormKind.REPORT_INCIDENT) == "form:report_incident"
    assert parse_action_id("case:open") is None
    assert parse_action_id("form:bogus") is None
