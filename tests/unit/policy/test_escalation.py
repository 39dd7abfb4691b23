"""ESC-2..ESC-10: when a case may be escalated, and what each refusal suggests instead."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.model import Case, CaseEvent, EventKind, Priority, Status, SubStatus
from bot.policy.config import EscalationPolicy, PolicyConfig
from bot.policy.decision import Decision
from bot.policy.escalation import (
    ESCALATION_HEADER,
    alerts_staff,
    check_escalation,
    escalation_is_open,
    escalation_update_text,
    last_update_at,
)
from tests.builders import account, case, event, utc

CONFIG = PolicyConfig()


def escalate(
    target: Case,
    now: datetime,
    *,
    impact: str | None = "Month-end close is blocked for 40 users",
    open_escalation: bool = False,
    rca: bool = False,
    restored_at: datetime | None = None,
    config: PolicyConfig = CONFIG,
) -> Decision:
    return check_escalation(
        target, account(), open_escalation, rca, restored_at, impact, config, now
    )


def quiet_since(at: datetime, priority: Priority) -> Case:
    return case(
        priority=priority,
        opened_at=at - timedelta(days=1),
        events=(
            event(EventKind.OPENED, at - timedelta(days=1)),
            event(EventKind.STAFF_RESPONSE, at),  # support's last update (ESC-5/ESC-6)
            event(EventKind.WORK_NOTE, at + timedelta(hours=1)),  # internal: not an update
        ),
    )


def test_esc_2_closed_case_must_be_reopened_first() -> None:
    closed = case(status=Status.CLOSED, sub_status=SubStatus.RESOLVED)
    decision = escalate(closed, utc(2026, 4, 1))
    assert (decision.allowed, decision.rule) == (False, "ESC-2")
    assert "reopen 0000001001" in (decision.instead or "")


def test_esc_9_second_request_points_at_the_open_one() -> None:
    decision = escalate(case(priority=Priority.HIGH), utc(2026, 4, 1), open_escalation=True)
    assert (decision.allowed, decision.rule) == (False, "ESC-9")
    assert "already has an open escalation" in decision.reason


def test_esc_3_awaiting_information_suggests_posting_an_update() -> None:
    waiting = case(status=Status.AWAITING_INFORMATION, sub_status=SubStatus.INFORMATION_REQUIRED)
    decision = escalate(waiting, utc(2026, 4, 1))
    assert (decision.allowed, decision.rule) == (False, "ESC-3")
    assert "update 0000001001" in (decision.instead or "")


@pytest.mark.parametrize("priority", [Priority.CRITICAL, Priority.INCIDENT])
def test_esc_7_critical_goes_by_phone_and_alerts_the_queue(priority: Priority) -> None:
    decision = escalate(case(priority=priority, production_down=True), utc(2026, 4, 1))
    assert (decision.allowed, decision.rule) == (False, "ESC-7")
    assert "+1 800 555 0100" in decision.reason
    assert alerts_staff(decision)


def test_esc_4_low_priority_case_is_not_eligible() -> None:
    decision = escalate(case(priority=Priority.LOW), utc(2026, 4, 1))
    assert (decision.allowed, decision.rule) == (False, "ESC-4")
    assert decision.instead == "Ask for a priority change: `priority 0000001001 medium <reason>`."
    assert not alerts_staff(decision)


# Thursday 2 July 2026, 15:00 in New York; Friday 3 July is the observed US holiday, then a
# weekend. Business time: Thu 6 h + Mon 13 h + Tue 13 h + Wed 7 h = 39 h = 3 NA business days.
THURSDAY = utc(2026, 7, 2, 19)
THREE_DAYS_LATER = utc(2026, 7, 8, 19)  # Wednesday 15:00 in New York


def test_esc_5_medium_case_quiet_exactly_3_business_days_over_weekend_and_holiday_is_eligible() -> (
    None
):
    decision = escalate(quiet_since(THURSDAY, Priority.MEDIUM), THREE_DAYS_LATER)
    assert (decision.allowed, decision.rule) == (True, "ESC-5")


def test_esc_5_medium_case_one_minute_short_of_3_business_days_is_refused() -> None:
    now = THREE_DAYS_LATER - timedelta(minutes=1)
    decision = escalate(quiet_since(THURSDAY, Priority.MEDIUM), now)
    assert (decision.allowed, decision.rule) == (False, "ESC-5")
    assert "2026-07-08 15:00" in (decision.instead or "")  # when it becomes eligible, local time


ANSWERED = THREE_DAYS_LATER - timedelta(hours=1)


def test_esc_5_a_staff_response_restarts_the_quiet_period() -> None:
    target = quiet_since(THURSDAY, Priority.MEDIUM)
    answered = case(
        priority=Priority.MEDIUM,
        events=(
            *target.events,
            event(EventKind.STAFF_RESPONSE, THREE_DAYS_LATER - timedelta(hours=1)),
        ),
    )
    assert last_update_at(answered) == ANSWERED
    assert not escalate(answered, THREE_DAYS_LATER).allowed


def test_esc_6_high_case_quiet_exactly_24_hours_is_eligible() -> None:
    last = utc(2026, 4, 1, 10)
    decision = escalate(quiet_since(last, Priority.HIGH), last + timedelta(hours=24))
    assert (decision.allowed, decision.rule) == (True, "ESC-6")


def test_esc_6_high_case_quiet_just_under_24_hours_is_refused() -> None:
    last = utc(2026, 4, 1, 10)
    now = last + timedelta(hours=24) - timedelta(seconds=1)
    decision = escalate(quiet_since(last, Priority.HIGH), now)
    assert (decision.allowed, decision.rule) == (False, "ESC-6")
    assert "24 hours" in decision.reason


@pytest.mark.parametrize("impact", [None, "", "   "])
def test_esc_6_high_case_needs_the_business_impact(impact: str | None) -> None:
    last = utc(2026, 4, 1, 10)
    decision = escalate(quiet_since(last, Priority.HIGH), last + timedelta(days=2), impact=impact)
    assert (decision.allowed, decision.rule) == (False, "ESC-6")
    assert "--impact" in (decision.instead or "")


def test_esc_8_rca_escalation_waits_5_business_days_after_restoration() -> None:
    restored = utc(2026, 7, 2, 19)  # Thursday 15:00 New York, before a holiday and a weekend
    # 5 x 13 h = 65 h: Thu 6 + Mon 13 + Tue 13 + Wed 13 + Thu 13 = 58, Fri 7 h -> 10 July 15:00.
    opens = utc(2026, 7, 10, 19)
    critical = case(priority=Priority.CRITICAL, production_down=True)
    early = escalate(critical, opens - timedelta(minutes=1), rca=True, restored_at=restored)
    assert (early.allowed, early.rule) == (False, "ESC-8")
    on_time = escalate(critical, opens, rca=True, restored_at=restored)
    assert (on_time.allowed, on_time.rule) == (True, "ESC-8")


def test_esc_8_rca_before_restoration_is_refused() -> None:
    decision = escalate(case(priority=Priority.HIGH), utc(2026, 4, 1), rca=True)
    assert (decision.allowed, decision.rule) == (False, "ESC-8")


def test_esc_5_quiet_period_follows_the_config() -> None:
    config = PolicyConfig(escalation=EscalationPolicy(medium_quiet_business_days=1))
    # Thu 6 h + Mon 7 h = 13 h = 1 business day.
    decision = escalate(quiet_since(THURSDAY, Priority.MEDIUM), utc(2026, 7, 6, 19), config=config)
    assert decision.allowed


def test_esc_10_update_text_starts_with_escalation_request() -> None:
    text = escalation_update_text("No progress for a week", "40 users blocked")
    assert text.splitlines() == [
        ESCALATION_HEADER,
        "Reason: No progress for a week",
        "Impact: 40 users blocked",
    ]
    assert ESCALATION_HEADER == "Escalation Request"
    assert escalation_update_text("No progress", None).splitlines()[0] == "Escalation Request"


def test_esc_1_every_refusal_says_what_to_do_instead() -> None:
    cases = [
        case(status=Status.CLOSED, sub_status=SubStatus.RESOLVED),
        case(status=Status.AWAITING_INFORMATION, sub_status=SubStatus.INFORMATION_REQUIRED),
        case(priority=Priority.LOW),
        case(priority=Priority.CRITICAL),
        case(priority=Priority.MEDIUM),
        case(priority=Priority.HIGH),
    ]
    for target in cases:
        decision = escalate(target, target.opened_at + timedelta(hours=1))
        assert not decision.allowed
        assert decision.instead


def test_esc_9_an_escalation_is_open_until_rejected_or_the_case_closes() -> None:
    opened, asked = utc(2026, 3, 2, 14), utc(2026, 3, 3, 14)
    closed_at, reopened_at = utc(2026, 3, 4, 14), utc(2026, 3, 5, 14)
    running = case(opened_at=opened)
    assert escalation_is_open(running, asked, rejected=False)  # waiting or accepted
    assert not escalation_is_open(running, asked, rejected=True)
    closing = event(EventKind.CLOSED, closed_at, Status.CLOSED, SubStatus.RESOLVED)
    closed = case(
        opened_at=opened,
        status=Status.CLOSED,
        sub_status=SubStatus.RESOLVED,
        events=(event(EventKind.OPENED, opened), closing),
    )
    assert not escalation_is_open(closed, asked, rejected=False)
    reopening = event(EventKind.REOPENED, reopened_at, Status.OPEN, SubStatus.REOPEN_REQUESTED)
    reopened = case(opened_at=opened, events=(event(EventKind.OPENED, opened), closing, reopening))
    assert not escalation_is_open(reopened, asked, rejected=False)  # ended with the closing
    assert escalation_is_open(reopened, reopened_at + timedelta(hours=1), rejected=False)


SUPPORT_LAST = utc(2026, 4, 1, 10)


def high_case_answered_at(at: datetime, customer_after: timedelta | None) -> Case:
    """A High case support last answered at `at`; optionally the customer updated it later,
    with the bot's CASE-7 status change that follows such an update."""
    history = [
        event(EventKind.OPENED, at - timedelta(hours=2)),
        event(EventKind.STAFF_RESPONSE, at),
    ]
    if customer_after is not None:
        later = at + customer_after
        history.append(event(EventKind.CUSTOMER_UPDATE, later))
        history.append(
            CaseEvent(
                EventKind.STATUS_CHANGE,
                later,
                "system",
                status=Status.OPEN,
                sub_status=SubStatus.CUSTOMER_RESPONDED,
            )
        )
    return case(priority=Priority.HIGH, opened_at=at - timedelta(hours=2), events=tuple(history))


