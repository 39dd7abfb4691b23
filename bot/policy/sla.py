"""Service level targets and clocks (SLA-1..SLA-6): what is due when, and how it went."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

from bot.messages import SlaTimer, TimerState
from bot.model import Account, CareLevel, Case, Priority
from bot.policy.calendar import calendar_for, duration_timedelta, epoch_us, from_epoch_us
from bot.policy.config import Duration, PolicyConfig, SlaTarget
from bot.policy.sla_timeline import Interval, Timeline, replay

RESPONSE = "response"
RESOLUTION = "resolution"
RESTORATION = "restoration"  # the label of a resolution clock that stops at restoration (SLA-4)
BREACH = 1.0  # SLA-5: the breach notice is the threshold where the whole target has elapsed


def target_for(
    config: PolicyConfig, account: Account, priority: Priority, production_down: bool
) -> SlaTarget:
    """SLA-1..SLA-3: the target row for an account's deployment and care level."""
    table = config.sla_targets.get((account.deployment, account.care_level))
    if table is None:
        raise ValueError(
            f"no SLA table for {account.deployment.value} {account.care_level.value} (SLA-1..3)"
        )
    row = config.sla_class(priority, production_down)
    try:
        return table[row]
    except KeyError:
        raise ValueError(
            f"no SLA target for {row.value} on {account.deployment.value} "
            f"{account.care_level.value} (SLA-1..3)"
        ) from None


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One target's clock at `SlaClocks.as_of` (SLA-4, SLA-5)."""

    name: str  # "response" | "resolution": the stable key for SLA-5 de-duplication
    label: str  # what people read: "response", "resolution" or "restoration"
    duration: Duration
    state: TimerState
    due_at: datetime | None  # when running time reaches the target; None if not (yet) known
    elapsed: timedelta  # running time so far, business time for business targets
    paused: timedelta  # paused time so far, measured like `elapsed`
    met_at: datetime | None  # the staff response or closing that stopped the clock in time or late
    late: bool  # met, but after the target had elapsed
    warnings: tuple[tuple[float, datetime], ...]  # (threshold, instant) incl. the breach at 1.0
    started_at: datetime
    counting: bool  # running at `as_of`: only counting clocks send notices (SLA-5)


@dataclass(frozen=True, slots=True)
class SlaClocks:
    """Both clocks of a case; a clock is None when its target does not apply (cloud incident)."""

    response: SlaClock | None
    resolution: SlaClock | None
    as_of: datetime


class DueInstant(NamedTuple):
    """A notice the scheduler indexes: which target, which threshold (1.0 = breach), when."""

    name: str
    threshold: float
    at: datetime


class Attainment(NamedTuple):
    """SLA-6: share of resolution targets met, the care level's goal, and whether it was reached."""

    ratio: float | None  # None when there were no results to judge
    goal: float
    met_goal: bool | None


class _Clockwork(Protocol):
    """Business time (a `BusinessCalendar`) or 24x7 time (CAL-3), as positions on a line.

    A position is a running total in microseconds that only grows with time: the running time
    between two instants is the difference of their positions, and `instant(p)` is the first
    instant at position p. The clocks convert each instant of a history once and derive every
    threshold from those positions (P9: one bisection per threshold, no re-walk per threshold).
    """

    def position(self, us: int) -> int: ...

    def instant(self, position: int) -> int: ...


class _AllHours:
    """CAL-3: calendar time, 24x7, in absolute (UTC) terms so DST changes do not bend it."""

    def position(self, us: int) -> int:
        return us

    def instant(self, position: int) -> int:
        return position


_ALL_HOURS = _AllHours()


@dataclass(frozen=True, slots=True)
class _Measure:
    """How one target of one region is measured: its clockwork, length and threshold marks."""

    work: _Clockwork
    length: int  # microseconds of running time (business or 24x7)
    marks: tuple[tuple[float, int], ...]  # (threshold, running time at it), sorted, breach last


_US = timedelta(microseconds=1)
_MEASURES: dict[tuple[int, str, Duration], tuple[PolicyConfig, _Measure]] = {}
_MEASURE_LIMIT = 1024  # (config, region, target) triples kept; a handful exist per process


