"""Housekeeping: forget what only mattered for a while, so tables stop growing without end.

- Inbound de-duplication keys (R2) after 7 days: Slack retries within minutes and Teams
  redelivers within hours; a key older than a week guards nothing.
- Sent outbox posts after 30 days (kept that long to answer "was it posted, and as which
  message?"); dead letters stay until an operator deals with them.

It runs at most once an hour (a timer), deletes in bounded batches through indexes, and queues
no notices, so its share of a pass stays small whatever the size of the tables.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.policy.config import PolicyConfig
from bot.store.interface import Store

TIMER_KIND = "housekeeping"
TIMER_SUBJECT = "all"
EVERY = timedelta(hours=1)
INBOUND_KEPT = timedelta(days=7)
SENT_POSTS_KEPT = timedelta(days=30)
BATCH = 5_000
MAX_BATCHES = 10  # per run: a large backlog is worked off over several hours, never in one pass


async def sweep_housekeeping(store: Store, config: PolicyConfig, now: datetime) -> int:
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
    return 0