@pytest.mark.parametrize(
    "customer_after", [None, timedelta(hours=23)], ids=["no-customer-update", "customer-update"]
)
def test_esc_6_24_hours_after_supports_last_update_is_eligible_with_or_without_a_customer_update(
    customer_after: timedelta | None,
) -> None:
    target = high_case_answered_at(SUPPORT_LAST, customer_after)
    assert last_update_at(target) == SUPPORT_LAST
    decision = escalate(target, SUPPORT_LAST + timedelta(hours=24))
    assert (decision.allowed, decision.rule) == (True, "ESC-6")


@pytest.mark.parametrize(
    "customer_after", [None, timedelta(hours=23)], ids=["no-customer-update", "customer-update"]
)
def test_esc_6_a_second_short_of_24_hours_after_supports_last_update_is_refused(
    customer_after: timedelta | None,
) -> None:
    target = high_case_answered_at(SUPPORT_LAST, customer_after)
    decision = escalate(target, SUPPORT_LAST + timedelta(hours=24) - timedelta(seconds=1))
    assert (decision.allowed, decision.rule) == (False, "ESC-6")
    assert "support last updated case 0000001001 2026-04-01 06:00" in decision.reason
    assert "2026-04-02 06:00" in (
        decision.instead or ""
    )  # from support's update, not the customer's
    assert "do not restart the wait" in (decision.instead or "")


def test_esc_5_a_customer_update_does_not_restart_the_3_business_day_wait() -> None:
    answered = quiet_since(THURSDAY, Priority.MEDIUM)
    target = case(
        priority=Priority.MEDIUM,
        opened_at=answered.opened_at,
        events=(
            *answered.events,
            event(EventKind.CUSTOMER_UPDATE, THREE_DAYS_LATER - timedelta(hours=1)),
        ),
    )
    assert last_update_at(target) == THURSDAY
    decision = escalate(target, THREE_DAYS_LATER)
    assert (decision.allowed, decision.rule) == (True, "ESC-5")
