"""P6: a 1,000-post backlog across 200 Slack channels, drained through the outbox worker(s).

The workers run with their real pacing (1 message per second per Slack channel, from the shared
per-channel budget in the database) against a fake deliverer that records when each post
arrived. With `--replicas 2` two workers, each with its own engine (as two `serve` processes
would have), drain the same database at once. The rate limits allow the drain in
(posts per channel - 1) seconds: 1000 / 200 = 5 posts a channel, so about 4 s. Prints the drain
time against that minimum (target: within 10%), the tightest gap seen between two posts to one
channel whoever sent them (must never be under 1 s), and how many posts arrived twice (0).

Run: `python bench/p6_fanout.py [--posts 1000] [--channels 200] [--replicas 2] [--database URL]`.
Two replicas need PostgreSQL (SQLite is one process).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.registry import rate_limits
from bot.casework.payload import encode
from bot.jobs.delivery import Delivered, Deliverer
from bot.jobs.outbox_worker import DeliveryCounters, DeliverySettings, OutboxWorker
from bot.jobs.pacing import Pacer
from bot.messages import Audience, Message, Reply
from bot.model import Platform
from bot.store.interface.outbox import OutboxItem, OutboxMessage, TargetKind
from bot.store.sql import SqlStore, open_store

NOW = datetime(2026, 5, 5, 15, 0, tzinfo=UTC)  # when the backlog was queued


class TimingDeliverer:
    """Records the monotonic arrival time of every post, per channel, for every replica."""

    platform = Platform.SLACK

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.keys: Counter[str] = Counter()
        self.by_replica: Counter[int] = Counter()

    def replica(self, number: int) -> Deliverer:
        parent = self

        class One:
            platform = Platform.SLACK

            async def deliver(self, message: OutboxMessage, reply: Reply) -> Delivered:
                parent.arrivals[message.target].append(time.monotonic())
                parent.keys[message.dedup_key] += 1
                parent.by_replica[number] += 1
                return Delivered(str(message.id))

        return One()


async def seed(store: SqlStore, posts: int, channels: int) -> None:
    payload = encode(Reply(Message("Backlog post"), Audience.CHANNEL))
    async with store.unit_of_work() as uow:
        # Channel by channel, the worst order for a worker that drains batch after batch.
        for i in range(posts):
            channel = f"C{i * channels // posts:04d}"
            item = OutboxItem(f"p6:{i}", Platform.SLACK, channel, TargetKind.CHANNEL, payload, NOW)
            await uow.outbox.add(item)
        await uow.commit()


async def run(url: str, posts: int, channels: int, replicas: int, per_claim: int = 100) -> None:
    stores = [await open_store(url, auto_upgrade=True) for _ in range(replicas)]
    try:
        await seed(stores[0], posts, channels)
        deliverer = TimingDeliverer()
        workers = [
            OutboxWorker(
                store,
                {Platform.SLACK: deliverer.replica(n)},
                DeliverySettings(channels_per_claim=per_claim),
                pacer=Pacer(rate_limits()),
            )
            for n, store in enumerate(stores)
        ]
        started = time.monotonic()
        wall = datetime.now(UTC)

        async def drain(worker: OutboxWorker) -> DeliveryCounters:
            # One timeline for every replica, as hosts share an NTP-synchronised wall clock.
            return await worker.drain(wall + timedelta(seconds=time.monotonic() - started))

        counts = await asyncio.gather(*(drain(w) for w in workers))
        drained = time.monotonic() - started
    finally:
        for store in stores:
            await store.close()
    per_channel = max(len(a) for a in deliverer.arrivals.values())
    allowed = float(per_channel - 1)  # the first post of each channel may go at once
    gaps = [
        b - a for arr in deliverer.arrivals.values() for a, b in itertools.pairwise(sorted(arr))
    ]
    delivered = sum(c.delivered for c in counts)
    twice = sum(1 for n in deliverer.keys.values() if n > 1)
    shares = ", ".join(f"{deliverer.by_replica[n]:,}" for n in range(replicas))
    print(
        f"P6 on {stores[0].dialect}, {replicas} replica(s): {posts:,} posts across "
        f"{len(deliverer.arrivals)} Slack channels"
    )
    print(f"  delivered {delivered:,} (per replica {shares}), arrived twice {twice}")
    released = sum(c.released for c in counts)
    print(f"  given back for a missed slot and sent later: {released}")
    print(f"  drain time {drained:.3f} s; the limits allow {allowed:.3f} s")
    print(f"  overhead {(drained / allowed - 1) * 100 if allowed else 0:.1f}% (target within 10%)")
    print(f"  tightest gap between two posts to one channel: {min(gaps, default=0):.3f} s (>= 1 s)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--replicas", type=int, default=1, help="workers with their own engine")
    parser.add_argument("--per-claim", type=int, default=100, help="channels per claim")
    parser.add_argument("--database", default=None, help="a database URL; default a temp SQLite")
    args = parser.parse_args()
    if args.database:
        await run(args.database, args.posts, args.channels, args.replicas, args.per_claim)
        return
    if args.replicas != 1:
        parser.error("two replicas share a PostgreSQL database: give --database")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'p6.db'}"
        await run(url, args.posts, args.channels, args.replicas, args.per_claim)


if __name__ == "__main__":
    asyncio.run(main())
