"""R4 / P6 in the store: send slots per channel from one budget, whichever replica claims."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete

from bot.model import Platform
from bot.store.interface import Store
from bot.store.interface.outbox import ClaimedPost, OutboxItem, PacingPlan, TargetKind
from bot.store.sql import open_store
from bot.store.sql.tables import channel_pacing, outbox
from tests.builders import T0

PLAN = PacingPlan(intervals={Platform.SLACK: 1.0, Platform.TEAMS: 0.5}, per_channel=5)


async def queue(store: Store, count: int, channels: int = 1) -> None:
    async with store.unit_of_work() as uow:
        for i in range(count):
            payload = {"text": f"post {i}"}
            channel = f"C{i % channels}"
            await uow.outbox.add(
                OutboxItem(f"p:{i}", Platform.SLACK, channel, TargetKind.CHANNEL, payload, T0)
            )
        await uow.commit()


async def claim(
    store: Store, owner: str, at: datetime, plan: PacingPlan = PLAN
) -> list[ClaimedPost]:
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim_paced(owner, at, at, plan)
        await uow.commit()
    return claimed


async def test_p6_a_claim_hands_out_a_channels_posts_one_second_apart_within_the_horizon(
    store: Store,
) -> None:
    await queue(store, 30, channels=2)
    claimed = await claim(store, "w1", T0)
    slots = {c: sorted(p.slot for p in claimed if p.message.target == c) for c in ("C0", "C1")}
    second = timedelta(seconds=1)
    assert slots["C0"] == [T0 + i * second for i in range(5)] == slots["C1"]
    assert all(p.message.lease_owner == "w1" and p.message.attempts == 1 for p in claimed)
    # The channel's budget moved past the batch (plus the guard): the next claim starts there.
    again = await claim(store, "w2", T0 + timedelta(seconds=1))
    assert sorted(p.slot for p in again if p.message.target == "C0")[0] == T0 + timedelta(
        seconds=5.5
    )
    assert {p.message.id for p in again}.isdisjoint({p.message.id for p in claimed})


async def test_r3_a_throttled_channel_is_not_claimed_until_its_retry_after_has_passed(
    store: Store,
) -> None:
    await queue(store, 3)
    async with store.unit_of_work() as uow:
        await uow.outbox.throttle(Platform.SLACK, "C0", T0 + timedelta(minutes=2))
        await uow.commit()
    assert await claim(store, "w1", T0 + timedelta(seconds=100)) == []
    got = await claim(store, "w1", T0 + timedelta(seconds=115))  # within the 10 s horizon
    assert next(p.slot for p in got) == T0 + timedelta(minutes=2)


async def test_r3_released_posts_are_claimable_at_once_and_not_counted_as_a_try(
    store: Store,
) -> None:
    await queue(store, 2)
    claimed = await claim(store, "w1", T0)
    ids = [p.message.id for p in claimed]
    async with store.unit_of_work() as uow:
        assert await uow.outbox.release(ids, "someone-else", attempted=False) == 0
        assert await uow.outbox.release(ids, "w1", attempted=False) == 2
        await uow.commit()
    again = await claim(store, "w2", T0 + timedelta(seconds=3))
    assert sorted(p.message.id for p in again) == sorted(ids)
    assert {p.message.attempts for p in again} == {1}


async def test_a_pacing_instant_from_another_clock_far_ahead_does_not_hold_a_channel_back(
    store: Store,
) -> None:
    await queue(store, 1)
    async with store.unit_of_work() as uow:  # e.g. `scheduler run-once --now` a year ahead
        await uow.outbox.throttle(Platform.SLACK, "C0", T0 + timedelta(days=365))
        await uow.commit()
    assert [p.slot for p in await claim(store, "w1", T0)] == [T0]


@pytest.mark.postgres
async def test_r4_replicas_claiming_at_once_on_postgresql_never_get_overlapping_slots(
    pg_url: str,
) -> None:
    stores = [await open_store(pg_url) for _ in range(3)]
    try:
        await queue(stores[0], 60, channels=3)
        rounds: list[list[ClaimedPost]] = []
        at = T0
        for _ in range(6):
            rounds += await asyncio.gather(
                *(claim(s, f"replica-{n}", at) for n, s in enumerate(stores))
            )
            at += timedelta(seconds=4)
        posts = [p for batch in rounds for p in batch]
        assert len({p.message.id for p in posts}) == len(posts)  # each post to one replica
        for channel in ("C0", "C1", "C2"):
            slots = sorted(p.slot for p in posts if p.message.target == channel)
            gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(slots)]
            assert slots and min(gaps) >= 1.0
        assert len({p.message.lease_owner for p in posts}) > 1
    finally:
        async with stores[0].engine.begin() as conn:
            await conn.execute(delete(outbox))
            await conn.execute(delete(channel_pacing))
        for s in stores:
            await s.close()
