"""Working through due timers one unit of work at a time (P3, R4).

`uow.timers.due` returns the earliest due timer and, on PostgreSQL, locks it with `SKIP LOCKED`,
so two schedulers work on different timers and neither waits for the other. The handler moves
the timer past `now` (or removes it) in the same unit of work as the posts it queued, so a timer
is handled, and its posts queued, exactly once even when a process dies in between.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.store.interface import Store, Timer, UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Timer], Awaitable[int]]

RETRY_AFTER = timedelta(minutes=5)  # a timer whose handler failed is tried again this much later


async def work_through(
    store: Store, kind: str, now: datetime, handle: Handler, retry_after: timedelta = RETRY_AFTER
) -> int:
    """Handle every `kind` timer due by `now`, each in its own unit of work; notices queued."""
    queued = 0
    seen: set[str] = set()
    while True:
        failed: Timer | None = None
        async with store.unit_of_work() as uow:
            due = await uow.timers.due(until=now, kind=kind, limit=1)
            if not due:
                return queued
            timer = due[0]
            if timer.subject in seen:
                # The handler left it due: defer rather than loop on it within this pass.
                log.error("%s timer %s still due after handling; deferred", kind, timer.subject)
                await uow.timers.set(kind, timer.subject, now + retry_after, timer.payload)
                await uow.commit()
                continue
            seen.add(timer.subject)
            try:
                queued += await handle(uow, timer)
                await uow.commit()
            except Exception:
                # One bad case must not stop the sweep: log it and try it again later.
                log.exception(
                    "%s timer %s failed; retrying in %s", kind, timer.subject, retry_after
                )
                failed = timer
        if failed is not None:
            async with store.unit_of_work() as uow:
                await uow.timers.set(kind, failed.subject, now + retry_after, failed.payload)
                await uow.commit()
