"""INC-6 availability and the NOT-2 monthly report, computed from figures the store read.

Months are calendar months in the account's own time zone (its `timezone` in the directory,
else its support region's). Each report is a plain dataclass; `bot.cards.reports` renders it
as text and as the NOT-2 notice, and `bot.jobs.reports` reads its figures through the store.

Total agents (INC-6): the account's licensed agents, from the directory's `agents` field, or
the caller's explicit override (the CLI's `--agents N`). When neither gives it, the report says
the figure is unknown: availability is still exact when every incident was a full outage (the
total cancels out), and unknown otherwise, never computed from a guessed total. An incident
restored without `--agents` counts as a full outage of all agents; a recorded figure above the
total raises the total to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.messages import TimerState
from bot.model import Account, Case
from bot.policy import incident as incident_policy
from bot.policy import sla
from bot.policy.config import PolicyConfig

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class ReportError(ValueError):
    """A report was asked for something that does not exist (an unknown account, a bad month)."""


@dataclass(frozen=True, slots=True, order=True)
class ReportMonth:
    """A calendar month, e.g. `ReportMonth.parse("2026-11")`."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1970 <= self.year <= 9998:
            raise ReportError(f"no such month {self.year}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> ReportMonth:
        """`YYYY-MM`, as the CLI takes it."""
        match = _MONTH.fullmatch(text.strip())
        if match is None:
            raise ReportError(f"write the month as YYYY-MM, not {text[:20]!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, at: datetime, time_zone: str = "UTC") -> ReportMonth:
        local = at.astimezone(ZoneInfo(time_zone))
        return cls(local.year, local.month)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def following(self) -> ReportMonth:
        return ReportMonth(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> ReportMonth:
        return ReportMonth(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def start(self, time_zone: str = "UTC") -> datetime:
        """Midnight on the 1st in `time_zone`, in UTC."""
        return datetime(self.year, self.month, 1, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)

    def bounds(self, time_zone: str) -> tuple[datetime, datetime]:
        """[start, end) of the month in `time_zone`, in UTC."""
        return self.start(time_zone), self.following().start(time_zone)


class IncidentSpan(Protocol):
    """What INC-6 needs of an incident (the store's `Incident` has it)."""

    @property
    def id(self) -> int: ...
    @property
    def declared_at(self) -> datetime: ...
    @property
    def restored_at(self) -> datetime | None: ...
    @property
    def agents_affected(self) -> int | None: ...


class CaseTally(Protocol):
    """NOT-2's case counts for one account and month (the store's `CaseCounts` has them)."""

    @property
    def opened(self) -> int: ...
    @property
    def closed(self) -> int: ...
    @property
    def open_at_end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Impact:
    """One incident's share of the month (INC-6)."""

    incident_id: int
    agents: int
    minutes: float
    agents_assumed: bool  # no figure recorded: counted as all agents (a full outage)
    ongoing: bool  # not restored: counted up to the report time


@dataclass(frozen=True, slots=True)
class AvailabilityReport:
    """INC-6 for one account and month."""

    account_id: str
    month: ReportMonth
    time_zone: str
    total_agents: int | None  # None: the directory has no licensed agents and none was given
    minutes_in_month: int
    impacts: tuple[Impact, ...]
    availability: float | None  # percent; None when it depends on the unknown total
    total_source: str = "directory"  # "directory" | "--agents" | "unknown"

    @property
    def lost_agent_minutes(self) -> float | None:
        if self.total_agents is None and any(not i.agents_assumed for i in self.impacts):
            return None
        return sum(i.agents * i.minutes for i in self.impacts)


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    """NOT-2 for one account and month: cases, SLA-6 attainment, INC-6 availability."""

    account_id: str
    month: ReportMonth
    time_zone: str
    opened: int
    closed: int
    open_at_end: int
    resolution_met: int
    resolution_missed: int
    attainment: sla.Attainment
    availability: AvailabilityReport


def _impact(
    incident: IncidentSpan, start: datetime, end: datetime, until: datetime, total: int, cap: int
) -> Impact:
    ongoing = incident.restored_at is None
    stop = min(incident.restored_at or until, end)
    begin = max(incident.declared_at, start)
    minutes = max((stop - begin) / timedelta(minutes=1), 0.0)
    assumed = incident.agents_affected is None
    agents = total if incident.agents_affected is None else incident.agents_affected
    # A DST month can be an hour longer than the policy's month; one impact never exceeds it.
    return Impact(incident.id, agents, min(minutes, float(cap)), assumed, ongoing)


def availability(
    account: Account,
    config: PolicyConfig,
    month: ReportMonth,
    incidents: Sequence[IncidentSpan],
    total_agents: int | None = None,
    now: datetime | None = None,
) -> AvailabilityReport:
    """INC-6: 100% - sum(affected agents x affected minutes) / (total agents x month minutes).

    `incidents` are those of the account in the month; the total is `total_agents` when given,
    else the account's licensed agents (directory).
    """
    if total_agents is not None and total_agents <= 0:
        raise ReportError(f"total agents must be positive, got {total_agents}")
    zone = config.account_time_zone(account)
    start, end = month.bounds(zone)
    until = min(now, end) if now is not None else end
    month_minutes = incident_policy.minutes_in_month(month.year, month.month)
    licensed = total_agents if total_agents is not None else account.agents
    if licensed is None:
        return _unknown_total(
            account.id, month, zone, month_minutes, incidents, (start, end, until)
        )
    recorded = [i.agents_affected for i in incidents if i.agents_affected is not None]
    total = max([licensed, *recorded])
    impacts = tuple(_impact(i, start, end, until, total, month_minutes) for i in incidents)
    value = incident_policy.availability(
        total, (month.year, month.month), [(i.agents, i.minutes) for i in impacts]
    )
    source = "--agents" if total_agents is not None else "directory"
    return AvailabilityReport(
        account.id, month, zone, total, month_minutes, impacts, value, total_source=source
    )


def _unknown_total(
    account_id: str,
    month: ReportMonth,
    zone: str,
    month_minutes: int,
    incidents: Sequence[IncidentSpan],
    window: tuple[datetime, datetime, datetime],
) -> AvailabilityReport:
    """INC-6 without the licensed agents: exact only when every incident was a full outage."""
    start, end, until = window
    # A full outage loses (total x minutes): the unknown total cancels, so count it as 1 of 1.
    impacts = tuple(_impact(i, start, end, until, 1, month_minutes) for i in incidents)
    value: float | None = None
    if all(i.agents_assumed for i in impacts):
        value = incident_policy.availability(
            1, (month.year, month.month), [(1, i.minutes) for i in impacts]
        )
    return AvailabilityReport(
        account_id, month, zone, None, month_minutes, impacts, value, total_source="unknown"
    )


def _resolution_met(
    case: Case, account: Account, config: PolicyConfig, end: datetime
) -> bool | None:
    """SLA-6: was the resolution (or restoration) target met? None when none applies."""
    clock = sla.clocks(case, account, config, case.closed_at or end).resolution
    if clock is None or clock.state not in (TimerState.MET, TimerState.BREACHED):
        return None
    return clock.state is TimerState.MET


def monthly(
    account: Account,
    config: PolicyConfig,
    month: ReportMonth,
    counts: CaseTally,
    closed: Sequence[Case],
    available: AvailabilityReport,
) -> MonthlyReport:
    """NOT-2: cases opened and closed, SLA attainment of the cases `closed` in the month."""
    zone = config.account_time_zone(account)
    _, end = month.bounds(zone)
    results = [
        met for case in closed if (met := _resolution_met(case, account, config, end)) is not None
    ]
    return MonthlyReport(
        account_id=account.id,
        month=month,
        time_zone=zone,
        opened=counts.opened,
        closed=counts.closed,
        open_at_end=counts.open_at_end,
        resolution_met=sum(results),
        resolution_missed=len(results) - sum(results),
        attainment=sla.attainment(results, account.care_level, config),
        availability=available,
    )
