"""The chat platforms this bot serves: adding one is one line here (see CONTRIBUTING.md).

The server loops over `PLATFORMS` to add each platform's route, connect the configured ones and
hand their deliverers and rate limits to the outbox worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.adapters import slack, teams
from bot.adapters.platform import ChatPlatform
from bot.jobs.pacing import RateLimit
from bot.model import Platform

PLATFORMS: tuple[ChatPlatform, ...] = (
    slack.PLATFORM,
    teams.PLATFORM,
)


def rate_limits(
    platforms: Sequence[ChatPlatform] = PLATFORMS,
) -> Mapping[Platform, Sequence[RateLimit]]:
    """Each platform's per-channel rate limits, for the outbox worker's pacer (P6)."""
    return {each.platform: each.rate_limits for each in platforms}
