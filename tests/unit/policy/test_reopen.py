"""REO-1..REO-3: reopening closed cases."""

from __future__ import annotations

from datetime import timedelta

from bot.model import Case, Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.policy.reopen import check_reopen
from tests.builders import account, case, utc

CONFIG = PolicyConfig()
CLOSED_AT = utc(2026, 3, 2, 15)
REASON = "The nightly reports still time out after applying the fix you sent us yesterday."


def closed(sub: SubStatus = SubStatus.RESOLVED) -> Case:
    return case(status=Status.CLOSED, sub_status=sub, closed_at=CLOSED_AT, updated_at=CLOSED_AT)


def test_reo_1_case_closed_30_days_minus_a_second_ago_may_be_reopened() -> None:
    now = CLOSED_AT + timedelta(days=30) - timedelta(seconds=1)
    decision = check_reopen(closed(), account(), REASON, CONFIG, now)
    assert (decision.allowed, decision.rule) == (True, "REO-1")


def test_reo_2_case_closed_exactly_30_days_ago_is_refused_with_a_new_case_offer() -> None:
    decision = check_reopen(closed(), account(), REASON, CONFIG, CLOSED_AT + timedelta(days=30))
    assert (decision.allowed, decision.rule) == (False, "REO-2")
    assert "less than 30 days" in decision.reason
    assert "new case" in (decision.instead or "")
    assert "0000001001" in (decision.instead or "")


def test_reo_2_case_closed_a_moment_more_than_30_days_ago_is_refused() -> None:
    now = CLOSED_AT + timedelta(days=30, minutes=1)
    assert check_reopen(closed(), account(), REASON, CONFIG, now).rule == "REO-2"


def test_reo_2_day_31_is_refused() -> None:
    decision = check_reopen(closed(), account(), REASON, CONFIG, CLOSED_AT + timedelta(days=31))
    assert decision.rule == "REO-2"


def test_reo_1_reason_needs_at_least_ten_words() -> None:
    nine = "one two three four five six seven eight nine"
    decision = check_reopen(closed(), account(), nine, CONFIG, CLOSED_AT + timedelta(days=1))
    assert (decision.allowed, decision.rule) == (False, "REO-1")
    assert "9" in decision.reason
    ten = nine + " ten"
    assert check_reopen(closed(), account(), ten, CONFIG, CLOSED_AT + timedelta(days=1)).allowed


def test_reo_1_only_closed_cases_can_be_reopened() -> None:
    decision = check_reopen(case(), account(), REASON, CONFIG, CLOSED_AT)
    assert (decision.allowed, decision.rule) == (False, "REO-1")
    assert "update 0000001001" in (decision.instead or "")


def test_reo_3_no_response_cases_reopen_only_by_phone_with_the_region_number() -> None:
    decision = check_reopen(
        closed(SubStatus.NO_RESPONSE), account(region="EMEA"), REASON, CONFIG, CLOSED_AT
    )
    assert (decision.allowed, decision.rule) == (False, "REO-3")
    assert "+44 20 5555 0100" in (decision.instead or "")


def test_reo_1_window_follows_the_config() -> None:
    config = PolicyConfig(reopen_window_days=7)
    now = CLOSED_AT + timedelta(days=8)
    assert check_reopen(closed(), account(), REASON, config, now).rule == "REO-2"
