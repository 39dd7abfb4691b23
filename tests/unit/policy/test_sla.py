"""SLA-1..SLA-6: targets, clocks from case history, warnings and attainment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.messages import SlaTimer, TimerState
from bot.model import (
    Account,
    CareLevel,
    Case,
    CaseEvent,
    Deployment,
    EventKind,
    Priority,
    Stage,
    Status,
    SubStatus,
)
from bot.policy.calendar import calendar_for
from bot.policy.config import Duration, PolicyConfig, TimeUnit
from bot.policy.sla import (
    Attainment,
    DueInstant,
    SlaClocks,
    attainment,
    clocks,
    next_due_instants,
    target_for,
    to_timers,
)

CONFIG = PolicyConfig()
NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)
OPENED = datetime(2026, 2, 2, 10, tzinfo=NY)  # Monday 10:00 EST; no US holiday that week


def ny(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    """An instant in New York in February 2026 (EST), as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=NY).astimezone(UTC)


def account(
    deployment: Deployment = Deployment.ON_PREMISES, care_level: CareLevel = CareLevel.BUSINESS
) -> Account:
    return Account(
        "acme", "Acme", "Acme", False, deployment, care_level, "NA", date(2026, 1, 1),
        date(2027, 12, 31),
    )  # fmt: skip


def ev(kind: EventKind, at: datetime, **fields: object) -> CaseEvent:
    return CaseEvent(kind, at, "someone@acme.example", **fields)  # type: ignore[arg-type]


def opened(
    at: datetime = OPENED, priority: Priority = Priority.HIGH, down: bool = False
) -> CaseEvent:
    return ev(EventKind.OPENED, at, status=Status.OPEN, priority=priority, production_down=down)


def status(at: datetime, new: Status) -> CaseEvent:
    return ev(EventKind.STATUS_CHANGE, at, status=new)


def case(*events: CaseEvent, priority: Priority = Priority.HIGH, at: datetime = OPENED) -> Case:
    return Case(
        number=1001, account_id="acme", summary="s", description="d", priority=priority,
        case_type="Problem", case_subtype="Other", stage=Stage.PRODUCTION, status=Status.OPEN,
        sub_status=SubStatus.NEW, opened_by="alice@acme.example", opened_at=at, updated_at=at,
        events=events,
    )  # fmt: skip


def clocks_at(now: datetime, *events: CaseEvent, acct: Account | None = None) -> SlaClocks:
    return clocks(case(*events), acct or account(), CONFIG, now)


# -- SLA-1..SLA-3: targets --------------------------------------------------------------------


def test_sla_1_on_premises_business_care_targets() -> None:
    acct = account()
    high = target_for(CONFIG, acct, Priority.HIGH, False)
    assert (high.response, high.resolution) == (
        Duration(4, TimeUnit.BUSINESS_HOURS),
        Duration(2, TimeUnit.BUSINESS_DAYS),
    )
    down = target_for(CONFIG, acct, Priority.CRITICAL, True)
    assert (down.response, down.resolution) == (
        Duration(60, TimeUnit.MINUTES),
        Duration(4, TimeUnit.HOURS),
    )
    assert down.resolution_is_restoration
    low = target_for(CONFIG, acct, Priority.LOW, False)
    assert low.resolution == Duration(10, TimeUnit.BUSINESS_DAYS)


@pytest.mark.parametrize("care", [CareLevel.BUSINESS_PLUS, CareLevel.PREMIUM])
def test_sla_2_enhanced_care_has_faster_responses_and_the_same_resolutions(
    care: CareLevel,
) -> None:
    acct = account(care_level=care)
    assert target_for(CONFIG, acct, Priority.CRITICAL, False).response == Duration(
        30, TimeUnit.MINUTES
    )
    assert target_for(CONFIG, acct, Priority.HIGH, False).response == Duration(
        2, TimeUnit.BUSINESS_HOURS
    )
    assert target_for(CONFIG, acct, Priority.MEDIUM, False).response == Duration(
        4, TimeUnit.BUSINESS_HOURS
    )
    assert target_for(CONFIG, acct, Priority.MEDIUM, False).resolution == Duration(
        5, TimeUnit.BUSINESS_DAYS
    )


