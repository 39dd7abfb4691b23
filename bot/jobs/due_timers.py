"""Working through due timers in short units of work (P3, R4), and the directory they look up.

`uow.timers.due` returns the earliest due timers and, on PostgreSQL, locks them with `SKIP
LOCKED`, so two schedulers work on different timers and neither waits for the other. A handler
moves its timer past `now` (or removes it) in the same unit of work as the posts it queued, so a
timer is handled, and its posts queued, exactly once even when a process dies in between.

Timers are taken a small batch per unit of work: a transaction per timer costs more than the
work itself on SQLite (P3). When one handler fails, the batch is rolled back, that timer is put
off by `RETRY_AFTER`, and the others are taken again by the next batch.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.model import Account, ChannelBinding, Priority
from bot.store.interface import Store, Timer, UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Timer], Awaitable[int]]

RETRY_AFTER = timedelta(minutes=5)  # a timer whose handler failed is tried again this much later
BATCH = 50  # timers per unit of work: short transactions, few commits


async def work_through(
    store: Store,
    kind: str,
    now: datetime,
    handle: Handler,
    retry_after: timedelta = RETRY_AFTER,
    batch: int = BATCH,
) -> int:
    """Handle every `kind` timer due by `now`; how many notices the handlers queued."""
    queued = 0
    seen: set[str] = set()
    while True:
        failed: Timer | None = None
        async with store.unit_of_work() as uow:
            due = await uow.timers.due(until=now, kind=kind, limit=batch)
            if not due:
                return queued
            done = 0
            for timer in due:
                if timer.subject in seen:
                    # Its handler left it due: defer it rather than loop on it in this pass.
                    log.error("%s timer %s still due after handling; deferred", kind, timer.subject)
                    await uow.timers.set(kind, timer.subject, now + retry_after, timer.payload)
                    continue
                try:
                    done += await handle(uow, timer)
                except Exception:
                    # One bad case must not stop the sweep: try it again later, the rest now.
                    log.exception(
                        "%s timer %s failed; retry in %s", kind, timer.subject, retry_after
                    )
                    failed = timer
                    break
            if failed is None:
                await uow.commit()
                queued += done
                seen.update(t.subject for t in due)
        if failed is not None:
            async with store.unit_of_work() as uow:
                await uow.timers.set(kind, failed.subject, now + retry_after, failed.payload)
                await uow.commit()


class DirectoryCache:
    """Accounts and channel bindings looked up once per sweep; the directory rarely changes."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account | None] = {}
        self._queues: dict[tuple[str, Priority], list[ChannelBinding]] = {}
        self._own: dict[str, list[ChannelBinding]] = {}

    async def account(self, uow: UnitOfWork, account_id: str) -> Account | None:
        if account_id not in self._accounts:
            self._accounts[account_id] = await uow.directory.account(account_id)
        return self._accounts[account_id]

    async def queue_channels(
        self, uow: UnitOfWork, region: str, priority: Priority
    ) -> list[ChannelBinding]:
        key = (region, priority)
        if key not in self._queues:
            self._queues[key] = await uow.directory.queue_channels(region, priority)
        return self._queues[key]

    async def account_channels(self, uow: UnitOfWork, account_id: str) -> list[ChannelBinding]:
        if account_id not in self._own:
            self._own[account_id] = await uow.directory.account_channels(account_id)
        return self._own[account_id]
