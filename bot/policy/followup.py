"""Automatic follow-ups on cases waiting for the customer (FUP-1..FUP-3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.model import Account, Case, EventKind, Priority
from bot.policy.calendar import add_duration
from bot.policy.config import Duration, PolicyConfig, TimeUnit
from bot.policy.lifecycle import WAITING_STATUSES


class FollowUpStep(StrEnum):
    """FUP-1: two reminders, then the No Response close."""

    REMINDER_1 = "reminder_1"
    REMINDER_2 = "reminder_2"
    AUTO_CLOSE = "auto_close"


_REMINDERS = (FollowUpStep.REMINDER_1, FollowUpStep.REMINDER_2)


def follow_up_applies(case: Case) -> bool:
    """FUP-2: no automatic follow-ups on Critical - Production Down cases."""
    return not (case.priority is Priority.CRITICAL and case.production_down)


def follow_up_started_at(case: Case) -> datetime | None:
    """FUP-3: when the current wait began (the latest request); None when not waiting."""
    if case.status not in WAITING_STATUSES:
        return None
    requests = [
        e.at
        for e in case.events
        if e.kind is EventKind.STATUS_CHANGE and e.status in WAITING_STATUSES
    ]
    # A case imported already waiting has no such event; its last change is the best start.
    return max(requests, default=case.updated_at)


def counts_business_days(account: Account, config: PolicyConfig) -> bool:
    """FUP-1: business days for cloud accounts, calendar days for on-premises (configurable)."""
    return account.deployment in config.follow_up.business_days_for


def describe_days(days: int, account: Account, config: PolicyConfig) -> str:
    """FUP-1's days as the customer should read them: "10 business days" or "10 calendar days"."""
    kind = "business" if counts_business_days(account, config) else "calendar"
    return f"{days} {kind} day{'' if days == 1 else 's'}"


def _after(account: Account, start: datetime, days: int, config: PolicyConfig) -> datetime:
    if counts_business_days(account, config):
        # CAL-2: N business days = N x the region's business-day length, in business time.
        return add_duration(config, account.region, start, Duration(days, TimeUnit.BUSINESS_DAYS))
    # Calendar days in the account's zone: the same wall-clock time N days on, so a DST change
    # in between does not move the reminder by an hour (aware arithmetic here is wall-clock).
    local = start.astimezone(ZoneInfo(config.account_time_zone(account)))
    return (local + timedelta(days=days)).astimezone(UTC)


def follow_up_schedule(
    account: Account, started_at: datetime, config: PolicyConfig
) -> tuple[tuple[FollowUpStep, datetime], ...]:
    """FUP-1: each step with its due time for a wait that began at `started_at`."""
    policy = config.follow_up
    if len(policy.reminder_days) > len(_REMINDERS):
        raise ValueError(f"at most {len(_REMINDERS)} reminders are supported")
    steps = [
        (step, _after(account, started_at, days, config))
        for step, days in zip(_REMINDERS, policy.reminder_days, strict=False)
    ]
    steps.append(
        (FollowUpStep.AUTO_CLOSE, _after(account, started_at, policy.close_after_days, config))
    )
    return tuple(steps)


def pending_follow_up(
    case: Case, account: Account, config: PolicyConfig
) -> tuple[FollowUpStep, datetime] | None:
    """FUP-1..FUP-3: the next step still to do on `case` and when; None when none applies."""
    started = follow_up_started_at(case)
    if started is None or not follow_up_applies(case):
        return None
    # Reminders sent since the latest request count; earlier waits' reminders do not (FUP-3).
    sent = sum(1 for e in case.events if e.kind is EventKind.FOLLOW_UP and e.at >= started)
    schedule = follow_up_schedule(account, started, config)
    return schedule[min(sent, len(schedule) - 1)]