def test_sla_3_cloud_critical_from_chat_gets_a_30_minute_response_and_incidents_restore_in_15() -> (
    None
):
    cloud = account(Deployment.CLOUD)
    critical = target_for(CONFIG, cloud, Priority.CRITICAL, False)
    assert (critical.response, critical.resolution) == (
        Duration(30, TimeUnit.MINUTES),
        Duration(24, TimeUnit.HOURS),
    )
    incident = target_for(CONFIG, cloud, Priority.INCIDENT, False)
    assert (incident.response, incident.resolution) == (None, Duration(15, TimeUnit.MINUTES))
    with pytest.raises(ValueError, match="no SLA target"):
        target_for(CONFIG, account(), Priority.INCIDENT, False)


# -- SLA-4: clocks ------------------------------------------------------------------------------


def test_sla_4_a_new_high_case_runs_both_clocks_in_business_time() -> None:
    result = clocks_at(ny(2, 11), opened())
    assert result.response is not None
    assert result.resolution is not None
    assert result.response.state is TimerState.RUNNING
    assert result.response.due_at == ny(2, 14)
    assert result.response.elapsed == H
    # 2 business days = 26 h: Monday 10-21, Tuesday 8-21, Wednesday 8-10.
    assert result.resolution.due_at == ny(4, 10)
    assert result.resolution.started_at == ny(2, 10)
    assert result.response.counting
    assert result.resolution.counting


def test_sla_4_the_first_staff_response_stops_the_response_clock_in_time() -> None:
    result = clocks_at(ny(2, 13), opened(), ev(EventKind.STAFF_RESPONSE, ny(2, 12)))
    assert result.response is not None
    assert (result.response.state, result.response.met_at, result.response.late) == (
        TimerState.MET,
        ny(2, 12),
        False,
    )
    assert result.response.due_at is None
    assert not result.response.counting


def test_sla_4_a_late_staff_response_is_met_late_and_breached() -> None:
    result = clocks_at(ny(2, 16), opened(), ev(EventKind.STAFF_RESPONSE, ny(2, 15)))
    assert result.response is not None
    assert (result.response.state, result.response.late) == (TimerState.BREACHED, True)
    assert (result.response.met_at, result.response.due_at) == (ny(2, 15), ny(2, 14))


def test_sla_4_a_work_note_or_customer_update_does_not_stop_or_pause_a_clock() -> None:
    result = clocks_at(
        ny(2, 12),
        opened(),
        ev(EventKind.WORK_NOTE, ny(2, 11)),
        ev(EventKind.CUSTOMER_UPDATE, ny(2, 11, 30)),
    )
    assert result.response is not None
    assert result.resolution is not None
    assert (result.response.state, result.resolution.state) == (
        TimerState.RUNNING,
        TimerState.RUNNING,
    )


def test_sla_4_awaiting_information_pauses_resolution_with_no_due_time() -> None:
    history = (
        opened(),
        ev(EventKind.STAFF_RESPONSE, ny(2, 11)),
        status(ny(2, 12), Status.AWAITING_INFORMATION),
    )
    result = clocks_at(ny(2, 15), *history)
    assert result.resolution is not None
    assert result.resolution.state is TimerState.PAUSED
    assert result.resolution.due_at is None
    assert not result.resolution.counting
    assert (result.resolution.elapsed, result.resolution.paused) == (2 * H, 3 * H)
    assert result.resolution.warnings == ()


