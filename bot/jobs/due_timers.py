"""Working through due timers in short units of work (P3, R4), and the directory they look up.

`uow.timers.due` returns the earliest due timers and, on PostgreSQL, locks them with `SKIP
LOCKED`, so two schedulers work on different timers and neither waits for the other. A handler
moves its timer past `now` (or removes it) in the same unit of work as the posts it queued, so a
timer is handled, and its posts queued, exactly once even when a process dies in between.

Timers are taken a batch per unit of work: a transaction per timer costs more than the work
itself (P3). A `BatchHandler` also reads what the whole batch needs up front and writes what it
collected at the end, a few statements per batch instead of several per timer. When one timer's
handling fails, the batch is rolled back, that timer is put off by `RETRY_AFTER`, and the others
are taken again by the next batch. When the batch's closing writes fail, no one timer is to
blame yet: its timers are then taken again one per unit of work, which finds the culprit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.store.interface import Store, UnitOfWork
from bot.store.interface.timers import Timer

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Timer], Awaitable[int]]

RETRY_AFTER = timedelta(minutes=5)  # a timer whose handler failed is tried again this much later
BATCH = 50  # timers per unit of work for a plain `Handler`: short transactions, few commits


class BatchHandler(Protocol):
    """Handles a batch of timers in one unit of work: read once, handle each, write once."""

    async def start(self, uow: UnitOfWork, timers: Sequence[Timer]) -> None:
        """Read what the batch needs in bulk; called before the first `handle`."""
        ...

    async def handle(self, uow: UnitOfWork, timer: Timer) -> int:
        """Handle one timer; how many notices it queued itself (not those left for `finish`)."""
        ...

    async def finish(self, uow: UnitOfWork) -> int:
        """Write what `handle` collected; how many of its notices were new."""
        ...


class _Each:
    """A plain per-timer `Handler` as a `BatchHandler` with nothing to read or write in bulk."""

    def __init__(self, handle: Handler) -> None:
        self._handle = handle

    async def start(self, uow: UnitOfWork, timers: Sequence[Timer]) -> None:
        return None

    async def handle(self, uow: UnitOfWork, timer: Timer) -> int:
        return await self._handle(uow, timer)

    async def finish(self, uow: UnitOfWork) -> int:
        return 0


class _Failed(Exception):
    """A batch failed; `timer` is the culprit when one is known."""

    def __init__(self, timer: Timer | None) -> None:
        super().__init__(f"timer {timer.subject}" if timer else "the batch's reads or writes")
        self.timer = timer


async def _handle_batch(handler: BatchHandler, uow: UnitOfWork, timers: Sequence[Timer]) -> int:
    """Start, handle each timer, finish; how many notices were queued."""
    sole = timers[0] if len(timers) == 1 else None
    try:
        await handler.start(uow, timers)
    except Exception as exc:
        raise _Failed(sole) from exc
    done = 0
    for timer in timers:
        try:
            done += await handler.handle(uow, timer)
        except Exception as exc:
            raise _Failed(timer) from exc
    try:
        return done + await handler.finish(uow)
    except Exception as exc:
        raise _Failed(sole) from exc


async def work_through(
    store: Store,
    kind: str,
    now: datetime,
    handle: Handler | BatchHandler,
    retry_after: timedelta = RETRY_AFTER,
    batch: int = BATCH,
) -> int:
    """Handle every `kind` timer due by `now`; how many notices the handlers queued."""
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    handler = _Each(handle) if callable(handle) else handle
    queued = 0
    seen: set[str] = set()
    singly = 0  # units of work of one timer still to take, to find the culprit of a failed batch
    while True:
        failed: Timer | None = None
        limit = 1 if singly else batch
        singly = max(singly - 1, 0)
        async with store.unit_of_work() as uow:
            due = await uow.timers.due(until=now, kind=kind, limit=limit)
            if not due:
                return queued
            fresh = [t for t in due if t.subject not in seen]
            for timer in due:
                if timer.subject in seen:
                    # Its handler left it due: defer it rather than loop on it in this pass.
                    log.error("%s timer %s still due after handling; deferred", kind, timer.subject)
                    await uow.timers.set(kind, timer.subject, now + retry_after, timer.payload)
            try:
                done = await _handle_batch(handler, uow, fresh) if fresh else 0
            except _Failed as failure:
                # One bad case must not stop the sweep: try it again later, the rest now.
                failed = failure.timer
                if failed is None:
                    log.exception("%s: %s failed; one timer at a time now", kind, failure)
                    singly = len(fresh)
                else:
                    log.exception("%s %s failed; retry in %s", kind, failure, retry_after)
            else:
                await uow.commit()
                queued += done
                seen.update(t.subject for t in due)
        if failed is not None:
            async with store.unit_of_work() as uow:
                await uow.timers.set(kind, failed.subject, now + retry_after, failed.payload)
                await uow.commit()
