"""Per-channel rate limits for outbound posts (P6), as the spacing of a channel's send slots.

Each platform states its own limits (`ChatPlatform.rate_limits`, e.g. Slack about one message
per second per channel; Teams 7 per second and 60 per 30 seconds per conversation); the
composition root hands them in, so this layer names no platform. The slots themselves are
handed out by the store (`claim_paced`), from a next send instant per channel kept in the
database, so every replica draws on one budget (R4). One spacing per platform keeps that budget a single timestamp: the spacing is the strictest of the
platform's limits spread evenly (Teams: 0.5 s, which keeps both 7/s and 60/30 s).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.model import Platform


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` posts in any `per_seconds` window."""

    count: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.per_seconds <= 0:
            raise ValueError(f"a rate limit needs count >= 1 and a positive window, got {self}")

    @property
    def spacing(self) -> float:
        """Seconds between two posts that keep this limit when posts are evenly spaced."""
        return self.per_seconds / self.count


Monotonic = Callable[[], float]
Sleeper = Callable[[float], Awaitable[None]]


class Pacer:
    """The spacing of each platform's posts per channel, and the clock the worker waits on.

    Tests inject a clock whose `sleep` moves it on, so rate limits cost no real time; without
    `limits` (or `limits={}`) pacing is off.
    """

    def __init__(
        self,
        limits: Mapping[Platform, Sequence[RateLimit]] | None = None,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleeper = asyncio.sleep,
    ) -> None:
        self._limits = {p: tuple(ls) for p, ls in (limits or {}).items()}
        self.monotonic = monotonic
        self.sleep = sleep

    def interval(self, platform: Platform) -> float:
        """Seconds between two posts to one channel of `platform` (0: unpaced)."""
        return max((limit.spacing for limit in self._limits.get(platform, ())), default=0.0)

    def intervals(self) -> dict[Platform, float]:
        return {platform: self.interval(platform) for platform in Platform}

    async def wait(self, seconds: float) -> None:
        """Sleep `seconds` by this pacer's clock, even if the loop wakes a little early."""
        until = self.monotonic() + seconds
        while (left := until - self.monotonic()) > 0:
            await self.sleep(left)
