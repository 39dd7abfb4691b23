"""Outbox delivery (R3): outcomes, retries, dead letters, and a worker killed mid-batch."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import pytest

from bot.casework.payload import encode
from bot.jobs.delivery import DeliveryFailed, RateLimited, RetryLater
from bot.jobs.outbox_worker import DeliverySettings, OutboxWorker
from bot.jobs.pacing import Pacer
from bot.messages import Audience, Message, Reply
from bot.model import Platform
from bot.store.interface import Store
from bot.store.interface.outbox import OutboxItem, OutboxState, TargetKind
from tests.builders import T0
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


async def died(drain: Coroutine[Any, Any, object]) -> None:
    """A drain whose process is killed: a cancelled task writes nothing more (like `kill -9`)."""
    with contextlib.suppress(asyncio.CancelledError):
        await drain


def worker(store: Store, deliverer: RecordingDeliverer, **settings: float) -> OutboxWorker:
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
    assert w.retry_delay(3, 7200) == timedelta(hours=1)  # a Retry-After is capped too
    delays = [w.retry_delay(n, None) for n in range(1, 10)]
    assert all(timedelta(seconds=2.5) <= d <= timedelta(seconds=60) for d in delays)
    assert delays[-1] >= timedelta(seconds=30)


async def test_r3_5xx_is_retried_for_the_time_budget_then_dead_lettered_and_logged(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    await queue(store, 1)
    errors: list[Exception] = [RetryLater(f"Slack answered 50{n % 4}") for n in range(40)]
    slack = RecordingDeliverer(failures=errors)
    w = worker(store, slack, retry_budget_seconds=2 * 3600, backoff_cap_seconds=600)
    now, tries, first = T0, 0, None
    while (row := await only_row(store)).state is OutboxState.PENDING:
        await w.drain(now)
        tries += 1
        first = first or (await only_row(store)).failing_since  # the first error's time
        now = (await only_row(store)).next_attempt_at
    # Many tries over the two hours (backoff capped at 10 minutes), then a dead letter.
    assert row.state is OutboxState.DEAD and tries > 12
    assert first is not None and row.failing_since == first  # the budget runs from the first
    assert w.counters.dead == 1
    assert row.last_error is not None and "2 h budget is spent" in row.last_error
    assert now - T0 >= timedelta(hours=2)
    assert (await w.drain(now + timedelta(days=1))).delivered == 0
    warnings = [
        r for r in caplog.records if r.levelname == "WARNING" and "dead letter" in r.message
    ]
    assert len(warnings) == 1 and "Slack answered 50" in warnings[0].message


async def test_r3_a_429_storm_longer_than_the_retry_budget_dead_letters_nothing(
    store: Store,
) -> None:
    await queue(store, 3)
    storm = [RateLimited("rate limited (429)", after_seconds=900) for _ in range(15)]
    slack = RecordingDeliverer(failures=storm)
    w = worker(store, slack, retry_budget_seconds=3600)
    now = T0
    while len(slack.posts) < 3:
        await w.drain(now)
        now += timedelta(minutes=15)
        assert now < T0 + timedelta(days=1)
    # Three hours of 429s against a one-hour budget: every post delivered, no dead letter.
    assert now - T0 > timedelta(hours=3)
    assert (w.counters.dead, w.counters.throttled) == (0, 15)
    assert sorted(slack.counts().values()) == [1, 1, 1]
    async with store.unit_of_work(read_only=True) as uow:
        assert (await uow.outbox.backlog()).dead == 0


async def test_r3_a_429_holds_back_the_channel_for_every_worker_until_retry_after(
    store: Store,
) -> None:
    await queue(store, 2)
    slack = RecordingDeliverer(failures=[RateLimited("rate limited (429)", after_seconds=30)])
    assert (await worker(store, slack).drain(T0)).throttled == 1
    other = RecordingDeliverer()  # another replica: the channel's budget is in the database
    assert (await worker(store, other).drain(T0 + timedelta(seconds=5))).delivered == 0
    assert (await worker(store, other).drain(T0 + timedelta(seconds=31))).delivered == 2
    assert other.calls == 2 and slack.calls == 1


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
    crashed = asyncio.create_task(died(worker(store, first).drain(T0)))
    await first.hung.wait()
    crashed.cancel()  # the process dies while posts are on the wire
    await asyncio.gather(crashed, return_exceptions=True)
    # Before the short lease ends nobody else may post them (R4)...
    second = RecordingDeliverer()
    await worker(store, second).drain(T0 + timedelta(seconds=30))
    assert second.posts == []
    # ...after it (the 10 s horizon and a 30 s lease), a restarted worker delivers the rest.
    await worker(store, second).drain(T0 + timedelta(seconds=41))
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
    crashed = asyncio.create_task(died(worker(store, first).drain(T0)))
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
