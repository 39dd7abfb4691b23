"""Outbox (R3, R4), inbound de-duplication (R2) and the unit of work's all-or-nothing commit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import delete

from bot.model import Platform
from bot.store.interface.outbox import OutboxItem, OutboxState, TargetKind
from bot.store.sql import SqlStore, open_store
from bot.store.sql.tables import outbox
from tests.builders import T0, add_case, seed_accounts


def item(key: str, minutes: int = 0, target: str = "C0ACME001") -> OutboxItem:
    return OutboxItem(
        dedup_key=key,
        platform=Platform.SLACK,
        target=target,
        target_kind=TargetKind.CHANNEL,
        payload={"text": f"post {key}", "blocks": [{"type": "section"}]},
        available_at=T0 + timedelta(minutes=minutes),
    )


async def test_r4_a_second_add_with_the_same_dedup_key_is_ignored_and_the_transaction_goes_on(
    store: SqlStore,
) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.outbox.add(item("sla_warning:1001:response:0.75")) is True
        assert await uow.outbox.add(item("sla_warning:1001:response:0.75")) is False
        assert await uow.outbox.add(item("sla_breach:1001:response")) is True
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.add(item("sla_warning:1001:response:0.75")) is False
        backlog = await uow.outbox.backlog()
    assert (backlog.pending, backlog.dead, backlog.oldest_pending_at) == (2, 0, T0)


async def test_r3_claim_leases_due_posts_and_marks_record_the_outcome(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        for key, minutes in (("a", 0), ("b", 1), ("c", 2), ("later", 60)):
            await uow.outbox.add(item(key, minutes))
        await uow.commit()
    now = T0 + timedelta(minutes=5)
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(10, "worker-1", 30, now)
        again = await uow.outbox.claim(10, "worker-2", 30, now)  # leased: not handed out twice
        await uow.outbox.mark_sent(claimed[0].id, "1700000000.000100", now)
        await uow.outbox.mark_retry(
            claimed[1].id, "429 Too Many Requests", now + timedelta(seconds=30)
        )
        await uow.outbox.mark_dead(claimed[2].id, "channel_not_found")
        await uow.commit()
    assert [m.dedup_key for m in claimed] == ["a", "b", "c"]
    assert all(m.lease_owner == "worker-1" and m.attempts == 1 for m in claimed)
    assert claimed[0].leased_until == now + timedelta(seconds=30)
    assert claimed[0].payload == {"text": "post a", "blocks": [{"type": "section"}]}
    assert again == []
    async with store.unit_of_work() as uow:
        sent = await uow.outbox.get(claimed[0].id)
        retried = await uow.outbox.get(claimed[1].id)
        dead = await uow.outbox.get(claimed[2].id)
        early = await uow.outbox.claim(10, "worker-1", 30, now + timedelta(seconds=10))
        retry = await uow.outbox.claim(10, "worker-1", 30, now + timedelta(seconds=30))
        backlog = await uow.outbox.backlog()
    assert sent is not None and sent.state is OutboxState.SENT
    assert sent.platform_message_id == "1700000000.000100" and sent.sent_at == now
    assert retried is not None and retried.state is OutboxState.PENDING
    assert retried.last_error == "429 Too Many Requests" and retried.lease_owner is None
    assert dead is not None and dead.state is OutboxState.DEAD
    assert early == []
    assert [m.dedup_key for m in retry] == ["b"] and retry[0].attempts == 2
    assert (backlog.pending, backlog.dead) == (2, 1)


async def test_r3_an_expired_lease_makes_a_post_claimable_again(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        await uow.outbox.add(item("a"))
        await uow.outbox.claim(10, "crashed-worker", 30, T0)
        await uow.commit()
    async with store.unit_of_work() as uow:
        reclaimed = await uow.outbox.claim(10, "worker-2", 30, T0 + timedelta(seconds=31))
    assert [m.lease_owner for m in reclaimed] == ["worker-2"]


async def test_r2_an_inbound_key_is_claimed_once_and_a_rolled_back_claim_can_be_retried(
    store: SqlStore,
) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.inbound.claim("slack:T1:trigger-1", T0) is True
        # no commit: the attempt failed, so the key is released with everything else
    async with store.unit_of_work() as uow:
        assert await uow.inbound.claim("slack:T1:trigger-1", T0) is True
        assert await uow.inbound.claim("slack:T1:trigger-1", T0) is False
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.inbound.claim("slack:T1:trigger-1", T0) is False


async def test_r3_a_unit_of_work_left_by_an_exception_writes_nothing(store: SqlStore) -> None:
    await seed_accounts(store, "acme")

    async def failing_handler() -> None:
        async with store.unit_of_work() as uow:
            number = await uow.cases.next_number()
            await uow.outbox.add(item("new_case:x"))
            await uow.audit.add("alice@acme.example", Platform.SLACK, "open", number, {}, T0)
            await uow.timers.set("sla_warning", str(number), T0)
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError, match="handler failed"):
        await failing_handler()
    async with store.unit_of_work() as uow:
        assert (await uow.outbox.backlog()).pending == 0
        assert await uow.audit.entries() == []
        assert await uow.timers.due(T0 + timedelta(days=1)) == []
        assert await uow.cases.for_account("acme") == []


async def test_r3_a_change_its_audit_entry_and_its_posts_commit_together(store: SqlStore) -> None:
    await seed_accounts(store, "acme")
    made = await add_case(store)
    async with store.unit_of_work() as uow:
        await uow.outbox.add(item(f"new_case:{made.number}"))
        await uow.audit.add(
            "alice@acme.example", Platform.SLACK, "open", made.number, {"priority": "high"}, T0
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert (await uow.outbox.backlog()).pending == 1
        assert [e.action for e in await uow.audit.entries(made.number)] == ["open"]


@pytest.mark.postgres
async def test_r4_concurrent_claimers_on_postgresql_get_disjoint_batches(pg_url: str) -> None:
    store = await open_store(pg_url)
    try:
        async with store.unit_of_work() as uow:
            for i in range(40):
                await uow.outbox.add(item(f"post-{i}"))
            await uow.commit()
        first = store.unit_of_work()
        second = store.unit_of_work()
        async with first as a, second as b:
            # Both transactions are open at once; the second skips the rows the first locked.
            batch_a = await a.outbox.claim(25, "replica-a", 60, T0)
            batch_b = await b.outbox.claim(25, "replica-b", 60, T0)
            await a.commit()
            await b.commit()
        keys_a = {m.dedup_key for m in batch_a}
        keys_b = {m.dedup_key for m in batch_b}
        assert len(keys_a) == 25
        assert len(keys_b) == 15
        assert keys_a.isdisjoint(keys_b)

        async def claim_all(owner: str) -> set[str]:
            async with store.unit_of_work() as uow:
                got = await uow.outbox.claim(40, owner, 60, T0 + timedelta(minutes=5))
                await uow.commit()
                return {m.dedup_key for m in got}

        batches = await asyncio.gather(*(claim_all(f"replica-{n}") for n in range(4)))
        seen = [key for batch in batches for key in batch]
        assert len(seen) == len(set(seen)) == 40
    finally:
        async with store.engine.begin() as conn:
            await conn.execute(delete(outbox))
        await store.close()


async def test_a_read_only_unit_of_work_reads_committed_rows_while_a_writer_is_busy(
    store: SqlStore,
) -> None:
    await seed_accounts(store, "acme")
    async with store.unit_of_work() as writer:
        await writer.outbox.add(item("uncommitted"))
        async with store.unit_of_work(read_only=True) as reader:
            accounts = await reader.directory.accounts()
            backlog = await reader.outbox.backlog()
        await writer.commit()
    assert [a.id for a in accounts] == ["acme"]
    assert backlog.pending == 0
