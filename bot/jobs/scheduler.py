"""The scheduler: one pass runs every sweep, then delivers the outbox; `Scheduler` repeats it.

Passes are idempotent and leaderless: timers are claimed with `SKIP LOCKED` and every notice has
a unique de-duplication key, so any number of replicas may run passes at once (R4).

Downtime: a pass always runs at the current time; missed passes are never replayed one by one.
Each sweep posts once for what fell due meanwhile (the highest SLA threshold passed, the current
follow-up step, the current incident slot), so a restart brings one catch-up post, not a burst.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.jobs.delivery import Deliverer
from bot.jobs.outbox_worker import DeliveryCounters, OutboxWorker
from bot.jobs.sweeps import SWEEPS, Sweep
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.interface import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

DELIVERY = "delivery"


@dataclass(frozen=True, slots=True)
class PassReport:
    """What one pass did: notices queued per sweep, delivery counts, and what failed."""

    at: datetime
    queued: Mapping[str, int]
    delivery: DeliveryCounters = field(default_factory=DeliveryCounters)
    failed: tuple[str, ...] = ()

    @property
    def total_queued(self) -> int:
        return sum(self.queued.values())


def utc_now() -> datetime:
    """The wall clock, aware UTC."""
    return datetime.now(UTC)


async def run_once(
    store: Store,
    config: PolicyConfig,
    now: datetime,
    deliverers: Mapping[Platform, Deliverer],
    *,
    worker: OutboxWorker | None = None,
    sweeps: Sequence[tuple[str, Sweep]] = SWEEPS,
    deliver: bool = True,
) -> PassReport:
    """One pass at `now`: every sweep, then the outbox drained through `deliverers`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now.isoformat()}: a pass needs an aware `now`")
    queued: dict[str, int] = {}
    failed: list[str] = []
    for name, sweep in sweeps:
        try:
            queued[name] = await sweep(store, config, now)
        except Exception:
            # One broken sweep must not stop the others or the delivery of what is queued.
            log.exception("sweep %s failed at %s", name, now.isoformat())
            failed.append(name)
    delivery = DeliveryCounters()
    if deliver:
        worker = worker or OutboxWorker(store, deliverers)
        try:
            delivery = await worker.drain(now)
        except Exception:
            log.exception("outbox delivery failed at %s", now.isoformat())
            failed.append(DELIVERY)
    return PassReport(now, queued, delivery, tuple(failed))


class Scheduler:
    """Runs `run_once` every `interval_seconds` until stopped (`supportbot serve`)."""

    def __init__(
        self,
        store: Store,
        config: PolicyConfig,
        deliverers: Mapping[Platform, Deliverer],
        interval_seconds: float = 30.0,
        clock: Clock = utc_now,
        *,
        worker: OutboxWorker | None = None,
        sweeps: Sequence[tuple[str, Sweep]] = SWEEPS,
        on_pass: Callable[[PassReport], None] | None = None,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError(f"interval_seconds must be positive, got {interval_seconds}")
        self._store = store
        self._config = config
        self._clock = clock
        self._sweeps = tuple(sweeps)
        self.interval_seconds = interval_seconds
        self.worker = worker or OutboxWorker(store, deliverers)
        self._on_pass = on_pass  # e.g. metrics of what each sweep queued
        self.last_pass_at: datetime | None = None  # for /healthz
        self.last_report: PassReport | None = None
        self.passes = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run_pass(self) -> PassReport:
        """One pass now; the worker (and its pacing) is shared across passes."""
        now = self._clock()
        report = await run_once(
            self._store, self._config, now, {}, worker=self.worker, sweeps=self._sweeps
        )
        self.last_pass_at = now
        self.last_report = report
        self.passes += 1
        if self._on_pass is not None:
            self._on_pass(report)
        return report

    async def start(self) -> None:
        """Start passing in the background; a second start is a no-op."""
        if self.running:
            return
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="supportbot-scheduler")

    async def stop(self) -> None:
        """Stop after the current pass finishes (a pass is never cut in half)."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_pass()
            except Exception:
                log.exception("scheduler pass failed")
            try:
                await asyncio.wait_for(self._stopping.wait(), self.interval_seconds)
            except TimeoutError:
                continue
