"""Housekeeping: old de-duplication keys and sent posts are forgotten; nothing recent is."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs.housekeeping_sweep import sweep_housekeeping
from bot.model import Platform
from bot.policy.config import PolicyConfig
from bot.store.interface.outbox import OutboxItem, OutboxState, TargetKind
from bot.store.sql import SqlStore
from tests.builders import T0


def post(key: str) -> OutboxItem:
    return OutboxItem(key, Platform.SLACK, "CQUEUE", TargetKind.CHANNEL, {"n": key}, T0)


async def test_r2_keys_older_than_a_week_and_posts_sent_over_30_days_ago_are_forgotten(
    store: SqlStore,
) -> None:
    async with store.unit_of_work() as uow:
        await uow.inbound.claim("old", T0)
        await uow.inbound.claim("recent", T0 + timedelta(days=26))
        for key in ("sent-old", "sent-recent", "dead", "pending"):
            await uow.outbox.add(post(key))
        claimed = {m.dedup_key: m for m in await uow.outbox.claim(10, "w", 60, T0)}
        await uow.outbox.mark_sent(claimed["sent-old"].id, "ts1", T0)
        await uow.outbox.mark_sent(claimed["sent-recent"].id, "ts2", T0 + timedelta(days=20))
        await uow.outbox.mark_dead(claimed["dead"].id, "channel_not_found")
        await uow.commit()
    now = T0 + timedelta(days=31)
    assert await sweep_housekeeping(store, PolicyConfig(), now) == 0
    async with store.unit_of_work() as uow:
        assert await uow.inbound.claim("old", now)  # claimable again: it was forgotten
        assert not await uow.inbound.claim("recent", now)
        left = {
            m.dedup_key: m.state
            for m in [await uow.outbox.get(c.id) for c in claimed.values()]
            if m
        }
    assert left == {
        "sent-recent": OutboxState.SENT,
        "dead": OutboxState.DEAD,
        "pending": OutboxState.PENDING,
    }


async def test_housekeeping_runs_at_most_once_an_hour(store: SqlStore) -> None:
    config = PolicyConfig()
    await sweep_housekeeping(store, config, T0)
    async with store.unit_of_work() as uow:
        await uow.inbound.claim("old", T0 - timedelta(days=30))
        await uow.commit()
    await sweep_housekeeping(store, config, T0 + timedelta(minutes=59))
    async with store.unit_of_work() as uow:
        assert not await uow.inbound.claim("old", T0)  # still there: the hour had not passed
    await sweep_housekeeping(store, config, T0 + timedelta(hours=1))
    async with store.unit_of_work() as uow:
        assert await uow.inbound.claim("old", T0)
