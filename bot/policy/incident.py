"""Incident arithmetic: 30-minute status slots (INC-3), the RCA due time (INC-5, ESC-8) and
monthly availability (INC-6)."""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.policy.calendar import add_duration
from bot.policy.config import Duration, PolicyConfig, TimeUnit

MINUTES_PER_DAY = 24 * 60


def _check_interval(interval: timedelta) -> None:
    if interval <= timedelta(0):
        raise ValueError(f"the status interval must be positive, got {interval}")


def status_slots(declared_at: datetime, until: datetime, interval: timedelta) -> list[datetime]:
    """INC-3: the status-card times after `declared_at` up to and including `until`."""
    _check_interval(interval)
    # Each slot is declared_at + k x interval, never "previous post + interval", so a late
    # post never pushes the later ones back (no drift).
    start = declared_at.astimezone(UTC)
    count = slot_index(start, until, interval)
    return [start + k * interval for k in range(1, count + 1)]


def slot_index(declared_at: datetime, now: datetime, interval: timedelta) -> int:
    """INC-3: how many status slots have come due by `now` (0 before the first one)."""
    _check_interval(interval)
    # In UTC: two datetimes sharing a zone would subtract as wall-clock times across DST.
    elapsed = now.astimezone(UTC) - declared_at.astimezone(UTC)
    if elapsed < timedelta(0):
        return 0
    return elapsed // interval


def next_slot(declared_at: datetime, now: datetime, interval: timedelta) -> datetime:
    """INC-3: the first status slot strictly after `now`."""
    return declared_at.astimezone(UTC) + (slot_index(declared_at, now, interval) + 1) * interval


def rca_due(restored_at: datetime, account_region: str, config: PolicyConfig) -> datetime:
    """INC-5: the RCA is due N business days (region time) after restoration."""
    days = Duration(config.rca_due_business_days, TimeUnit.BUSINESS_DAYS)
    return add_duration(config, account_region, restored_at, days)


def rca_escalation_opens(
    restored_at: datetime, account_region: str, config: PolicyConfig
) -> datetime:
    """ESC-8: from when a request for the RCA may be escalated."""
    days = Duration(config.escalation.rca_wait_business_days, TimeUnit.BUSINESS_DAYS)
    return add_duration(config, account_region, restored_at, days)


def minutes_in_month(year: int, month: int) -> int:
    """INC-6: the month's length in minutes."""
    return gregorian.monthrange(year, month)[1] * MINUTES_PER_DAY


def availability(
    total_agents: int, month: tuple[int, int], impacts: Iterable[tuple[int, float]]
) -> float:
    """INC-6: availability in percent: 100 - sum(agents x minutes) / (total agents x month)."""
    if total_agents <= 0:
        raise ValueError(f"total agents must be positive, got {total_agents}")
    year, number = month
    if not 1 <= number <= 12:
        raise ValueError(f"month must be 1..12, got {number}")
    month_minutes = minutes_in_month(year, number)
    lost = 0.0
    for agents, minutes in impacts:
        if not 0 <= agents <= total_agents:
            raise ValueError(f"affected agents must be 0..{total_agents}, got {agents}")
        if not 0 <= minutes <= month_minutes:
            raise ValueError(f"affected minutes must be 0..{month_minutes}, got {minutes}")
        lost += agents * minutes
    # Overlapping incidents could in theory add up past the whole month; never report < 0%.
    return max(0.0, 100.0 - 100.0 * lost / (total_agents * month_minutes))
