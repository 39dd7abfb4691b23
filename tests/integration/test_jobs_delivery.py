"""Outbox delivery (R3): outcomes, retries, dead letters, and a worker killed mid-batch."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.commands.payload import encode
from bot.jobs.delivery import DeliveryFailed, RetryLater
from bot.jobs.outbox_worker import DeliverySettings, OutboxWorker
from bot.jobs.pacing import Pacer
from bot.messages import Audience, Message, Reply
from bot.model import Platform
from bot.store.interface import OutboxItem, OutboxState, Store, TargetKind
from tests.integration.builders import T0
from tests.integration.jobs_fakes import RecordingDeliverer

UNPACED = Pacer(limits={})


async def queue(
    store: Store, count: int, channels: int = 1, platform: Platform = Platform.SLACK
) -> list[str]:
    keys = []
    async with store.unit_of_work() as uow:
        for i in range(count):
            key = f"test:{i}"
            reply = Reply(Message(f"post {i}"), Audience.CHANNEL)
            await uow.outbox.add(
                OutboxItem(key, platform, f"C{i % channels}", TargetKind.CHANNEL, encode(reply), T0)
            )
            keys.append(key)
        await uow.commit()
    return keys


async def only_row(store: Store):  # type: ignore[no-untyped-def]
    async with store.unit_of_work(read_only=True) as uow:
        row = await uow.outbox.get(1)
    assert row is not None
    return row


def worker(store: Store, deliverer: RecordingDeliverer, **settings: int) -> OutboxWorker:
    return OutboxWorker(
        store, {deliverer.platform: deliverer}, DeliverySettings(**settings), pacer=UNPACED
    )


async def test_r3_delivered_post_is_marked_sent_with_the_platform_message_id(store: Store) -> None:
    await queue(store, 1)
    slack = RecordingDeliverer()
    counts = await worker(store, slack).drain(T0)
    row = await only_row(store)
    assert (counts.delivered, row.state, row.platform_message_id) == (
        1,
        OutboxState.SENT,
        "slack-1",
    )
    assert [p.reply.body for p in slack.posts] == [Message("post 0")]


async def test_r3_retry_after_2_seconds_delays_the_next_attempt_by_at_least_2_seconds(
    store: Store,
) -> None:
    await queue(store, 1)
    slack = RecordingDeliverer(failures=[RetryLater("HTTP 429", after_seconds=2)])
    counts = await worker(store, slack).drain(T0)
    row = await only_row(store)
    assert counts.retried == 1
    assert row.state is OutboxState.PENDING
    assert row.next_attempt_at >= T0 + timedelta(seconds=2)
    assert row.last_error == "HTTP 429"
    # Not due again before the two seconds pass; delivered once they have.
    assert (await worker(store, slack).drain(T0 + timedelta(seconds=1))).delivered == 0
    assert (await worker(store, slack).drain(row.next_attempt_at)).delivered == 1


async def test_r3_backoff_without_retry_after_grows_and_stays_capped(store: Store) -> None:
    w = worker(store, RecordingDeliverer(), backoff_base_seconds=5, backoff_cap_seconds=60)
    delays = [w.retry_delay(n, None) for n in range(1, 10)]
    assert all(timedelta(seconds=2.5) <= d <= timedelta(seconds=60) for d in delays)
    assert delays[-1] >= timedelta(seconds=30)


async def test_r3_post_is_dead_lettered_after_max_attempts_keeping_the_last_error(
    store: Store,
) -> None:
    await queue(store, 1)
    errors: list[Exception] = [
        RetryLater("HTTP 500"),
        RetryLater("HTTP 502"),
        RetryLater("HTTP 503"),
    ]
    slack = RecordingDeliverer(failures=errors)
    w = worker(store, slack, max_attempts=3)
    now = T0
    for _ in range(3):
        await w.drain(now)
        now = (await only_row(store)).next_attempt_at + timedelta(seconds=1)
    row = await only_row(store)
    assert (row.state, row.attempts, row.last_error) == (OutboxState.DEAD, 3, "HTTP 503")
    assert (w.counters.retried, w.counters.dead, slack.calls) == (2, 1, 3)
    assert (await w.drain(now + timedelta(days=1))).delivered == 0


async def test_r3_permanent_failure_is_dead_lettered_at_once(store: Store) -> None:
    await queue(store, 1)
    slack = RecordingDeliverer(failures=[DeliveryFailed("channel_not_found")])
    counts = await worker(store, slack).drain(T0)
    row = await only_row(store)
    assert (counts.dead, row.state, row.last_error) == (1, OutboxState.DEAD, "channel_not_found")


async def test_r3_unconfigured_platform_is_retried_later_not_dead_lettered(store: Store) -> None:
    await queue(store, 1, platform=Platform.TEAMS)
    counts = await worker(store, RecordingDeliverer(Platform.SLACK)).drain(T0)
    row = await only_row(store)
    assert counts.retried == 1
    assert (row.state, row.last_error) == (OutboxState.PENDING, "Teams not configured")
    assert row.next_attempt_at > T0


async def test_r3_worker_killed_mid_batch_loses_nothing_after_a_restart(store: Store) -> None:
    keys = await queue(store, 40, channels=8)
    first = RecordingDeliverer(hang_after=12)
    crashed = asyncio.create_task(worker(store, first, lease_seconds=60).drain(T0))
    await first.hung.wait()
    crashed.cancel()  # the process dies while posts are on the wire
    await asyncio.gather(crashed, return_exceptions=True)
    # Before the lease ends nobody else may post them (R4)...
    second = RecordingDeliverer()
    await worker(store, second).drain(T0 + timedelta(seconds=30))
    assert second.posts == []
    # ...after it, a restarted worker delivers everything still unsent.
    await worker(store, second).drain(T0 + timedelta(seconds=61))
    delivered = set(first.counts()) | set(second.counts())
    assert delivered == set(keys)
    async with store.unit_of_work(read_only=True) as uow:
        backlog = await uow.outbox.backlog()
    assert (backlog.pending, backlog.dead) == (0, 0)


async def test_r3_store_closed_mid_batch_loses_nothing_after_a_restart(
    store: Store, database_url: str
) -> None:
    from bot.store.sql import open_store

    keys = await queue(store, 20, channels=4)
    first = RecordingDeliverer(hang_after=5)
    crashed = asyncio.create_task(worker(store, first, lease_seconds=60).drain(T0))
    await first.hung.wait()
    await store.close()  # the database connection goes away mid-batch
    crashed.cancel()
    await asyncio.gather(crashed, return_exceptions=True)
    reopened = await open_store(database_url)
    try:
        second = RecordingDeliverer()
        await worker(reopened, second).drain(T0 + timedelta(seconds=61))
        assert set(first.counts()) | set(second.counts()) == set(keys)
    finally:
        await reopened.close()