def test_sla_4_pause_and_resume_moves_the_due_time_by_exactly_the_paused_business_time() -> None:
    history = (
        opened(),
        ev(EventKind.STAFF_RESPONSE, ny(2, 11)),
        status(ny(2, 12), Status.SOLUTION_PROPOSED),
        ev(EventKind.CUSTOMER_UPDATE, ny(3, 9)),
        status(ny(3, 9), Status.OPEN),  # CASE-7: the update's own status change
    )
    result = clocks_at(ny(3, 10), *history)
    assert result.resolution is not None
    # Paused Monday 12-21 and Tuesday 8-9: 10 business hours; Wednesday 10:00 becomes 20:00.
    assert result.resolution.paused == 10 * H
    assert result.resolution.due_at == ny(4, 20)
    assert result.resolution.state is TimerState.RUNNING


def test_sla_4_a_priority_change_recomputes_due_times_from_the_whole_history() -> None:
    medium = clocks_at(ny(2, 11), opened(priority=Priority.MEDIUM))
    assert medium.response is not None
    assert medium.response.due_at == ny(3, 10)
    raised = clocks_at(
        ny(2, 12),
        opened(priority=Priority.MEDIUM),
        ev(EventKind.PRIORITY_CHANGE, ny(2, 11), priority=Priority.HIGH),
    )
    assert raised.response is not None
    assert raised.resolution is not None
    assert raised.response.due_at == ny(2, 14)  # 4 business hours from the opening
    assert raised.resolution.due_at == ny(4, 10)
    assert raised.response.duration == Duration(4, TimeUnit.BUSINESS_HOURS)


def test_sla_4_a_raise_to_critical_production_down_switches_to_24x7_restoration() -> None:
    result = clocks_at(
        ny(2, 11),
        opened(),
        ev(
            EventKind.PRIORITY_CHANGE,
            ny(2, 10, 30),
            priority=Priority.CRITICAL,
            production_down=True,
        ),
    )
    assert result.resolution is not None
    assert result.response is not None
    assert (result.resolution.label, result.resolution.name) == ("restoration", "resolution")
    assert result.resolution.due_at == ny(2, 14)  # 4 h from the opening, 24x7
    assert result.response.due_at == ny(2, 11)


def test_sla_4_reopening_starts_a_new_response_target_and_resumes_resolution() -> None:
    history = (
        opened(),
        ev(EventKind.STAFF_RESPONSE, ny(2, 11)),
        ev(EventKind.CLOSED, ny(2, 15), status=Status.CLOSED, sub_status=SubStatus.RESOLVED),
        ev(
            EventKind.REOPENED, ny(3, 10), status=Status.OPEN, sub_status=SubStatus.REOPEN_REQUESTED
        ),
    )
    closed = clocks_at(ny(2, 16), *history[:3])
    assert closed.resolution is not None
    assert (closed.resolution.state, closed.resolution.met_at) == (TimerState.MET, ny(2, 15))
    reopened = clocks_at(ny(3, 11), *history)
    assert reopened.response is not None
    assert reopened.resolution is not None
    assert reopened.response.started_at == ny(3, 10)
    assert reopened.response.state is TimerState.RUNNING
    assert reopened.response.due_at == ny(3, 14)
    # 5 h ran before closing; 21 h remain from Tuesday 10:00: Tuesday 11 h, Wednesday 10 h.
    assert reopened.resolution.elapsed == 6 * H
    assert reopened.resolution.due_at == ny(4, 18)
    assert reopened.resolution.met_at is None


