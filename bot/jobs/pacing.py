"""Per-channel rate limits for outbound posts (P6): each post waits for its channel's next slot.

Slack allows about one message per second per channel; Teams 7 per second and 60 per 30 seconds
per conversation. A slot is reserved before waiting, so concurrent posts to one channel queue up
in order while posts to other channels go ahead at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
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


DEFAULT_LIMITS: Mapping[Platform, tuple[RateLimit, ...]] = {
    # P6 / Slack chat.postMessage: about 1 message per second per channel.
    Platform.SLACK: (RateLimit(1, 1.0),),
    # P6 / Teams connector: 7 per second and 60 per 30 seconds per conversation.
    Platform.TEAMS: (RateLimit(7, 1.0), RateLimit(60, 30.0)),
}

Monotonic = Callable[[], float]
Sleeper = Callable[[float], Awaitable[None]]


class Pacer:
    """Hands out send slots per (platform, channel) under that platform's limits."""

    def __init__(
        self,
        limits: Mapping[Platform, Sequence[RateLimit]] = DEFAULT_LIMITS,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleeper = asyncio.sleep,
    ) -> None:
        self._limits = {p: tuple(ls) for p, ls in limits.items()}
        self._monotonic = monotonic
        self._sleep = sleep
        self._sent: dict[tuple[Platform, str], deque[float]] = {}
        self._longest = max(
            (limit.per_seconds for ls in self._limits.values() for limit in ls), default=0.0
        )

    def reserve(self, platform: Platform, channel: str) -> float:
        """Book the channel's next free slot; the seconds to wait before using it."""
        limits = self._limits.get(platform, ())
        now = self._monotonic()
        if not limits:
            return 0.0
        key = (platform, channel)
        sent = self._sent.get(key)
        if sent is None:
            self._forget_idle(now)
            sent = self._sent[key] = deque(maxlen=max(limit.count for limit in limits))
        slot = now
        for limit in limits:
            if len(sent) >= limit.count:
                # The window holds `count` posts: the next may go `per_seconds` after the oldest.
                slot = max(slot, sent[-limit.count] + limit.per_seconds)
        sent.append(slot)
        return slot - now

    async def wait(self, platform: Platform, channel: str) -> None:
        """Wait until this post may go to the channel."""
        delay = self.reserve(platform, channel)
        slot = self._monotonic() + delay
        while delay > 0:
            await self._sleep(delay)
            # asyncio may wake a little early by the clock the limit is counted in.
            delay = slot - self._monotonic()

    def confirm(self, platform: Platform, channel: str) -> None:
        """Record that the channel's latest post really went now, if later than its slot."""
        sent = self._sent.get((platform, channel))
        if sent:
            # A post held up after its slot (the wire was busy) moves the next slot with it.
            sent[-1] = max(sent[-1], self._monotonic())

    @property
    def channels(self) -> int:
        """How many channels are currently tracked."""
        return len(self._sent)

    def _forget_idle(self, now: float) -> None:
        # Only channels whose every slot is older than the longest window can be dropped safely.
        if len(self._sent) < 1024:
            return
        idle = [k for k, sent in self._sent.items() if sent[-1] + self._longest <= now]
        for key in idle:
            del self._sent[key]
