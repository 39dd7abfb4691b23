"""Shared fixtures for the policy tests (several helpers append their sections here)."""

from __future__ import annotations

import pytest

from bot.policy.calendar import BusinessCalendar, calendar_for
from bot.policy.config import PolicyConfig

# -- calendars and SLA clocks (CAL-*, SLA-*) ---------------------------------------------------


@pytest.fixture
def default_policy() -> PolicyConfig:
    """POLICY.md's shipped defaults."""
    return PolicyConfig()


@pytest.fixture
def na_calendar(default_policy: PolicyConfig) -> BusinessCalendar:
    """CAL-1 NA: 08:00-21:00 America/New_York, US holidays."""
    return calendar_for(default_policy, "NA")
