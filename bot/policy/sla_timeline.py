"""SLA-4: a case's history replayed into the intervals its response and resolution clocks ran."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from bot.model import Case, CaseEvent, EventKind, Priority, Status

Interval = tuple[datetime, datetime]


class _Mode(Enum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


# SLA-4 / CASE-6: support waits on the customer in these statuses, so resolution time stops.
_PAUSING = frozenset({Status.AWAITING_INFORMATION, Status.SOLUTION_PROPOSED})


_LIVE = frozenset({_Mode.RUNNING, _Mode.PAUSED})


def _mode_of(status: Status) -> _Mode:
    if status is Status.CLOSED:
        return _Mode.STOPPED
    return _Mode.PAUSED if status in _PAUSING else _Mode.RUNNING


@dataclass(frozen=True, slots=True)
class Timeline:
    """What the clocks need from a case's history up to `now`, under its latest priority."""

    priority: Priority
    production_down: bool
    opened_at: datetime | None  # the first opening; None when the case is not open yet
    response_start: datetime | None  # the latest open or reopen (REO-1: a new response target)
    response_end: datetime | None  # the first staff response after it, or the closing
    response_answered: bool  # response_end is a staff response, not a closing
    resolution_runs: tuple[Interval, ...]  # finished running intervals, in order
    resolution_running_since: datetime | None  # start of the interval running at `now`
    resolution_paused: tuple[Interval, ...]  # paused intervals, the current one cut at `now`
    closed_at: datetime | None  # set while the case is closed
    restored_at: datetime | None = None  # SLA-4: service restored (stops a restoration target)


@dataclass(slots=True)
class _Replay:
    priority: Priority
    production_down: bool
    mode: _Mode | None = None
    since: datetime | None = None
    opened_at: datetime | None = None
    response_start: datetime | None = None
    response_end: datetime | None = None
    answered: bool = False
    closed_at: datetime | None = None
    restored_at: datetime | None = None
    runs: list[Interval] = field(default_factory=list)
    paused: list[Interval] = field(default_factory=list)

    def switch(self, mode: _Mode, at: datetime) -> None:
        if mode is self.mode:
            return
        if self.since is not None and at > self.since:
            if self.mode is _Mode.RUNNING:
                self.runs.append((self.since, at))
            elif self.mode is _Mode.PAUSED:
                self.paused.append((self.since, at))
        self.mode, self.since = mode, at

    def open(self, event: CaseEvent) -> None:
        if self.opened_at is None:
            self.opened_at = event.at
        self.response_start, self.response_end, self.answered = event.at, None, False
        self.closed_at = None
        self.switch(_mode_of(event.status or Status.OPEN), event.at)

    def close(self, at: datetime) -> None:
        self.closed_at = at
        if self.response_start is not None and self.response_end is None:
            self.response_end = at
        self.switch(_Mode.STOPPED, at)

    def apply(self, event: CaseEvent) -> None:
        # Status comes only from OPENED/STATUS_CHANGE/REOPENED/CLOSED: a CUSTOMER_UPDATE that
        # moves the case arrives with its own STATUS_CHANGE (CASE-7). Other kinds change nothing.
        kind = event.kind
        if kind is EventKind.REOPENED:
            # SLA-4: a reopen starts a new clock cycle; a restoration before it met only the
            # earlier cycle's target, so the restoration clock runs until service is restored
            # again (the resolution time used so far still counts).
            self.restored_at = None
        if kind is EventKind.OPENED or kind is EventKind.REOPENED:
            self.open(event)
        elif kind is EventKind.CLOSED:
            self.close(event.at)
        elif kind is EventKind.STATUS_CHANGE and event.status is not None and self.mode is not None:
            mode = _mode_of(event.status)
            if mode is _Mode.STOPPED:
                self.close(event.at)
            else:
                self.closed_at = None
                self.switch(mode, event.at)
        elif kind is EventKind.STAFF_RESPONSE:
            live = self.mode is _Mode.RUNNING or self.mode is _Mode.PAUSED
            if live and self.response_start is not None and self.response_end is None:
                self.response_end, self.answered = event.at, True
        elif kind is EventKind.RESTORED and self.restored_at is None and self.mode in _LIVE:
            # SLA-4: the first restoration while the case is open meets the restoration target.
            self.restored_at = event.at
        if kind is EventKind.OPENED or kind is EventKind.PRIORITY_CHANGE:
            # SLA-4: the latest priority rules the whole history.
            if event.priority is not None:
                self.priority = event.priority
            if event.production_down is not None:
                self.production_down = event.production_down


def replay(case: Case, now: datetime) -> Timeline:
    """Replay `case.events` up to `now` (a case without an OPENED event opens at `opened_at`)."""
    events = [e for e in case.events if e.at <= now]
    # A history normally starts with its OPENED event: look no further then (P9).
    first_is_opened = bool(events) and events[0].kind is EventKind.OPENED
    if (
        not first_is_opened
        and not any(e.kind is EventKind.OPENED for e in events)
        and case.opened_at <= now
    ):
        opened = CaseEvent(
            EventKind.OPENED,
            case.opened_at,
            case.opened_by,
            status=Status.OPEN,
            priority=case.priority,
            production_down=case.production_down,
        )
        events.insert(0, opened)
    state = _Replay(case.priority, case.production_down)
    for event in events:
        state.apply(event)
    running_since = None
    if state.mode is _Mode.RUNNING:
        running_since = state.since
    elif state.mode is _Mode.PAUSED and state.since is not None and now > state.since:
        state.paused.append((state.since, now))
    return Timeline(
        priority=state.priority,
        production_down=state.production_down,
        opened_at=state.opened_at,
        response_start=state.response_start,
        response_end=state.response_end,
        response_answered=state.answered,
        resolution_runs=tuple(state.runs),
        resolution_running_since=running_since,
        resolution_paused=tuple(state.paused),
        closed_at=state.closed_at,
        restored_at=state.restored_at,
    )
