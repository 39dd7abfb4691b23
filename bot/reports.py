"""INC-6 availability and the NOT-2 monthly report, computed over the store interface.

Months are calendar months in the account's own time zone (its `timezone` in the directory,
else its support region's). Each report
is a plain dataclass with a text rendering; `supportbot report monthly|availability` prints
the text and the NOT-2 sweep posts `monthly_notice`.

Total agents (INC-6): the account's licensed agents, from the directory's `agents` field, or
the caller's explicit override (the CLI's `--agents N`). When neither gives it, the report says
the figure is unknown: availability is still exact when every incident was a full outage (the
total cancels out), and unknown otherwise, never computed from a guessed total. An incident
restored without `--agents` counts as a full outage of all agents; a recorded figure above the
total raises the total to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.messages import Fact, Notice, NoticeKind, TimerState
from bot.model import Account, Case
from bot.policy import incident as incident_policy
from bot.policy import sla
from bot.policy.config import PolicyConfig
from bot.store.interface import Incident, UnitOfWork

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


async def _account(uow: UnitOfWork, account_id: str) -> Account:
    account = await uow.directory.account(account_id.strip().lower())
    if account is None:
        raise ReportError(f"unknown account {account_id[:40]!r}")
    return account


def _impact(
    incident: Incident, start: datetime, end: datetime, until: datetime, total: int, cap: int
) -> Impact:
    ongoing = incident.restored_at is None
    stop = min(incident.restored_at or until, end)
    begin = max(incident.declared_at, start)
    minutes = max((stop - begin) / timedelta(minutes=1), 0.0)
    assumed = incident.agents_affected is None
    agents = total if incident.agents_affected is None else incident.agents_affected
    # A DST month can be an hour longer than the policy's month; one impact never exceeds it.
    return Impact(incident.id, agents, min(minutes, float(cap)), assumed, ongoing)


async def availability_report(
    uow: UnitOfWork,
    config: PolicyConfig,
    account_id: str,
    month: ReportMonth,
    total_agents: int | None = None,
    now: datetime | None = None,
) -> AvailabilityReport:
    """INC-6: 100% - sum(affected agents x affected minutes) / (total agents x month minutes).

    The total is `total_agents` when given, else the account's licensed agents (directory).
    """
    if total_agents is not None and total_agents <= 0:
        raise ReportError(f"total agents must be positive, got {total_agents}")
    account = await _account(uow, account_id)
    zone = config.account_time_zone(account)
    start, end = month.bounds(zone)
    until = min(now, end) if now is not None else end
    month_minutes = incident_policy.minutes_in_month(month.year, month.month)
    incidents = await uow.incidents.for_account(account.id, start, end)
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
    incidents: list[Incident],
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


async def monthly_report(
    uow: UnitOfWork,
    config: PolicyConfig,
    account_id: str,
    month: ReportMonth,
    total_agents: int | None = None,
    now: datetime | None = None,
) -> MonthlyReport:
    """NOT-2: cases opened and closed, SLA attainment of the cases closed, availability."""
    account = await _account(uow, account_id)
    zone = config.account_time_zone(account)
    start, end = month.bounds(zone)
    counts = await uow.cases.counts(account.id, start, end)
    results = [
        met
        for case in await uow.cases.closed_between(account.id, start, end)
        if (met := _resolution_met(case, account, config, end)) is not None
    ]
    availability = await availability_report(uow, config, account.id, month, total_agents, now)
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
        availability=availability,
    )


def _percent(value: float | None) -> str:
    return "n/a (no cases closed)" if value is None else f"{100 * value:.1f}%"


UNKNOWN_AGENTS = (
    "unknown: the directory gives no licensed `agents` for this account "
    "(add them, or pass --agents N)"
)


def availability_text(report: AvailabilityReport) -> str:
    """The availability figure, or that it is unknown (INC-6)."""
    if report.availability is None:
        return "unknown (licensed agents not on record)"
    return f"{report.availability:.3f}%"


def render_availability(report: AvailabilityReport) -> str:
    """The INC-6 report as plain text."""
    lost = report.lost_agent_minutes
    unknown = report.total_agents is None
    if unknown:
        total = f"Total agents {UNKNOWN_AGENTS}"
    else:
        total = f"Total agents {report.total_agents} (from {report.total_source})"
    lines = [
        f"Availability of {report.account_id} in {report.month.label} ({report.time_zone}): "
        f"{availability_text(report)}",
        f"{total}; {report.minutes_in_month:,} minutes in the month; "
        f"{'unknown' if lost is None else f'{lost:,.0f}'} agent-minutes lost (INC-6).",
    ]
    for i in report.impacts:
        notes = ["agents not recorded: all counted"] if i.agents_assumed else []
        if i.ongoing:
            notes.append("not restored yet")
        extra = f" ({'; '.join(notes)})" if notes else ""
        agents = "all" if unknown and i.agents_assumed else str(i.agents)
        lines.append(f"  incident {i.incident_id}: {agents} agents x {i.minutes:,.0f} min{extra}")
    if not report.impacts:
        lines.append("  no incidents affected this account")
    return "\n".join(lines)


def render_monthly(report: MonthlyReport) -> str:
    """The NOT-2 report as plain text."""
    goal = f"{100 * report.attainment.goal:.0f}%"
    reached = {True: "goal met", False: "goal missed", None: "nothing to judge"}
    return "\n".join(
        [
            f"Monthly report for {report.account_id}, {report.month.label} ({report.time_zone})",
            f"Cases opened: {report.opened}; closed: {report.closed}; "
            f"open at month end: {report.open_at_end}",
            f"SLA attainment: {_percent(report.attainment.ratio)} of {report.resolution_met + report.resolution_missed} "
            f"resolution targets met (goal {goal}, {reached[report.attainment.met_goal]})",
            render_availability(report.availability),
        ]
    )


def monthly_notice(report: MonthlyReport) -> Notice:
    """The NOT-2 card posted to the account's channels."""
    return Notice(
        NoticeKind.MONTHLY_REPORT,
        f"Support summary for {report.month.label}",
        f"Your support summary for {report.month.label} (NOT-2).",
        (
            Fact("Cases opened", str(report.opened)),
            Fact("Cases closed", str(report.closed)),
            Fact("Open at month end", str(report.open_at_end)),
            Fact(
                "SLA attainment",
                f"{_percent(report.attainment.ratio)} (goal {100 * report.attainment.goal:.0f}%)",
            ),
            Fact("Availability", availability_text(report.availability)),
        ),
    )
