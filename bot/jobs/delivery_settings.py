"""The outbox worker's knobs, counters and metric hooks (R3, P6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.store.interface import OutboxMessage


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How the worker claims, paces, retries and gives up."""

    batch: int = 200  # rows per claim
    max_in_flight: int = 2000  # claimed but not yet finished rows
    lease_seconds: int = 300
    lease_margin_seconds: float = 15.0  # never start a post this close to the lease's end
    max_attempts: int = 8  # then dead-letter, keeping the last error
    concurrency: int = 20  # posts on the wire at once, across channels
    timeout_seconds: float = 30.0  # one platform call
    backoff_base_seconds: float = 5.0
    backoff_cap_seconds: float = 3600.0


@dataclass(slots=True)
class DeliveryCounters:
    """Plain counters for metrics (the serve issue exports them)."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    lease_expired: int = 0  # claimed rows left for a later claim because the lease ran short

    def add(self, other: DeliveryCounters) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        self.lease_expired += other.lease_expired


Hook = Callable[[OutboxMessage], None]


@dataclass(frozen=True, slots=True)
class DeliveryHooks:
    """Optional callbacks after an outcome is stored (e.g. Prometheus counters)."""

    delivered: Hook | None = None
    retried: Hook | None = None
    dead: Hook | None = None
