"""Outbox delivery (R3, R4, P6): claim due posts with send slots, deliver, record the outcome.

Claims are small: a few posts per channel, with send slots at most `horizon_seconds` ahead, from
the channel's rate budget in the database (`Store.outbox.claim_paced`), so any number of
replicas together keep each channel's rate. Leases are short (`lease_seconds` past the horizon)
and renewed while the worker holds the posts, so a worker killed with `kill -9` delays the posts
it held by well under a minute. A post that cannot start in its slot is given back, not sent
late. At-least-once: a row is marked sent only after its platform accepted it; a post cut off on
the wire (shutdown, crash) is posted again by the next claim, so it may arrive twice.

`drain(now)` delivers what is due by `now` and returns (one scheduler pass, `scheduler
run-once`); `run(stop)` keeps delivering until `stop` is set, then gives back what has not
started and lets posts on the wire finish for `stop_grace_seconds` (`serve`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.jobs.delivery import Deliverer
from bot.jobs.delivery_settings import DeliveryCounters, DeliveryHooks, DeliverySettings
from bot.jobs.outbox_calls import call_platform
from bot.jobs.outbox_outcomes import Kind, Outcome, OutcomeWriter
from bot.jobs.outbox_session import Channel, Held, Session, renew_leases
from bot.jobs.pacing import Monotonic, Pacer
from bot.model import Platform
from bot.store.interface import Store
from bot.store.interface.outbox import PacingPlan

log = logging.getLogger(__name__)

__all__ = ["DeliveryCounters", "DeliveryHooks", "DeliverySettings", "OutboxWorker"]

MAX_LEAD = 2.0  # seconds
MISSED_ROUNDS = 50  # a drain claims posts that missed their slot again at most this often


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
        monotonic: Monotonic | None = None,
        rng: random.Random | None = None,
        hooks: DeliveryHooks | None = None,
    ) -> None:
        self._store = store
        self._deliverers = dict(deliverers)
        self.settings = settings or DeliverySettings()
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self._pacer = pacer or Pacer(monotonic=monotonic or time.monotonic)
        self._monotonic = self._pacer.monotonic
        self._writer = OutcomeWriter(
            store, self.owner, self.settings, hooks or DeliveryHooks(), rng or random.Random()
        )
        self._wire = asyncio.Semaphore(self.settings.concurrency)
        s = self.settings
        self._plan = PacingPlan(
            intervals=self._pacer.intervals(),
            channels=s.channels_per_claim,
            per_channel=s.posts_per_channel,
            horizon=timedelta(seconds=s.horizon_seconds),
            lease=timedelta(seconds=s.lease_seconds),
            guard=s.guard_seconds,
        )
        self._claim_seconds = 0.0  # how long claims take lately (the slots' lead)
        self.heartbeat: float = self._monotonic()  # the last time the worker did anything
        self.wake = asyncio.Event()  # set by whoever queued posts: look at once, not next tick

    @property
    def counters(self) -> DeliveryCounters:
        """Every outcome this worker stored, over all drains."""
        return self._writer.total

    def retry_delay(self, attempts: int, after_seconds: float | None) -> timedelta:
        return self._writer.retry_delay(attempts, after_seconds)

    async def drain(self, now: datetime) -> DeliveryCounters:
        """Deliver the posts due by `now` (retries falling due later wait for the next pass)."""
        return await self._session(Session(now, self._monotonic(), False, asyncio.Event()))

    async def run(self, stop: asyncio.Event, clock: Callable[[], datetime]) -> None:
        """Deliver until `stop` is set (`serve`); survives database and adapter errors."""
        while not stop.is_set():
            # A session ends whenever it runs out of work: the next one starts afresh from the
            # wall clock, and what it remembered per channel is forgotten.
            try:
                await self._session(Session(clock(), self._monotonic(), True, stop))
            except Exception:
                log.exception("outbox delivery failed; trying again")
            await self._idle(stop)

    # -- one session: claim, deliver, record ------------------------------------------------

    def _at(self, state: Session) -> datetime:
        return state.base + timedelta(seconds=self._monotonic() - state.started)

    async def _session(self, state: Session) -> DeliveryCounters:
        renewer = asyncio.create_task(
            renew_leases(self._store, self.owner, state, self._plan, lambda: self._at(state))
        )
        try:
            await self._loop(state)
        except asyncio.CancelledError:
            # Cancelled from outside: stop dead, like a killed process; leases run out.
            state.killed = True
            tasks = [*state.runners, *([state.writer] if state.writer else [])]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._writer.discard()
            raise
        else:
            await self._finish(state)
        finally:
            renewer.cancel()
            await asyncio.gather(renewer, return_exceptions=True)
        if state.failure is not None:
            raise state.failure
        return state.counters

    async def _loop(self, state: Session) -> None:
        s = self.settings
        while not state.stop.is_set():
            if state.failure is not None:
                return
            self.heartbeat = self._monotonic()
            room = s.max_in_flight - len(state.held)
            claimed = 0
            if state.want_claim and room > 0:
                state.want_claim = False
                claimed = await self._claim(state)
                if claimed >= s.channels_per_claim:
                    state.want_claim = True  # there may be more channels due
                    continue
            if not state.held and not claimed:
                if state.missed and state.rounds < MISSED_ROUNDS:
                    # Posts given back for a missed slot are still due in this drain: once the
                    # release is stored, claim them again with fresh slots.
                    state.missed, state.rounds = 0, state.rounds + 1
                    if state.writer is not None:
                        await asyncio.gather(state.writer, return_exceptions=True)
                    await self._pacer.wait(self.settings.guard_seconds)
                    state.want_claim = True
                    continue
                return
            state.progress.clear()
            waits = [asyncio.ensure_future(state.progress.wait())]
            waits.append(asyncio.ensure_future(state.stop.wait()))
            timeout = s.idle_seconds if state.follow else None
            done, pending = await asyncio.wait(
                waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
            if state.follow and (not done or self.wake.is_set()):
                self.wake.clear()
                state.want_claim = True  # new posts may have been queued meanwhile

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait until posts may be due: `idle_seconds`, or at once when someone queued some."""
        self.heartbeat = self._monotonic()
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
        _, pending = await asyncio.wait(
            waits, timeout=self.settings.idle_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        self.wake.clear()

    async def _claim(self, state: Session) -> int:
        """Lease due posts with their slots; how many channels they came from."""
        at = self._at(state)
        due_by = at if state.follow else state.base
        # Slots start once the claim is likely done: nothing can go out before it anyway, and a
        # batch that started late would have to give its last posts back.
        plan = replace(self._plan, lead=min(1.5 * self._claim_seconds, MAX_LEAD))
        began = self._monotonic()
        async with self._store.unit_of_work() as uow:
            claimed = await uow.outbox.claim_paced(self.owner, at, due_by, plan)
            await uow.commit()
        took = self._monotonic() - began
        self._claim_seconds = (
            took if took > self._claim_seconds else (self._claim_seconds + took) / 2
        )
        until = at + self._plan.horizon + self._plan.lease
        channels: set[Channel] = set()
        for post in claimed:
            held = Held(post, until)
            state.held[post.message.id] = held
            key = (post.message.platform, post.message.target)
            channels.add(key)
            queue = state.queues.get(key)
            if queue is None:
                queue = state.queues[key] = deque()
                task = asyncio.create_task(self._run_channel(state, key, queue))
                state.runners.add(task)
                task.add_done_callback(state.runners.discard)
            queue.append(held)
        return len(channels)

    async def _run_channel(self, state: Session, key: Channel, queue: deque[Held]) -> None:
        try:
            while queue:
                held = queue[0]
                try:
                    await self._deliver(state, key, held)
                finally:
                    queue.popleft()
                    state.held.pop(held.post.message.id, None)
                    state.progress.set()
        except asyncio.CancelledError:
            raise
        except Exception as err:  # handed to the session, which re-raises it
            state.failure = state.failure or err
            state.progress.set()
        finally:
            if state.queues.get(key) is queue:
                del state.queues[key]
            # The channel's next posts (if any) can be claimed now.
            state.want_claim = True
            state.progress.set()

    async def _deliver(self, state: Session, key: Channel, held: Held) -> None:
        message, slot = held.post.message, held.post.slot
        interval = timedelta(seconds=self._pacer.interval(message.platform))
        last = state.last_start.get(key)
        start = max(slot, last + interval) if last is not None else slot
        on_wire = False
        try:
            if not await self._wait_until(state, start):
                self._record(state, Outcome(message, Kind.RELEASE, self._at(state)))
                return
            async with self._wire:
                at = self._at(state)
                throttled = state.throttled.get(key)
                guard = timedelta(seconds=self.settings.guard_seconds)
                # Late is past the batch's last slot: the next replica's slots start after it,
                # unless no one has taken slots since and ours can be moved along.
                end = max(held.post.batch_end, state.extended.get(key, held.post.batch_end))
                late = interval > timedelta(0) and at > end + guard
                if late and throttled is None and not state.stop.is_set():
                    late = not await self._extend(state, key, end, at, interval + guard)
                if (throttled is not None and at < throttled) or late or state.stop.is_set():
                    # Another replica may own the next slots: never send outside ours (R4, P6).
                    self._record(state, Outcome(message, Kind.RELEASE, at))
                    state.missed += late and throttled is None
                    return
                margin = timedelta(seconds=self.settings.lease_margin_seconds)
                if at >= held.leased_until - margin:
                    # Another worker may claim it once our lease ends: posting could double it.
                    state.counters.lease_expired += 1
                    self.counters.lease_expired += 1
                    state.missed += 1
                    return
                state.last_start[key] = at
                on_wire = True

                def started() -> None:
                    state.last_start[key] = self._at(state)

                outcome = await call_platform(
                    self._deliverers, self.settings, message, lambda: self._at(state), started
                )
        except asyncio.CancelledError:
            # Shutdown: unsent, or cut off on the wire (it may have arrived: at-least-once).
            kind = Kind.ABANDON if on_wire else Kind.RELEASE
            self._record(state, Outcome(message, kind, self._at(state)))
            raise
        if outcome.kind is Kind.THROTTLED:
            after = outcome.after_seconds
            wait = self.settings.throttle_default_seconds if after is None else after
            state.throttled[key] = outcome.at + timedelta(seconds=wait)
        self._record(state, outcome)

    async def _extend(
        self, state: Session, key: Channel, end: datetime, at: datetime, step: timedelta
    ) -> bool:
        try:
            async with self._store.unit_of_work() as uow:
                moved = await uow.outbox.extend_pacing(key[0], key[1], end + step, at + step)
                await uow.commit()
        except Exception:
            log.exception("could not extend the send slots of %s %s", key[0].value, key[1])
            return False
        if moved:
            state.extended[key] = at
        return moved

    async def _wait_until(self, state: Session, start: datetime) -> bool:
        """Wait for `start` by the pacer's clock; False if told to stop meanwhile."""
        delay = (start - self._at(state)).total_seconds()
        if delay <= 0:
            return not state.stop.is_set()
        waiting = asyncio.ensure_future(self._pacer.wait(delay))
        stopping = asyncio.ensure_future(state.stop.wait())
        await asyncio.wait((waiting, stopping), return_when=asyncio.FIRST_COMPLETED)
        for task in (waiting, stopping):
            task.cancel()
        return not state.stop.is_set()

    def _record(self, state: Session, outcome: Outcome) -> None:
        if state.killed:
            return
        self._writer.take(outcome)
        if state.writer is None or state.writer.done():
            state.writer = asyncio.create_task(self._write(state))

    async def _write(self, state: Session) -> None:
        try:
            await self._writer.write(state.counters)
        except Exception as err:  # handed to the session; the posts' leases run out, none lost
            state.failure = state.failure or err
            state.progress.set()

    async def _finish(self, state: Session) -> None:
        """Let posts on the wire finish (within the grace on shutdown), store every outcome."""
        if state.runners:
            grace = self.settings.stop_grace_seconds if state.stop.is_set() else None
            if state.failure is None:
                await asyncio.wait(set(state.runners), timeout=grace)
            for task in list(state.runners):
                task.cancel()
            await asyncio.gather(*state.runners, return_exceptions=True)
        # Held posts never started (a runner cut short): give them back at once.
        for held in list(state.held.values()):
            self._record(state, Outcome(held.post.message, Kind.RELEASE, self._at(state)))
        state.held.clear()
        while state.writer is not None and not state.writer.done():
            await state.writer
        if self._writer.waiting:
            await self._write(state)
