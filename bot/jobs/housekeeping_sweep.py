"""Housekeeping: forget what only mattered for a while, so tables stop growing without end.

- Inbound de-duplication keys (R2) after 7 days: Slack retries within minutes and Teams
  redelivers within hours; a key older than a week guards nothing.
- Sent outbox posts after 30 days (kept that long to answer "was it posted, and as which
  message?"); dead letters stay until an operator deals with them.
- Attachments of cases closed 30 days ago (CONV-5): their content is deleted from the
  attachment storage and their rows marked purged (kept, so a reopened case can say so).

It runs at most once an hour (a timer), deletes in bounded batches through indexes, and queues
no notices, so its share of a pass stays small whatever the size of the tables.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.policy.config import PolicyConfig
from bot.policy.conversation import ATTACHMENT_RETENTION
from bot.store.interface import Store
from bot.store.interface.conversations import AttachmentStorage

Sweep = Callable[[Store, PolicyConfig, datetime], Awaitable[int]]  # as bot.jobs.sweeps.Sweep
TIMER_KIND = "housekeeping"
TIMER_SUBJECT = "all"
EVERY = timedelta(hours=1)
INBOUND_KEPT = timedelta(days=7)
SENT_POSTS_KEPT = timedelta(days=30)
BATCH = 5_000
MAX_BATCHES = 10  # per run: a large backlog is worked off over several hours, never in one pass


async def sweep_housekeeping(
    store: Store, config: PolicyConfig, now: datetime, storage: AttachmentStorage | None = None
) -> int:
    """Prune old de-duplication keys and sent posts when the hourly timer is due; queues nothing."""
    del config  # the retention periods are operational, not support policy
    async with store.unit_of_work() as uow:
        timer = await uow.timers.get(TIMER_KIND, TIMER_SUBJECT)
        if timer is not None and timer.due_at > now:
            return 0
        await uow.timers.set(TIMER_KIND, TIMER_SUBJECT, now + EVERY)
        await uow.commit()
    for _ in range(MAX_BATCHES):
        async with store.unit_of_work() as uow:
            keys = await uow.inbound.prune(now - INBOUND_KEPT, BATCH)
            posts = await uow.outbox.prune_sent(now - SENT_POSTS_KEPT, BATCH)
            await uow.commit()
        if keys < BATCH and posts < BATCH:
            break
    if storage is not None:
        await purge_attachments(store, storage, now)
    return 0


def housekeeping(storage: AttachmentStorage | None) -> Sweep:
    """The housekeeping sweep of a deployment that keeps attachments in `storage`."""

    async def sweep(store: Store, config: PolicyConfig, now: datetime) -> int:
        return await sweep_housekeeping(store, config, now, storage)

    return sweep


async def purge_attachments(store: Store, storage: AttachmentStorage, now: datetime) -> int:
    """CONV-5: delete the content of attachments of cases closed `ATTACHMENT_RETENTION` ago.

    The content goes first and the row is marked after: a crash in between deletes it again
    (absent content is no error) rather than keeping content whose row says it is gone.
    """
    purged = 0
    for _ in range(MAX_BATCHES):
        async with store.unit_of_work(read_only=True) as uow:
            due = await uow.attachments.purgeable(now - ATTACHMENT_RETENTION, BATCH)
        for attachment in due:
            await storage.delete(attachment.storage_key)
        async with store.unit_of_work() as uow:
            await uow.attachments.mark_purged([a.id for a in due if a.id is not None], now)
            await uow.commit()
        purged += len(due)
        if len(due) < BATCH:
            break
    return purged
