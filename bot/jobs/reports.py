"""The INC-6 and NOT-2 reports of one account and month, their figures read through the store.

The store answers the queries (`cases.counts`, `cases.closed_between`, `incidents.for_account`);
`bot.policy.reports` computes the reports from them. The CLI prints them, the NOT-2 sweep
(`report_sweep`) posts them.
"""

from __future__ import annotations

from datetime import datetime

from bot.model import Account
from bot.policy import reports
from bot.policy.config import PolicyConfig
from bot.policy.reports import AvailabilityReport, MonthlyReport, ReportError, ReportMonth
from bot.store.interface import UnitOfWork


async def _account(uow: UnitOfWork, account_id: str) -> Account:
    account = await uow.directory.account(account_id.strip().lower())
    if account is None:
        raise ReportError(f"unknown account {account_id[:40]!r}")
    return account


async def availability_report(
    uow: UnitOfWork,
    config: PolicyConfig,
    account_id: str,
    month: ReportMonth,
    total_agents: int | None = None,
    now: datetime | None = None,
) -> AvailabilityReport:
    """INC-6 for `account_id` in `month` (see `bot.policy.reports.availability`)."""
    if total_agents is not None and total_agents <= 0:
        raise ReportError(f"total agents must be positive, got {total_agents}")
    account = await _account(uow, account_id)
    start, end = month.bounds(config.account_time_zone(account))
    incidents = await uow.incidents.for_account(account.id, start, end)
    return reports.availability(account, config, month, incidents, total_agents, now)


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
    start, end = month.bounds(config.account_time_zone(account))
    counts = await uow.cases.counts(account.id, start, end)
    closed = await uow.cases.closed_between(account.id, start, end)
    availability = await availability_report(uow, config, account.id, month, total_agents, now)
    return reports.monthly(account, config, month, counts, closed, availability)
