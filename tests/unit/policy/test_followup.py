"""FUP-1..FUP-3: automatic follow-ups on cases waiting for the customer."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.model import Case, CaseEvent, Deployment, EventKind, Priority, Status, SubStatus
from bot.policy.config import FollowUpPolicy, PolicyConfig
from bot.policy.followup import (
    FollowUpStep,
    describe_days,
    follow_up_applies,
    follow_up_schedule,
    follow_up_started_at,
    pending_follow_up,
)
from tests.builders import account, case, event, utc

CONFIG = PolicyConfig()
THURSDAY = utc(2026, 7, 2, 19)  # 15:00 in New York; Fri 3 July is a US holiday


def test_fup_1_cloud_accounts_count_business_days_in_the_region() -> None:
    cloud = account(deployment=Deployment.CLOUD)
    assert follow_up_schedule(cloud, THURSDAY, CONFIG) == (
        (FollowUpStep.REMINDER_1, utc(2026, 7, 7, 19)),  # 26 business hours
        (FollowUpStep.REMINDER_2, utc(2026, 7, 10, 19)),  # 65
        (FollowUpStep.AUTO_CLOSE, utc(2026, 7, 17, 19)),  # 130
    )


def test_fup_1_on_premises_accounts_count_calendar_days() -> None:
    onprem = account(deployment=Deployment.ON_PREMISES)
    assert follow_up_schedule(onprem, THURSDAY, CONFIG) == (
        (FollowUpStep.REMINDER_1, THURSDAY + timedelta(days=2)),
        (FollowUpStep.REMINDER_2, THURSDAY + timedelta(days=5)),
        (FollowUpStep.AUTO_CLOSE, THURSDAY + timedelta(days=10)),
    )


def test_fup_1_days_and_the_business_day_choice_are_configurable() -> None:
    config = PolicyConfig(follow_up=FollowUpPolicy((1,), 3, frozenset({Deployment.ON_PREMISES})))
    onprem = account(deployment=Deployment.ON_PREMISES)
    assert follow_up_schedule(onprem, THURSDAY, config) == (
        (FollowUpStep.REMINDER_1, utc(2026, 7, 6, 19)),  # 13 business hours: Thu 6 + Mon 7
        (FollowUpStep.AUTO_CLOSE, utc(2026, 7, 8, 19)),  # 39
    )


def test_fup_2_no_follow_ups_on_critical_production_down() -> None:
    assert not follow_up_applies(case(priority=Priority.CRITICAL, production_down=True))
    assert follow_up_applies(case(priority=Priority.CRITICAL))
    assert follow_up_applies(case(priority=Priority.LOW))
    waiting = case(
        priority=Priority.CRITICAL,
        production_down=True,
        status=Status.AWAITING_INFORMATION,
        sub_status=SubStatus.INFORMATION_REQUIRED,
    )
    assert pending_follow_up(waiting, account(), CONFIG) is None


def _request(at_hours: int, status: Status = Status.AWAITING_INFORMATION) -> CaseEvent:
    waiting_sub = {
        Status.AWAITING_INFORMATION: SubStatus.INFORMATION_REQUIRED,
        Status.SOLUTION_PROPOSED: SubStatus.REPLIED,
    }
    sub = waiting_sub[status]
    return event(EventKind.STATUS_CHANGE, THURSDAY + timedelta(hours=at_hours), status, sub)


def test_fup_3_the_latest_request_restarts_the_timer() -> None:
    history = (
        event(EventKind.OPENED, THURSDAY),
        _request(1),
        event(EventKind.CUSTOMER_UPDATE, THURSDAY + timedelta(hours=5)),
        event(
            EventKind.STATUS_CHANGE,
            THURSDAY + timedelta(hours=5),
            Status.OPEN,
            SubStatus.CUSTOMER_RESPONDED,
        ),
        _request(30, Status.SOLUTION_PROPOSED),
    )
    waiting = case(status=Status.SOLUTION_PROPOSED, sub_status=SubStatus.REPLIED, events=history)
    assert follow_up_started_at(waiting) == THURSDAY + timedelta(hours=30)


def test_fup_3_no_timer_when_the_case_is_not_waiting() -> None:
    history = (event(EventKind.OPENED, THURSDAY), _request(1))
    assert follow_up_started_at(case(events=history)) is None


def _waiting(*history: CaseEvent) -> Case:
    return case(
        status=Status.AWAITING_INFORMATION,
        sub_status=SubStatus.INFORMATION_REQUIRED,
        events=history,
    )


def test_fup_1_reminders_sent_since_the_latest_request_advance_the_next_step() -> None:
    started = THURSDAY + timedelta(hours=1)
    onprem = account(deployment=Deployment.ON_PREMISES)
    old_reminder = event(EventKind.FOLLOW_UP, THURSDAY - timedelta(days=3))
    fresh = _waiting(old_reminder, _request(1))
    assert pending_follow_up(fresh, onprem, CONFIG) == (
        FollowUpStep.REMINDER_1,
        started + timedelta(days=2),
    )
    reminded = _waiting(_request(1), event(EventKind.FOLLOW_UP, started + timedelta(days=2)))
    assert pending_follow_up(reminded, onprem, CONFIG) == (
        FollowUpStep.REMINDER_2,
        started + timedelta(days=5),
    )
    twice = _waiting(
        _request(1),
        event(EventKind.FOLLOW_UP, started + timedelta(days=2)),
        event(EventKind.FOLLOW_UP, started + timedelta(days=5)),
    )
    assert pending_follow_up(twice, onprem, CONFIG) == (
        FollowUpStep.AUTO_CLOSE,
        started + timedelta(days=10),
    )


# Friday 30 October 2026, 10:00 EDT; New York leaves daylight saving on Sunday 1 November.
FRIDAY_EDT = utc(2026, 10, 30, 14)


def test_fup_1_on_premises_days_are_calendar_days_in_the_accounts_zone_across_a_dst_change() -> (
    None
):
    onprem = account(deployment=Deployment.ON_PREMISES)
    schedule = dict(follow_up_schedule(onprem, FRIDAY_EDT, CONFIG))
    # Sunday 1 November 10:00 EST (15:00 UTC), not 09:00 EST: 2 days keep the wall clock.
    assert schedule[FollowUpStep.REMINDER_1] == utc(2026, 11, 1, 15)
    assert schedule[FollowUpStep.REMINDER_2] == utc(2026, 11, 4, 15)
    assert schedule[FollowUpStep.AUTO_CLOSE] == utc(2026, 11, 9, 15)


def test_fup_1_calendar_days_follow_the_accounts_own_time_zone_when_it_has_one() -> None:
    # London leaves summer time on Sunday 25 October 2026; New York a week later.
    london = replace(account(deployment=Deployment.ON_PREMISES), timezone="Europe/London")
    friday_bst = utc(2026, 10, 23, 9)  # 10:00 in London
    schedule = dict(follow_up_schedule(london, friday_bst, CONFIG))
    assert schedule[FollowUpStep.REMINDER_1] == utc(2026, 10, 25, 10)  # Sunday 10:00 GMT


def test_fup_1_days_are_described_as_business_or_calendar_days() -> None:
    assert describe_days(10, account(deployment=Deployment.CLOUD), CONFIG) == "10 business days"
    assert describe_days(10, account(deployment=Deployment.ON_PREMISES), CONFIG) == (
        "10 calendar days"
    )