def test_sla_4_a_reopen_needs_its_own_restoration_the_earlier_one_stopped_only_its_cycle() -> None:
    # Production Down (24x7, 4 h restoration): restored at 10:00, closed at 10:30, reopened at
    # 13:00 because it is down again. The earlier restoration met the first cycle's target; the
    # reopened case's restoration clock runs on (1.5 h used before closing) until a new one.
    down: dict[str, object] = {"priority": Priority.CRITICAL, "production_down": True}
    history = (
        ev(EventKind.OPENED, ny(2, 9), status=Status.OPEN, **down),
        ev(EventKind.STAFF_RESPONSE, ny(2, 9, 30)),
        ev(EventKind.RESTORED, ny(2, 10)),
        ev(EventKind.CLOSED, ny(2, 10, 30), status=Status.CLOSED, sub_status=SubStatus.RESOLVED),
        ev(
            EventKind.REOPENED, ny(2, 13), status=Status.OPEN, sub_status=SubStatus.REOPEN_REQUESTED
        ),
    )
    before = clocks_at(ny(2, 12), *history[:4])
    assert before.resolution is not None and before.resolution.label == "restoration"
    assert (before.resolution.state, before.resolution.met_at) == (TimerState.MET, ny(2, 10))
    after = clocks_at(ny(2, 14), *history)
    assert after.resolution is not None
    assert after.resolution.state is TimerState.RUNNING and after.resolution.met_at is None
    assert after.resolution.due_at == ny(2, 15, 30)  # 1.5 h + 1 h used, 1.5 h left
    restored_again = clocks_at(ny(2, 15), *history, ev(EventKind.RESTORED, ny(2, 14, 30)))
    assert restored_again.resolution is not None
    assert restored_again.resolution.met_at == ny(2, 14, 30)


def test_sla_4_closing_without_a_response_stops_the_response_clock() -> None:
    closed = ev(EventKind.CLOSED, ny(2, 11), status=Status.CLOSED, sub_status=SubStatus.CANCELLED)
    result = clocks_at(ny(2, 12), opened(), closed)
    assert result.response is not None
    assert result.resolution is not None
    assert result.response.state is TimerState.STOPPED
    assert result.response.met_at is None
    assert result.resolution.state is TimerState.MET
    assert next_due_instants(result) == []


def test_sla_4_events_after_now_are_not_history_yet() -> None:
    result = clocks_at(ny(2, 11), opened(), ev(EventKind.STAFF_RESPONSE, ny(2, 12)))
    assert result.response is not None
    assert result.response.state is TimerState.RUNNING


def test_sla_4_a_case_without_events_opens_at_its_opened_at() -> None:
    result = clocks(case(priority=Priority.HIGH, at=ny(2, 10)), account(), CONFIG, ny(2, 11))
    assert result.response is not None
    assert result.response.due_at == ny(2, 14)


def test_sla_4_critical_runs_24x7_from_a_saturday() -> None:
    saturday = datetime(2026, 2, 7, 10, tzinfo=NY)
    result = clocks_at(saturday + H / 2, opened(saturday, Priority.CRITICAL))
    assert result.response is not None
    assert result.resolution is not None
    assert result.response.due_at == saturday + H
    assert result.resolution.due_at == saturday + 24 * H
    assert result.response.elapsed == H / 2


def test_sla_4_business_clocks_keep_wall_clock_hours_across_dst() -> None:
    friday = datetime(2026, 3, 6, 20, tzinfo=NY)  # NA springs forward on Sunday 2026-03-08
    result = clocks_at(friday + H / 2, opened(friday))
    assert result.response is not None
    assert result.response.due_at == datetime(2026, 3, 9, 11, tzinfo=NY)  # 11:00 EDT


def test_sla_4_a_cloud_incident_has_no_response_clock() -> None:
    result = clocks_at(
        ny(2, 10, 5), opened(priority=Priority.INCIDENT), acct=account(Deployment.CLOUD)
    )
    assert result.response is None
    assert result.resolution is not None
    assert result.resolution.due_at == ny(2, 10, 15)


def test_sla_4_a_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        clocks(case(opened()), account(), CONFIG, datetime(2026, 2, 2, 12))


# -- SLA-5: warnings ------------------------------------------------------------------------------


