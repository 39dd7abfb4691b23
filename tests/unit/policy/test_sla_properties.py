"""SLA-4 / SLA-5 properties of the clocks over random case histories (hypothesis).

Each threshold instant is checked by replaying the same history to that instant: the running
time there is the threshold's share of the target, to the microsecond, and one microsecond
earlier it is less (the instant is the first one). Business time is measured by the calendar,
which `test_calendar_oracle.py` compares with `businesstimedelta`. These hold by construction,
so they pin the clocks' results however the arithmetic is arranged (P9, #18).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

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
from bot.policy.calendar import duration_timedelta
from bot.policy.config import PolicyConfig
from bot.policy.sla import BREACH, SlaClock, SlaClocks, clocks, target_for

# Several thresholds, one of them 0 (due at the clock's start), so each path is taken.
CONFIG = PolicyConfig(warning_thresholds=(0.0, 0.5, 0.75, 0.9))
US = timedelta(microseconds=1)

# What can happen between two events of a history, as (kind, new status).
STEPS: tuple[tuple[EventKind, Status | None], ...] = (
    (EventKind.STAFF_RESPONSE, None),
    (EventKind.WORK_NOTE, None),
    (EventKind.CUSTOMER_UPDATE, None),
    (EventKind.STATUS_CHANGE, Status.AWAITING_INFORMATION),
    (EventKind.STATUS_CHANGE, Status.SOLUTION_PROPOSED),
    (EventKind.STATUS_CHANGE, Status.OPEN),
    (EventKind.CLOSED, Status.CLOSED),
    (EventKind.REOPENED, Status.OPEN),
    (EventKind.RESTORED, None),
    (EventKind.PRIORITY_CHANGE, None),
)
PRIORITIES = (Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW, Priority.INCIDENT)


@dataclass(frozen=True)
class History:
    case: Case
    account: Account
    now: datetime


def history(
    opened_at: datetime,
    priority: Priority,
    down: bool,
    deployment: Deployment,
    care: CareLevel,
    region: str,
    steps: list[tuple[int, int, int, bool]],
    now_after: int,
) -> History:
    """A case opened at `opened_at`, then `steps` of (seconds later, step, priority, down)."""

    def allowed(p: Priority) -> Priority:
        # SLA-3: only cloud accounts have incidents; on premises it is drawn as Critical.
        on_premises = deployment is Deployment.ON_PREMISES
        return Priority.CRITICAL if p is Priority.INCIDENT and on_premises else p

    priority = allowed(priority)
    events = [
        CaseEvent(
            EventKind.OPENED,
            opened_at,
            "a@acme.example",
            status=Status.OPEN,
            priority=priority,
            production_down=down,
        )
    ]
    at = opened_at
    for gap, step, new_priority, new_down in steps:
        at += timedelta(seconds=gap)
        kind, status = STEPS[step]
        change = kind is EventKind.PRIORITY_CHANGE
        events.append(
            CaseEvent(
                kind,
                at,
                "a@acme.example",
                status=status,
                priority=allowed(PRIORITIES[new_priority]) if change else None,
                production_down=new_down if change else None,
            )
        )
    now = opened_at + timedelta(seconds=now_after)
    # Only the history up to `now`: replaying it to a later threshold instant must see what the
    # clocks at `now` saw (events after `now` are not history yet, SLA-4).
    events = [e for e in events if e.at <= now]
    account = Account(
        "acme", "Acme", "Acme", False, deployment, care, region, date(2026, 1, 1),
        date(2028, 12, 31),
    )  # fmt: skip
    case = Case(
        number=1001, account_id="acme", summary="s", description="d", priority=priority,
        case_type="Problem", case_subtype="Other", stage=Stage.PRODUCTION, status=Status.OPEN,
        sub_status=SubStatus.NEW, opened_by="a@acme.example", opened_at=opened_at,
        updated_at=events[-1].at, events=tuple(events),
    )  # fmt: skip
    return History(case, account, now)


HOURS = 3600
HISTORIES = st.builds(
    history,
    opened_at=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    priority=st.sampled_from(PRIORITIES),
    down=st.booleans(),
    deployment=st.sampled_from(Deployment),
    care=st.sampled_from(CareLevel),
    region=st.sampled_from(sorted(CONFIG.regions)),
    steps=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=40 * HOURS),
            st.integers(min_value=0, max_value=len(STEPS) - 1),
            st.integers(min_value=0, max_value=len(PRIORITIES) - 1),
            st.booleans(),
        ),
        max_size=8,
    ),
    now_after=st.integers(min_value=0, max_value=20 * 24 * HOURS),
)


def _pick(result: SlaClocks, name: str) -> SlaClock | None:
    return result.response if name == "response" else result.resolution


def _length(h: History, clock: SlaClock) -> timedelta:
    return duration_timedelta(CONFIG, h.account.region, clock.duration)


def _share(length: timedelta, threshold: float) -> timedelta:
    return timedelta(microseconds=round((length // US) * threshold))


def _elapsed_at(h: History, name: str, at: datetime) -> timedelta:
    clock = _pick(clocks(h.case, h.account, CONFIG, at), name)
    return timedelta(0) if clock is None else clock.elapsed


@settings(deadline=None, max_examples=400)
@given(h=HISTORIES)
def test_sla_5_each_threshold_instant_is_the_first_at_its_share_of_the_target(h: History) -> None:
    result = clocks(h.case, h.account, CONFIG, h.now)
    for name in ("response", "resolution"):
        clock = _pick(result, name)
        if clock is None:
            continue
        length = _length(h, clock)
        for threshold, at in clock.warnings:
            # SLA-4: the latest priority rules the whole history, so replaying to an instant
            # before a priority change measures another target's clock: not comparable.
            if any(e.kind is EventKind.PRIORITY_CHANGE and e.at >= at - US for e in h.case.events):
                continue
            mark = _share(length, threshold)
            assert _elapsed_at(h, name, at) == mark
            if mark > timedelta(0):
                assert _elapsed_at(h, name, at - US) < mark


@settings(deadline=None, max_examples=400)
@given(h=HISTORIES)
def test_sla_5_a_clock_has_every_threshold_it_reached_and_its_due_time_is_the_breach(
    h: History,
) -> None:
    result = clocks(h.case, h.account, CONFIG, h.now)
    for clock in (result.response, result.resolution):
        if clock is None:
            continue
        length = _length(h, clock)
        thresholds = sorted({*CONFIG.warning_thresholds, BREACH})
        # A running clock will reach every threshold; a stopped or paused one those within the
        # running time it has had (a share of 0 is reached only if the clock ran at all, which
        # its results do not tell, so that one is left out then).
        zero = timedelta(0)
        shown = [t for t, _ in clock.warnings if clock.counting or _share(length, t) > zero]
        reached = [
            t for t in thresholds if clock.counting or zero < _share(length, t) <= clock.elapsed
        ]
        assert shown == reached
        assert clock.due_at == dict(clock.warnings).get(BREACH)
        assert [at for _, at in clock.warnings] == sorted(at for _, at in clock.warnings)
        assert all(at >= clock.started_at for _, at in clock.warnings)


@settings(deadline=None, max_examples=200)
@given(h=HISTORIES)
def test_sla_1_to_3_the_clocks_measure_the_target_of_the_latest_priority(h: History) -> None:
    last = [e for e in h.case.events if e.at <= h.now and e.priority is not None][-1]
    down = [e for e in h.case.events if e.at <= h.now and e.production_down is not None][-1]
    assert last.priority is not None
    assert down.production_down is not None
    target = target_for(CONFIG, h.account, last.priority, down.production_down)
    result = clocks(h.case, h.account, CONFIG, h.now)
    assert result.resolution is not None
    assert result.resolution.duration == target.resolution
    assert (result.response is None) == (target.response is None)
    if result.response is not None:
        assert result.response.duration == target.response
