"""The bulk repository methods the scheduler's batches use (P3): the same results as one by one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.model import CaseEvent, EventKind, Platform
from bot.store.interface.cases import CaseState
from bot.store.interface.outbox import OutboxItem, TargetKind
from bot.store.interface.timers import Timer
from bot.store.sql import SqlStore
from bot.store.sql import cases as sql_cases
from bot.store.sql import timers as sql_timers
from tests.builders import T0, add_case, seed_accounts


def item(key: str, target: str = "CQUEUE", minutes: int = 0) -> OutboxItem:
    return OutboxItem(
        dedup_key=key,
        platform=Platform.SLACK,
        target=target,
        target_kind=TargetKind.CHANNEL,
        payload={"text": f"post {key}", "nested": {"n": [1, 2]}},
        available_at=T0 + timedelta(minutes=minutes),
    )


async def test_p3_get_many_loads_each_case_with_its_events_as_get_does(store: SqlStore) -> None:
    await seed_accounts(store, "acme", "globex")
    first = await add_case(store, "acme")
    second = await add_case(store, "globex", minutes=5, owner="sam@vendor.example")
    third = await add_case(store, "acme", minutes=9)
    async with store.unit_of_work() as uow:
        await uow.cases.get_for_change(first.number)
        for minutes, body in ((20, "first update"), (30, "second update")):
            update = CaseEvent(
                EventKind.CUSTOMER_UPDATE, T0 + timedelta(minutes=minutes), "a@x", body=body
            )
            await uow.cases.add_event(first.number, update)
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        many = await uow.cases.get_many([third.number, first.number, second.number, 999_999])
        one_by_one = {n: await uow.cases.get(n) for n in (first.number, second.number)}
        one_by_one[third.number] = await uow.cases.get(third.number)
    assert many == one_by_one
    assert [e.body for e in many[first.number].events] == [
        "opened",
        "first update",
        "second update",
    ]
    assert many[second.number].owner == "sam@vendor.example"


async def test_p3_get_many_of_nothing_or_of_unknown_numbers_is_empty(store: SqlStore) -> None:
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.cases.get_many([]) == {}
        assert await uow.cases.get_many([4242, 4243]) == {}


async def test_p3_get_many_reads_more_numbers_than_one_in_list_holds(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small chunk stands in for the 500 numbers per `IN (...)` of a real batch.
    monkeypatch.setattr(sql_cases, "IN_CHUNK", 2)
    await seed_accounts(store, "acme")
    opened = [await add_case(store, "acme", minutes=i) for i in range(5)]
    async with store.unit_of_work(read_only=True) as uow:
        many = await uow.cases.get_many([c.number for c in opened])
    assert sorted(many) == [c.number for c in opened]
    assert all(len(many[c.number].events) == 1 for c in opened)


async def test_r4_add_many_counts_only_new_posts_and_keeps_their_order(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.outbox.add(item("sla:1001:response:1.0")) is True
        new = await uow.outbox.add_many(
            [
                item("sla:1002:response:1.0"),
                item("sla:1001:response:1.0"),  # already queued
                item("sla5b:1002:response", target="CACME"),
                item("sla:1002:response:1.0"),  # twice in the same batch
            ]
        )
        assert new == 2
        assert await uow.outbox.add_many([]) == 0
        await uow.commit()
    async with store.unit_of_work() as uow:
        claimed = await uow.outbox.claim(10, "worker-1", 30, T0)
        backlog = await uow.outbox.backlog()
    assert [m.dedup_key for m in claimed] == [
        "sla:1001:response:1.0",
        "sla:1002:response:1.0",
        "sla5b:1002:response",
    ]
    assert claimed[2].target == "CACME"
    assert claimed[1].payload == {"text": "post sla:1002:response:1.0", "nested": {"n": [1, 2]}}
    assert backlog.pending == 3


async def test_r3_add_many_is_rolled_back_with_its_unit_of_work(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.outbox.add_many([item("a"), item("b")]) == 2
    async with store.unit_of_work() as uow:
        assert (await uow.outbox.backlog()).pending == 0
        assert await uow.outbox.add_many([item("a"), item("b")]) == 2


async def test_p3_set_many_creates_and_moves_timers_and_the_last_of_a_key_wins(
    store: SqlStore,
) -> None:
    async with store.unit_of_work() as uow:
        await uow.timers.set("sla", "1001", T0, {"old": True})
        await uow.timers.set_many(
            [
                Timer("sla", "1001", T0 + timedelta(hours=1), {}),
                Timer("follow_up", "1001", T0 + timedelta(days=2), {"step": "reminder_1"}),
                Timer("sla", "1002", T0 + timedelta(hours=2), {}),
                Timer("sla", "1002", T0 + timedelta(hours=3), {"last": 1}),
            ]
        )
        await uow.timers.set_many([])
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        first = await uow.timers.for_subject("1001")
        second = await uow.timers.get("sla", "1002")
    assert first == [
        Timer("sla", "1001", T0 + timedelta(hours=1), {}),
        Timer("follow_up", "1001", T0 + timedelta(days=2), {"step": "reminder_1"}),
    ]
    assert second == Timer("sla", "1002", T0 + timedelta(hours=3), {"last": 1})


async def test_p3_remove_many_removes_only_that_kind_and_ignores_absent_timers(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_timers, "IN_CHUNK", 2)
    async with store.unit_of_work() as uow:
        for subject in ("1001", "1002", "1003", "1004"):
            await uow.timers.set("sla", subject, T0)
        await uow.timers.set("follow_up", "1001", T0)
        await uow.timers.remove_many("sla", ["1001", "1002", "1003", "9999"])
        await uow.timers.remove_many("sla", [])
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        left = await uow.timers.due(T0, limit=10)
    assert sorted((t.kind, t.subject) for t in left) == [("follow_up", "1001"), ("sla", "1004")]


async def test_opened_by_filters_by_account_and_count_matches(store: SqlStore) -> None:
    await seed_accounts(store, "acme", "globex")
    for i in range(5):
        await add_case(store, "acme" if i < 3 else "globex", minutes=i)
    async with store.unit_of_work(read_only=True) as uow:
        mine = await uow.cases.opened_by("alice@acme.example", CaseState.OPEN, 2, "acme")
        assert [c.account_id for c in mine] == ["acme", "acme"]
        assert await uow.cases.count("acme", CaseState.OPEN) == 3
        assert await uow.cases.count("acme", CaseState.OPEN, "alice@acme.example") == 3
        assert await uow.cases.count("acme", CaseState.CLOSED) == 0
        assert await uow.cases.count("globex", CaseState.OPEN, "nobody@x.example") == 0