def _measure(config: PolicyConfig, region: str, duration: Duration) -> _Measure:
    """The cached `_Measure` of `duration` in `region` under `config` (a frozen value)."""
    key = (id(config), region, duration)
    hit = _MEASURES.get(key)
    # The entry holds the config itself, so its id cannot be reused by another config meanwhile.
    if hit is not None and hit[0] is config:
        return hit[1]
    # CAL-2 / CAL-3: business targets count the account region's hours; the rest run 24x7.
    work = calendar_for(config, region) if duration.is_business else _ALL_HOURS
    length = duration_timedelta(config, region, duration) // _US
    thresholds = sorted({t for t in config.warning_thresholds if 0 <= t < BREACH} | {BREACH})
    measure = _Measure(work, length, tuple((t, _share(length, t)) for t in thresholds))
    if len(_MEASURES) >= _MEASURE_LIMIT:
        _MEASURES.clear()
    _MEASURES[key] = (config, measure)
    return measure


def clocks(case: Case, account: Account, config: PolicyConfig, now: datetime) -> SlaClocks:
    """SLA-4: the response and resolution clocks of `case` at `now`, from its event history."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now.isoformat()}: SLA clocks need an aware `now`")
    now = now.astimezone(UTC)
    now_us = epoch_us(now)  # once for both clocks
    line = replay(case, now)
    if line.opened_at is None:
        return SlaClocks(None, None, now)
    target = target_for(config, account, line.priority, line.production_down)
    response = resolution = None
    if target.response is not None and line.response_start is not None:
        end = line.response_end
        response = _clock(
            _Spec(RESPONSE, RESPONSE, target.response, line.response_start),
            runs=() if end is None else ((line.response_start, end),),
            running_since=line.response_start if end is None else None,
            paused=(),
            stopped_at=end,
            met=line.response_answered,
            measure=_measure(config, account.region, target.response),
            now_us=now_us,
        )
    if target.resolution is not None:
        label = RESTORATION if target.resolution_is_restoration else RESOLUTION
        resolution = _resolution(line, target.resolution, label, config, account, now, now_us)
    return SlaClocks(response, resolution, now)


def _resolution(
    line: Timeline,
    duration: Duration,
    label: str,
    config: PolicyConfig,
    account: Account,
    now: datetime,
    now_us: int,
) -> SlaClock:
    if line.opened_at is None:
        raise ValueError("a resolution clock needs an opened case")
    runs, running_since, paused = (
        line.resolution_runs,
        line.resolution_running_since,
        line.resolution_paused,
    )
    stopped_at = line.closed_at
    if label == RESTORATION and line.restored_at is not None:
        # SLA-4: a restoration target stops when service is restored, not at the closing.
        stopped_at = line.restored_at
        runs = _cut(runs, running_since, now, stopped_at)
        paused = _cut(paused, None, now, stopped_at)
        running_since = None
    return _clock(
        _Spec(RESOLUTION, label, duration, line.opened_at),
        runs=runs,
        running_since=running_since,
        paused=paused,
        stopped_at=stopped_at,
        met=stopped_at is not None,
        measure=_measure(config, account.region, duration),
        now_us=now_us,
    )


def _cut(
    intervals: Sequence[Interval], running_since: datetime | None, now: datetime, at: datetime
) -> tuple[Interval, ...]:
    """The intervals (and the one running since `running_since`) up to `at` only."""
    spans = [*intervals, *(() if running_since is None else ((running_since, now),))]
    return tuple((start, min(end, at)) for start, end in spans if start < at)


class _Spec(NamedTuple):
    """What a clock is (a tuple: built twice per `clocks` call, P9)."""

    name: str
    label: str
    duration: Duration
    started_at: datetime


# A run of the clock as positions: (start instant, start position, running time in it), in us.
_Run = tuple[int, int, int]


def _clock(
    spec: _Spec,
    *,
    runs: Sequence[Interval],
    running_since: datetime | None,
    paused: Sequence[Interval],
    stopped_at: datetime | None,
    met: bool,
    measure: _Measure,
    now_us: int,
) -> SlaClock:
    position = measure.work.position
    spans: list[_Run] = []
    done = 0
    for start, end in runs:
        start_us = epoch_us(start)
        at = position(start_us)
        ran = max(position(epoch_us(end)) - at, 0)
        spans.append((start_us, at, ran))
        done += ran
    elapsed = done
    running: _Run | None = None
    if running_since is not None:
        start_us = epoch_us(running_since)
        at = position(start_us)
        running = (start_us, at, done)
        elapsed += max(position(now_us) - at, 0)
    warnings = _warnings(spans, running, measure)
    # The marks are sorted and the breach (1.0) is the last: the due time when it was reached.
    due_at = warnings[-1][1] if warnings and warnings[-1][0] == BREACH else None
    length = measure.length
    late = met and elapsed > length
    stopped = stopped_at is not None and running_since is None
    if stopped and met:
        state = TimerState.BREACHED if late else TimerState.MET
    elif stopped:
        # Closed before any staff response: only a target that had already passed is a breach.
        state = TimerState.BREACHED if elapsed >= length else TimerState.STOPPED
    elif elapsed >= length:
        state = TimerState.BREACHED
    else:
        state = TimerState.RUNNING if running_since is not None else TimerState.PAUSED
    paused_us = 0
    for start, end in paused:
        paused_us += max(position(epoch_us(end)) - position(epoch_us(start)), 0)
    return SlaClock(
        name=spec.name,
        label=spec.label,
        duration=spec.duration,
        state=state,
        due_at=due_at,
        elapsed=timedelta(0, 0, elapsed),
        paused=timedelta(0, 0, paused_us),
        met_at=stopped_at if stopped and met else None,
        late=late,
        warnings=tuple(warnings),
        started_at=spec.started_at.astimezone(UTC),
        counting=running_since is not None,
    )


def _share(length: int, threshold: float) -> int:
    # Whole microseconds, so the instant is exact: 75% of 13 business hours is 9 h 45 min.
    return round(length * threshold)


def _warnings(
    spans: Sequence[_Run], running: _Run | None, measure: _Measure
) -> list[tuple[float, datetime]]:
    """(threshold, instant) of each mark the running time reached or, running, will reach.

    The marks are sorted, so one walk over the runs serves them all: a mark is reached in the
    first run that takes the running time to it, or else in the run going on at `now` (`running`,
    with the running time done before it); while paused short of a mark, neither it nor any
    later one is. The instant is where the position reaches the run's start position plus what
    is still needed, except that nothing needed means the run's start itself, even outside
    business hours (CAL-2's `add`).
    """
    instant = measure.work.instant
    warnings: list[tuple[float, datetime]] = []
    i, before = 0, 0
    for threshold, mark in measure.marks:
        while i < len(spans) and before + spans[i][2] < mark:
            before += spans[i][2]
            i += 1
        if i < len(spans):
            start_us, at, _ = spans[i]
        elif running is not None:
            start_us, at, before = running
        else:
            break
        need = mark - before
        warnings.append((threshold, from_epoch_us(start_us if need == 0 else instant(at + need))))
    return warnings


def to_timers(clocks: SlaClocks) -> tuple[SlaTimer, ...]:
    """The clocks as `SlaTimer`s for cards and the `sla` verb."""
    return tuple(
        SlaTimer(
            name=clock.label,
            target=clock.duration.describe(),
            state=clock.state,
            due_at=clock.due_at,
            paused_minutes=int(clock.paused // timedelta(minutes=1)),
        )
        for clock in (clocks.response, clocks.resolution)
        if clock is not None
    )


def next_due_instants(clocks: SlaClocks, after: datetime | None = None) -> list[DueInstant]:
    """SLA-5 notices of the counting clocks, earliest first; with `after`, only later ones.

    Without `after`, instants already passed are included: a priority change can move a
    threshold into the past before its notice went out, and SLA-5 sends each notice once per
    case, target and threshold, so the scheduler de-duplicates rather than this function.
    """
    due = [
        DueInstant(clock.name, threshold, at)
        for clock in (clocks.response, clocks.resolution)
        if clock is not None and clock.counting
        for threshold, at in clock.warnings
        if after is None or at > after
    ]
    return sorted(due, key=lambda d: (d.at, d.name, d.threshold))


def attainment(results: Iterable[bool], care_level: CareLevel, config: PolicyConfig) -> Attainment:
    """SLA-6: the share of resolution targets met against the care level's goal."""
    goal = config.attainment_goals[care_level]
    outcomes = list(results)
    if not outcomes:
        return Attainment(None, goal, None)
    ratio = sum(outcomes) / len(outcomes)
    return Attainment(ratio, goal, ratio >= goal)
