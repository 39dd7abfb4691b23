"""The outbox worker's knobs, counters and metric hooks (R3, P6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.store.interface.outbox import OutboxMessage

HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How the worker claims, paces, retries and gives up."""

    channels_per_claim: int = 100
    posts_per_channel: int = 10  # per claim, and never slots further ahead than the horizon
    horizon_seconds: float = 10.0
    lease_seconds: float = 30.0  # past the horizon; renewed every third of it while working
    lease_margin_seconds: float = 5.0  # never start a post this close to the lease's end
    guard_seconds: float = 0.5  # a batch may start this late; kept free after its last slot
    max_in_flight: int = 2000  # claimed but not yet finished posts
    concurrency: int = 20  # posts on the wire at once, across channels
    timeout_seconds: float = 30.0  # one platform call
    backoff_base_seconds: float = 5.0
    backoff_cap_seconds: float = 600.0
    retry_budget_seconds: float = 6 * HOUR  # 5xx and timeouts, from the first: then dead
    throttle_default_seconds: float = 5.0  # a 429 without Retry-After
    throttle_cap_seconds: float = HOUR  # a Retry-After longer than this is read as this
    idle_seconds: float = 1.0  # `run`: how often an idle worker looks for due posts
    stop_grace_seconds: float = 8.0  # on shutdown, posts on the wire get this long to finish

    def __post_init__(self) -> None:
        if self.retry_budget_seconds <= 0:
            raise ValueError("the retry budget must be positive")


@dataclass(slots=True)
class DeliveryCounters:
    """Plain counters for metrics and reports."""

    delivered: int = 0
    retried: int = 0  # 5xx, timeouts: within the retry budget
    throttled: int = 0  # 429: the channel slowed down, never a dead letter
    dead: int = 0
    released: int = 0  # given back unsent: missed slot, throttled channel, shutdown
    lease_expired: int = 0  # claimed posts left for a later claim because the lease ran short

    def add(self, other: DeliveryCounters) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


Hook = Callable[[OutboxMessage], None]


@dataclass(frozen=True, slots=True)
class DeliveryHooks:
    """Optional callbacks after an outcome is stored (e.g. Prometheus counters)."""

    delivered: Hook | None = None
    retried: Hook | None = None
    dead: Hook | None = None
    throttled: Hook | None = None