def test_sla_5_the_warning_is_at_75_percent_and_the_breach_at_the_target() -> None:
    result = clocks_at(ny(2, 11), opened())
    assert result.response is not None
    assert result.resolution is not None
    assert result.response.warnings == ((0.75, ny(2, 13)), (1.0, ny(2, 14)))
    # 75% of 26 business hours = 19.5 h: Monday 11 h, Tuesday 8.5 h.
    assert result.resolution.warnings == ((0.75, ny(3, 16, 30)), (1.0, ny(4, 10)))


def test_sla_5_thresholds_are_configurable() -> None:
    config = PolicyConfig(warning_thresholds=(0.9, 0.5))
    result = clocks(case(opened()), account(), config, ny(2, 11))
    assert result.response is not None
    assert result.response.warnings == ((0.5, ny(2, 12)), (0.9, ny(2, 13, 36)), (1.0, ny(2, 14)))


def test_sla_5_a_running_breached_clock_keeps_its_instants_for_the_scheduler() -> None:
    result = clocks_at(ny(2, 15), opened())
    assert result.response is not None
    assert result.response.state is TimerState.BREACHED
    assert result.response.counting
    assert next_due_instants(result) == [
        DueInstant("response", 0.75, ny(2, 13)),
        DueInstant("response", 1.0, ny(2, 14)),
        DueInstant("resolution", 0.75, ny(3, 16, 30)),
        DueInstant("resolution", 1.0, ny(4, 10)),
    ]
    assert [d.name for d in next_due_instants(result, after=ny(2, 15))] == ["resolution"] * 2


def test_sla_5_paused_clocks_send_nothing() -> None:
    history = (
        opened(),
        ev(EventKind.STAFF_RESPONSE, ny(2, 11)),
        status(ny(2, 12), Status.AWAITING_INFORMATION),
    )
    assert next_due_instants(clocks_at(ny(2, 13), *history)) == []


def test_sla_4_timers_for_display_name_the_target_and_paused_minutes() -> None:
    history = (opened(), status(ny(2, 12), Status.AWAITING_INFORMATION))
    timers = to_timers(clocks_at(ny(2, 12, 45), *history))
    assert timers == (
        SlaTimer("response", "4 business hours", TimerState.RUNNING, ny(2, 14), 0),
        SlaTimer("resolution", "2 business days", TimerState.PAUSED, None, 45),
    )


# -- SLA-6: attainment ---------------------------------------------------------------------------


def test_sla_6_business_care_goal_is_80_percent_and_enhanced_care_90() -> None:
    results = [True] * 8 + [False] * 2
    assert attainment(results, CareLevel.BUSINESS, CONFIG) == Attainment(0.8, 0.8, True)
    assert attainment(results, CareLevel.PREMIUM, CONFIG) == Attainment(0.8, 0.9, False)
    assert attainment(iter([]), CareLevel.BUSINESS_PLUS, CONFIG) == Attainment(None, 0.9, None)


# -- SLA-4 property: pausing moves the due time by exactly the paused business time ----------


@settings(deadline=None, max_examples=200)
@given(
    offset=st.integers(min_value=0, max_value=26 * 3600 - 1),
    paused_minutes=st.integers(min_value=1, max_value=5 * 13 * 60),
)
def test_sla_4_pausing_for_d_business_minutes_moves_the_due_time_by_exactly_d(
    offset: int, paused_minutes: int
) -> None:
    calendar = calendar_for(CONFIG, "NA")
    paused = timedelta(minutes=paused_minutes)
    before = clocks_at(ny(2, 11), opened()).resolution
    assert before is not None
    assert before.due_at is not None
    pause_at = calendar.add(OPENED, timedelta(seconds=offset))
    resume_at = calendar.add(pause_at, paused)
    history = (
        opened(),
        status(pause_at, Status.AWAITING_INFORMATION),
        status(resume_at, Status.OPEN),
    )
    after = clocks_at(resume_at, *history).resolution
    assert after is not None
    assert after.paused == paused
    assert after.due_at == calendar.add(before.due_at, paused)
