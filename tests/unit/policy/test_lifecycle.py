"""CASE-6, CASE-7, CASE-8: statuses, customer updates, closing and the survey window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.model import Status, SubStatus
from bot.policy.config import PolicyConfig
from bot.policy.lifecycle import (
    SUB_STATUSES,
    StatusError,
    after_customer_update,
    check_customer_close,
    check_set_status,
    close_sub_status,
    is_valid,
    parse_status,
    survey_open,
)
from tests.builders import case, utc

CONFIG = PolicyConfig()


def test_case_6_every_sub_status_belongs_to_exactly_one_status() -> None:
    owners = [s for subs in SUB_STATUSES.values() for s in subs]
    assert sorted(owners) == sorted(SubStatus)
    assert is_valid(Status.OPEN, SubStatus.INVESTIGATION)
    assert not is_valid(Status.OPEN, SubStatus.RESOLVED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Open/Investigation", (Status.OPEN, SubStatus.INVESTIGATION)),
        ("open / investigation", (Status.OPEN, SubStatus.INVESTIGATION)),
        ("awaiting information", (Status.AWAITING_INFORMATION, None)),
        ("AWAITING_INFORMATION", (Status.AWAITING_INFORMATION, None)),
        (
            "Solution Proposed/fixed - software provided",
            (Status.SOLUTION_PROPOSED, SubStatus.FIXED_SOFTWARE_PROVIDED),
        ),
        ("closed/working as designed", (Status.CLOSED, SubStatus.WORKING_AS_DESIGNED)),
        ("Third Party Pending", (Status.OPEN, SubStatus.THIRD_PARTY_PENDING)),
    ],
)
def test_case_6_parse_status_accepts_pairs_statuses_and_sub_statuses_in_any_case(
    text: str, expected: tuple[Status, SubStatus | None]
) -> None:
    assert parse_status(text) == expected


@pytest.mark.parametrize("text", ["Pending", "Open/Resolved", "Closed/Nope", "", "Investigation/x"])
def test_case_6_parse_status_rejects_unknown_or_mismatched_text(text: str) -> None:
    with pytest.raises(StatusError):
        parse_status(text)


def test_case_6_set_status_needs_a_sub_status_when_the_status_has_several() -> None:
    decision = check_set_status(case(), Status.CLOSED, None)
    assert (decision.allowed, decision.rule) == (False, "CASE-6")
    assert "Resolved" in decision.reason
    assert check_set_status(case(), Status.AWAITING_INFORMATION, None).allowed


def test_case_6_set_status_refuses_the_current_pair_and_mismatches() -> None:
    current = case(status=Status.OPEN, sub_status=SubStatus.INVESTIGATION)
    assert not check_set_status(current, Status.OPEN, SubStatus.INVESTIGATION).allowed
    assert not check_set_status(current, Status.OPEN, SubStatus.RESOLVED).allowed
    assert check_set_status(current, Status.OPEN, SubStatus.ENGINEERING_REQUEST).allowed


def test_case_6_staff_may_not_set_no_response_which_only_the_follow_up_job_sets() -> None:
    decision = check_set_status(case(), Status.CLOSED, SubStatus.NO_RESPONSE)
    assert (decision.allowed, decision.rule) == (False, "FUP-1")
    assert "Closed/Resolved" in (decision.instead or "")


def test_case_6_staff_may_move_a_closed_case_back_to_open() -> None:
    closed = case(status=Status.CLOSED, sub_status=SubStatus.NO_RESPONSE)
    assert check_set_status(closed, Status.OPEN, SubStatus.REOPEN_REQUESTED).allowed


@pytest.mark.parametrize("status", [Status.AWAITING_INFORMATION, Status.SOLUTION_PROPOSED])
def test_case_7_customer_update_on_a_waiting_case_moves_it_to_customer_responded(
    status: Status,
) -> None:
    waiting = case(status=status, sub_status=SUB_STATUSES[status][0])
    assert after_customer_update(waiting) == (Status.OPEN, SubStatus.CUSTOMER_RESPONDED)


def test_case_7_customer_update_on_an_open_case_leaves_the_status_alone() -> None:
    assert after_customer_update(case(status=Status.OPEN, sub_status=SubStatus.NEW)) is None


@pytest.mark.parametrize(
    ("choice", "sub"),
    [("resolved", SubStatus.RESOLVED), ("Cancelled", SubStatus.CANCELLED)],
)
def test_case_8_customer_closes_as_resolved_or_cancelled(choice: str, sub: SubStatus) -> None:
    assert check_customer_close(case(), choice).allowed
    assert close_sub_status(choice) is sub


def test_case_8_customer_cannot_close_with_other_sub_statuses_or_twice() -> None:
    decision = check_customer_close(case(), "duplicate")
    assert (decision.allowed, decision.rule) == (False, "CASE-8")
    assert "close 0000001001 resolved" in (decision.instead or "")
    closed = case(status=Status.CLOSED, sub_status=SubStatus.RESOLVED)
    assert not check_customer_close(closed, "resolved").allowed
    with pytest.raises(StatusError):
        close_sub_status("duplicate")


def test_case_8_survey_can_be_answered_for_60_days_after_closing() -> None:
    closed_at = utc(2026, 3, 2, 14)
    assert survey_open(closed_at, closed_at + timedelta(days=60), CONFIG).allowed
    late = survey_open(closed_at, closed_at + timedelta(days=60, seconds=1), CONFIG)
    assert (late.allowed, late.rule) == (False, "CASE-8")
    assert not survey_open(None, closed_at, CONFIG).allowed
