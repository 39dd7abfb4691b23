"""The INC-6 and NOT-2 reports as the CLI prints them, and the NOT-2 notice card's content."""

from __future__ import annotations

from bot.messages import Fact, Notice, NoticeKind
from bot.policy.reports import AvailabilityReport, MonthlyReport


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
