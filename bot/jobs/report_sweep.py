"""NOT-2: each account's monthly report, posted once in the first 5 days of the month.

One global "monthly_report" timer (subject "all") holds the next run and, in its payload, the
month to report; a pass reads that one indexed row and never scans cases. The sweep creates
the timer on its first pass. Reports go out on the 1st at 12:00 UTC: by then every zone from
UTC-12 to UTC+14 has reached the 1st, so each account's own month (reports use the account's
zone) is over. A deployment that is down through the whole window (the 1st to the 5th, UTC)
skips that month rather than posting late; the timer then moves to the next month.

Once only: the outbox key `monthly:{account}:{YYYY-MM}` (per channel) makes a second pass, a
restart or a second replica a no-op; the timer is moved only after every account was handled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cards.reports import monthly_notice
from bot.commands import alerts
from bot.jobs.reports import monthly_report
from bot.policy.config import PolicyConfig
from bot.policy.reports import ReportMonth
from bot.store.interface import Store

MONTHLY_TIMER = "monthly_report"
SUBJECT = "all"
MONTH_KEY = "month"
SEND_AFTER = timedelta(hours=12)  # after midnight UTC on the 1st; see the module docstring
WINDOW_DAYS = 5  # NOT-2: the first 5 days of the month


def send_at(month: ReportMonth) -> datetime:
    """When the report of `month` goes out: the 1st of the following month, 12:00 UTC."""
    return month.following().start() + SEND_AFTER


def window_end(month: ReportMonth) -> datetime:
    """The end of NOT-2's window for the report of `month`: the 6th of the next month, 00:00 UTC."""
    return month.following().start() + timedelta(days=WINDOW_DAYS)


def first_month(now: datetime) -> ReportMonth:
    """The month a newly created timer reports: last month, unless its window has passed."""
    last = ReportMonth.containing(now).previous()
    return last if now < window_end(last) else last.following()


async def sweep_monthly_reports(store: Store, config: PolicyConfig, now: datetime) -> int:
    """NOT-2: post the monthly reports when they are due; how many posts were queued."""
    async with store.unit_of_work() as uow:
        timer = await uow.timers.get(MONTHLY_TIMER, SUBJECT)
        raw = timer.payload.get(MONTH_KEY) if timer is not None else None
        if timer is None or not isinstance(raw, str):
            month = first_month(now)
            await uow.timers.set(MONTHLY_TIMER, SUBJECT, send_at(month), {MONTH_KEY: month.label})
            await uow.commit()
            due_at = send_at(month)
        else:
            month = ReportMonth.parse(raw)
            due_at = timer.due_at
        if due_at > now:
            return 0
        accounts = await uow.directory.accounts()
    queued = 0
    if now < window_end(month):
        start, end = month.start(), month.following().start()
        for account in accounts:
            if account.contract_end < start.date() or account.contract_start >= end.date():
                continue  # no contract in that month: nothing to report
            # One short unit of work per account; if one fails the timer stays, and the next pass
            # retries, the outbox keys skipping the accounts already done.
            async with store.unit_of_work() as uow:
                report = await monthly_report(uow, config, account.id, month, None, now)
                queued += await alerts.to_account(
                    uow,
                    account,
                    monthly_notice(report),
                    f"monthly:{account.id}:{month.label}",
                    now,
                    report.time_zone,
                )
                await uow.commit()
    following = month.following()
    async with store.unit_of_work() as uow:
        await uow.timers.set(
            MONTHLY_TIMER, SUBJECT, send_at(following), {MONTH_KEY: following.label}
        )
        await uow.commit()
    return queued
