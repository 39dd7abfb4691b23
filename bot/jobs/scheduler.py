"""The scheduler: one pass runs every sweep, then delivers the outbox (`run_once`, for cron and
tests); `Scheduler` runs the sweeps and the delivery as two independent loops (`serve`).

Passes are idempotent and leaderless: timers are claimed with `SKIP LOCKED` and every notice has
a unique de-duplication key, so any number of replicas may run passes at once (R4).

Downtime: a pass always runs at the current time; missed passes are never replayed one by one.
Each sweep posts once for what fell due meanwhile (the highest SLA threshold passed, the current
follow-up step, the current incident slot), so a restart brings one catch-up post, not a burst.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
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
    """`supportbot serve`'s due work: sweeps every `interval_seconds`, and delivery, apart.

    The sweeps and the outbox worker are independent loops: a throttled or hanging platform
    slows delivery only, never the SLA warnings and incident slots the sweeps queue (R3). On
    `stop` the worker gives back what has not started and lets posts on the wire finish, and a
    sweep pass gets `stop_grace_seconds` to finish (a cut pass rolls back: every sweep is
    idempotent), so the whole stop fits in `serve`'s 25 s.
    """

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
        stop_grace_seconds: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
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
        self._grace = stop_grace_seconds
        self._monotonic = monotonic
        self.last_pass_at: datetime | None = None  # for /healthz
        self.last_report: PassReport | None = None
        self.passes = 0
        self.pass_started: float | None = None  # monotonic, while a pass runs
        self.started: float | None = None
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._tasks)

    async def run_pass(self) -> PassReport:
        """One pass of the sweeps now; what they queued is delivered by the worker's loop."""
        now = self._clock()
        self.pass_started = self._monotonic()
        try:
            report = await run_once(
                self._store, self._config, now, {}, sweeps=self._sweeps, deliver=False
            )
        finally:
            self.pass_started = None
        self.last_pass_at = now
        self.last_report = report
        self.passes += 1
        if report.total_queued:
            self.worker.wake.set()
        if self._on_pass is not None:
            self._on_pass(report)
        return report

    def problems(self, stuck_after_seconds: float) -> list[str]:
        """Why the scheduler is not healthy (for /healthz); empty when it is."""
        now = self._monotonic()
        found: list[str] = []
        if not self.running:
            found.append("the scheduler is not running")
        if self.pass_started is not None and now - self.pass_started > stuck_after_seconds:
            found.append(f"a sweep pass has been running for {now - self.pass_started:.0f} s")
        quiet = now - self.worker.heartbeat
        if self.running and quiet > stuck_after_seconds:
            found.append(f"outbox delivery has not moved for {quiet:.0f} s")
        return found

    async def start(self) -> None:
        """Start both loops in the background; a second start is a no-op."""
        if self.running:
            return
        self._stopping.clear()
        self.started = self._monotonic()
        self._tasks = [
            asyncio.create_task(self._sweep_loop(), name="supportbot-sweeps"),
            asyncio.create_task(self._delivery_loop(), name="supportbot-delivery"),
        ]

    async def stop(self) -> None:
        """Stop both loops: a running pass and posts on the wire get the grace period."""
        self._stopping.set()
        tasks, self._tasks = self._tasks, []
        if not tasks:
            return
        # The loops honour the grace themselves; this bound holds even if a database call hangs.
        _, late = await asyncio.wait(tasks, timeout=self._grace + 2.0)
        for task in late:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _sweep_loop(self) -> None:
        while not self._stopping.is_set():
            passing = asyncio.create_task(self._guarded_pass())
            stopping = asyncio.create_task(self._stopping.wait())
            await asyncio.wait((passing, stopping), return_when=asyncio.FIRST_COMPLETED)
            if not passing.done():
                # Stopping mid-pass: it may finish within the grace, else it is cut (rolled back).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(passing), self._grace)
                passing.cancel()
                await asyncio.gather(passing, return_exceptions=True)
            stopping.cancel()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval_seconds)

    async def _guarded_pass(self) -> None:
        try:
            await self.run_pass()
        except Exception:
            log.exception("scheduler pass failed")

    async def _delivery_loop(self) -> None:
        await self.worker.run(self._stopping, self._clock)
