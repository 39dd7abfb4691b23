"""Outbox delivery (R3, P6): lease due posts, pace them per channel, deliver, record the outcome.

At-least-once: a row is marked sent only after its platform accepted it, and a row whose worker
died keeps its lease only until `lease_seconds` pass, then any worker claims it again. On
PostgreSQL `claim` uses `FOR UPDATE SKIP LOCKED`, so replicas lease disjoint rows.

Claiming is pipelined: new rows are leased while earlier ones still wait for their channel's
slot, so a backlog spread over many channels drains at the pace the rate limits allow rather
than batch by batch. Outcomes are written in small groups by one writer, so SQLite sees one
write transaction at a time.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.commands.payload import PayloadError, decode
from bot.jobs.delivery import Deliverer, DeliveryFailed, RetryLater
from bot.jobs.delivery_settings import DeliveryCounters, DeliveryHooks, DeliverySettings, Hook
from bot.jobs.pacing import Monotonic, Pacer
from bot.messages import Reply
from bot.model import Platform
from bot.store.interface import OutboxMessage, Store, UnitOfWork

log = logging.getLogger(__name__)

__all__ = ["DeliveryCounters", "DeliveryHooks", "DeliverySettings", "OutboxWorker"]


@dataclass(frozen=True, slots=True)
class _Outcome:
    message: OutboxMessage
    kind: str  # "sent" | "retry" | "dead"
    at: datetime
    platform_message_id: str | None = None
    error: str | None = None
    after_seconds: float | None = None


@dataclass(slots=True)
class _Drain:
    """The state of one `drain` call."""

    base: datetime
    started: float
    counters: DeliveryCounters = field(default_factory=DeliveryCounters)
    queues: dict[tuple[Platform, str], deque[tuple[OutboxMessage, float]]] = field(
        default_factory=dict
    )
    runners: set[asyncio.Task[None]] = field(default_factory=set)
    in_flight: int = 0
    progress: asyncio.Event = field(default_factory=asyncio.Event)
    failure: BaseException | None = None
    writer: asyncio.Task[None] | None = None


class OutboxWorker:
    """Delivers pending outbox rows through the platform deliverers."""

    def __init__(
        self,
        store: Store,
        deliverers: Mapping[Platform, Deliverer],
        settings: DeliverySettings | None = None,
        *,
        owner: str | None = None,
        pacer: Pacer | None = None,
        monotonic: Monotonic = time.monotonic,
        rng: random.Random | None = None,
        hooks: DeliveryHooks | None = None,
    ) -> None:
        self._store = store
        self._deliverers = dict(deliverers)
        self.settings = settings or DeliverySettings()
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self._monotonic = monotonic
        self._pacer = pacer or Pacer(monotonic=monotonic)
        self._rng = rng or random.Random()
        self._hooks = hooks or DeliveryHooks()
        self._wire = asyncio.Semaphore(self.settings.concurrency)
        self._outcomes: list[_Outcome] = []
        self.counters = DeliveryCounters()

    async def drain(self, now: datetime) -> DeliveryCounters:
        """Deliver every row due by `now` (and any that fall due meanwhile); this drain's counts."""
        state = _Drain(base=now, started=self._monotonic())
        settings = self.settings
        exhausted = False  # the last claim found fewer due rows than it asked for
        try:
            while True:
                if state.failure is not None:
                    raise state.failure
                room = settings.max_in_flight - state.in_flight
                want = min(room, settings.batch)
                # Claim whole batches: a claim per finished post would cost a transaction each.
                if want > 0 and (
                    state.in_flight == 0 or (room >= settings.batch and not exhausted)
                ):
                    claimed, deadline = await self._claim(state, want)
                    for message in claimed:
                        self._enqueue(state, message, deadline)
                    if not claimed and state.in_flight == 0:
                        break
                    exhausted = len(claimed) < want
                    if not exhausted:
                        continue
                if state.in_flight == 0:
                    continue  # one more claim picks up rows that fell due meanwhile
                state.progress.clear()
                await state.progress.wait()
            while state.writer is not None and not state.writer.done():
                await state.writer  # outcomes are stored before the drain returns
            if state.failure is not None:
                raise state.failure
        finally:
            tasks = [*state.runners, *([state.writer] if state.writer else [])]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return state.counters

    def _elapsed(self, state: _Drain) -> timedelta:
        return timedelta(seconds=self._monotonic() - state.started)

    async def _claim(self, state: _Drain, batch: int) -> tuple[list[OutboxMessage], float]:
        """Lease up to `batch` due rows; also the monotonic instant their posts must start by."""
        at = state.base + self._elapsed(state)
        claimed_at = self._monotonic()
        async with self._store.unit_of_work() as uow:
            rows = await uow.outbox.claim(batch, self.owner, self.settings.lease_seconds, at)
            await uow.commit()
        # The deadline is on our own clock: the lease runs `lease_seconds` from the claim.
        s = self.settings
        return rows, claimed_at + s.lease_seconds - s.lease_margin_seconds

    def _enqueue(self, state: _Drain, message: OutboxMessage, deadline: float) -> None:
        key = (message.platform, message.target)
        state.in_flight += 1
        queue = state.queues.get(key)
        if queue is None:
            queue = state.queues[key] = deque()
            task = asyncio.create_task(self._run_channel(state, key, queue))
            state.runners.add(task)
            task.add_done_callback(state.runners.discard)
        queue.append((message, deadline))

    async def _run_channel(
        self,
        state: _Drain,
        key: tuple[Platform, str],
        queue: deque[tuple[OutboxMessage, float]],
    ) -> None:
        try:
            while queue:
                message, deadline = queue.popleft()
                try:
                    await self._deliver(state, message, deadline)
                finally:
                    state.in_flight -= 1
                    state.progress.set()
        except Exception as err:  # handed to `drain`, which re-raises it
            state.failure = state.failure or err
            state.progress.set()
        finally:
            if state.queues.get(key) is queue:
                del state.queues[key]

    async def _deliver(self, state: _Drain, message: OutboxMessage, deadline: float) -> None:
        try:
            reply = decode(message.payload)
        except PayloadError as err:
            self._record(state, self._outcome(state, message, "dead", error=str(err)))
            return
        deliverer = self._deliverers.get(message.platform)
        if deliverer is None:
            # Configuration can be fixed without losing the post: retry, not dead-letter.
            error = f"{message.platform.value.capitalize()} not configured"
            self._record(state, self._outcome(state, message, "retry", error=error))
            return
        await self._pacer.wait(message.platform, message.target)
        if self._monotonic() >= deadline:
            # Another worker may claim it once our lease ends; posting now could double it (R4).
            state.counters.lease_expired += 1
            self.counters.lease_expired += 1
            return
        async with self._wire:
            self._pacer.confirm(message.platform, message.target)
            outcome = await self._call(state, deliverer, message, reply)
        self._record(state, outcome)

    async def _call(
        self,
        state: _Drain,
        deliverer: Deliverer,
        message: OutboxMessage,
        reply: Reply,
    ) -> _Outcome:
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                delivered = await deliverer.deliver(message, reply)
        except RetryLater as err:
            return self._outcome(
                state, message, "retry", error=str(err) or "retry later", after=err.after_seconds
            )
        except DeliveryFailed as err:
            return self._outcome(state, message, "dead", error=str(err) or "delivery failed")
        except TimeoutError:
            error = f"timed out after {self.settings.timeout_seconds:g} s"
            return self._outcome(state, message, "retry", error=error)
        except Exception as err:  # an adapter bug must not lose the post (R3)
            log.exception("delivery of outbox row %s failed unexpectedly", message.id)
            return self._outcome(state, message, "retry", error=f"{type(err).__name__}: {err}")
        return self._outcome(
            state, message, "sent", platform_message_id=delivered.platform_message_id
        )

    def _outcome(
        self,
        state: _Drain,
        message: OutboxMessage,
        kind: str,
        *,
        error: str | None = None,
        after: float | None = None,
        platform_message_id: str | None = None,
    ) -> _Outcome:
        at = state.base + self._elapsed(state)
        return _Outcome(message, kind, at, platform_message_id, error, after)

    def retry_delay(self, attempts: int, after_seconds: float | None) -> timedelta:
        """RetryLater's `after_seconds` when given; else capped exponential backoff, jittered."""
        if after_seconds is not None:
            return timedelta(seconds=max(after_seconds, 0.0))
        s = self.settings
        ceiling = min(s.backoff_cap_seconds, s.backoff_base_seconds * 2 ** max(attempts - 1, 0))
        # Full jitter over the upper half: spreads a burst of 5xx retries without going to zero.
        return timedelta(seconds=ceiling * self._rng.uniform(0.5, 1.0))

    def _record(self, state: _Drain, outcome: _Outcome) -> None:
        """Hand the outcome to the writer; the channel goes on to its next post meanwhile."""
        self._outcomes.append(outcome)
        if state.writer is None or state.writer.done():
            state.writer = asyncio.create_task(self._write(state))

    async def _write(self, state: _Drain) -> None:
        # One writer at a time: SQLite takes one write transaction at a time anyway.
        try:
            while self._outcomes:
                outcomes, self._outcomes = self._outcomes, []
                stored: list[tuple[str, OutboxMessage]] = []
                async with self._store.unit_of_work() as uow:
                    for item in outcomes:
                        stored.append((await self._store_outcome(uow, item), item.message))
                    await uow.commit()
                for kind, message in stored:
                    self._count(state, kind, message)
        except Exception as err:  # handed to `drain`; the posts' leases run out, nothing is lost
            state.failure = state.failure or err
            state.progress.set()

    async def _store_outcome(self, uow: UnitOfWork, item: _Outcome) -> str:
        message = item.message
        if item.kind == "sent":
            await uow.outbox.mark_sent(message.id, item.platform_message_id, item.at)
            return "sent"
        error = item.error or "unknown error"
        if item.kind == "retry" and message.attempts < self.settings.max_attempts:
            delay = self.retry_delay(message.attempts, item.after_seconds)
            await uow.outbox.mark_retry(message.id, error, item.at + delay)
            return "retry"
        # `attempts` already counts this try: the claim increments it.
        await uow.outbox.mark_dead(message.id, error)
        return "dead"

    def _count(self, state: _Drain, kind: str, message: OutboxMessage) -> None:
        hook: Hook | None
        if kind == "sent":
            state.counters.delivered += 1
            self.counters.delivered += 1
            hook = self._hooks.delivered
        elif kind == "retry":
            state.counters.retried += 1
            self.counters.retried += 1
            hook = self._hooks.retried
        else:
            state.counters.dead += 1
            self.counters.dead += 1
            hook = self._hooks.dead
        if hook is not None:
            hook(message)
