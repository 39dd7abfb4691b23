"""P6: a 1,000-post backlog across 200 Slack channels, drained through the outbox worker.

The worker runs with its real pacing (1 message per second per Slack channel) against a fake
deliverer that records when each post arrived. The rate limits allow the drain in
(posts per channel - 1) seconds: 1000 / 200 = 5 posts a channel, so about 4 s. Prints the drain
time against that minimum (target: within 10%) and the tightest gap seen between two posts to
one channel (must never be under 1 s).

Run: `python bench/p6_fanout.py [--posts 1000] [--channels 200] [--database URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bot.commands.payload import encode
from bot.jobs.delivery import Delivered
from bot.jobs.outbox_worker import OutboxWorker
from bot.messages import Audience, Message, Reply
from bot.model import Platform
from bot.store.interface import OutboxItem, OutboxMessage, TargetKind
from bot.store.sql import SqlStore, open_store

NOW = datetime(2026, 5, 5, 15, 0, tzinfo=UTC)


class TimingDeliverer:
    """Records the monotonic arrival time of every post, per channel."""

    platform = Platform.SLACK

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = defaultdict(list)

    async def deliver(self, message: OutboxMessage, reply: Reply) -> Delivered:
        self.arrivals[message.target].append(time.monotonic())
        return Delivered(str(message.id))


async def seed(store: SqlStore, posts: int, channels: int) -> None:
    payload = encode(Reply(Message("Backlog post"), Audience.CHANNEL))
    async with store.unit_of_work() as uow:
        # Channel by channel, the worst order for a worker that drains batch after batch.
        for i in range(posts):
            channel = f"C{i * channels // posts:04d}"
            item = OutboxItem(f"p6:{i}", Platform.SLACK, channel, TargetKind.CHANNEL, payload, NOW)
            await uow.outbox.add(item)
        await uow.commit()


async def run(url: str, posts: int, channels: int) -> None:
    store = await open_store(url, auto_upgrade=True)
    try:
        await seed(store, posts, channels)
        deliverer = TimingDeliverer()
        worker = OutboxWorker(store, {Platform.SLACK: deliverer})
        started = time.monotonic()
        counts = await worker.drain(NOW)
        drained = time.monotonic() - started
    finally:
        await store.close()
    per_channel = max(len(a) for a in deliverer.arrivals.values())
    allowed = float(per_channel - 1)  # the first post of each channel may go at once
    gaps = [b - a for arr in deliverer.arrivals.values() for a, b in itertools.pairwise(arr)]
    print(f"P6 on {store.dialect}: {posts:,} posts across {len(deliverer.arrivals)} Slack channels")
    print(f"  delivered {counts.delivered:,}, retried {counts.retried}, dead {counts.dead}")
    print(f"  drain time {drained:.3f} s; the limits allow {allowed:.3f} s")
    print(f"  overhead {(drained / allowed - 1) * 100 if allowed else 0:.1f}% (target within 10%)")
    print(f"  tightest gap between two posts to one channel: {min(gaps, default=0):.3f} s (>= 1 s)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--database", default=None, help="a database URL; default a temp SQLite")
    args = parser.parse_args()
    if args.database:
        await run(args.database, args.posts, args.channels)
        return
    with tempfile.TemporaryDirectory() as tmp:
        await run(f"sqlite+aiosqlite:///{Path(tmp) / 'p6.db'}", args.posts, args.channels)


if __name__ == "__main__":
    asyncio.run(main())
