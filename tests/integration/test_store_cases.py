"""Cases, events, case numbers (CASE-5) and timers on both databases."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, timedelta

import pytest
from sqlalchemy import delete

from bot.model import CaseEvent, EventKind, Platform, Priority, Status, SubStatus, Visibility
from bot.store.interface.cases import CaseState
from bot.store.interface.errors import StoreError
from bot.store.sql import SqlStore
from bot.store.sql.tables import cases as cases_table
from tests.builders import T0, add_case, seed_accounts


async def test_case_5_numbers_start_at_1001_and_increase(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        numbers = [await uow.cases.next_number() for _ in range(3)]
        await uow.commit()
    assert numbers == [1001, 1002, 1003]


async def test_case_5_numbers_of_deleted_cases_are_never_reused(store: SqlStore) -> None:
    await seed_accounts(store, "acme")
    first = await add_case(store)
    async with store.engine.begin() as conn:
        await conn.execute(delete(cases_table).where(cases_table.c.number == first.number))
    second = await add_case(store)
    assert second.number == first.number + 1


async def test_a_case_round_trips_with_its_events_and_aware_utc_times(store: SqlStore) -> None:
    await seed_accounts(store, "acme")
    made = await add_case(
        store, agents=40, component="web", external_ref="INC-7", security_threat=True
    )
    async with store.unit_of_work() as uow:
        loaded = await uow.cases.get(made.number)
    assert loaded == made
    assert loaded is not None and loaded.opened_at.tzinfo == UTC
    assert loaded.events[0].at == T0


async def test_update_writes_the_changed_fields_and_add_event_appends_in_order(
    store: SqlStore,
) -> None:
    await seed_accounts(store, "acme")
    made = await add_case(store)
    later = T0 + timedelta(hours=3)
    changed = dataclasses.replace(
        made,
        status=Status.CLOSED,
        sub_status=SubStatus.RESOLVED,
        priority=Priority.MEDIUM,
        production_down=True,
        owner="ana@vendor.example",
        updated_at=later,
        closed_at=later,
    )
    note = CaseEvent(
        EventKind.WORK_NOTE,
        later,
        "ana@vendor.example",
        Platform.TEAMS,
        Visibility.INTERNAL,
        "checked the logs",
    )
    async with store.unit_of_work() as uow:
        await uow.cases.get_for_change(made.number)
        await uow.cases.update(changed)
        await uow.cases.add_event(made.number, note)
        await uow.commit()
    async with store.unit_of_work() as uow:
        loaded = await uow.cases.get(made.number)
    assert loaded == dataclasses.replace(changed, events=(*made.events, note))


async def test_r9_a_missing_case_cannot_be_read_for_change_nor_written(store: SqlStore) -> None:
    await seed_accounts(store, "acme")
    made = await add_case(store)
    async with store.unit_of_work() as uow:
        assert await uow.cases.get_for_change(9999) is None
        with pytest.raises(StoreError, match="get_for_change"):
            await uow.cases.update(dataclasses.replace(made, number=9999))
        with pytest.raises(StoreError, match="get_for_change"):
            await uow.cases.add_event(9999, made.events[0])


async def test_r9_a_case_read_without_the_lock_is_never_written_back(store: SqlStore) -> None:
    await seed_accounts(store, "acme")
    made = await add_case(store)
    async with store.unit_of_work() as uow:
        stale = await uow.cases.get(made.number)
        assert stale is not None
        with pytest.raises(StoreError, match="R9"):
            await uow.cases.update(dataclasses.replace(stale, owner="sam@vendor.example"))
        with pytest.raises(StoreError, match="R9"):
            await uow.cases.add_event(made.number, made.events[0])
    async with store.unit_of_work() as uow:
        assert await uow.cases.get(made.number) == made


async def test_lists_by_account_opener_and_state_newest_update_first(store: SqlStore) -> None:
    await seed_accounts(store, "acme", "globex")
    a1 = await add_case(store, "acme", minutes=0)
    a2 = await add_case(store, "acme", minutes=10, opened_by="bob@acme.example")
    g1 = await add_case(store, "globex", minutes=20)
    closed = dataclasses.replace(
        a1,
        status=Status.CLOSED,
        sub_status=SubStatus.RESOLVED,
        updated_at=T0 + timedelta(hours=1),
        closed_at=T0 + timedelta(hours=1),
    )
    async with store.unit_of_work() as uow:
        await uow.cases.get_for_change(a1.number)
        await uow.cases.update(closed)
        await uow.commit()
    async with store.unit_of_work() as uow:
        open_acme = await uow.cases.for_account("acme")
        closed_acme = await uow.cases.for_account("acme", CaseState.CLOSED)
        all_acme = await uow.cases.for_account("acme", CaseState.ALL)
        alices = await uow.cases.opened_by("alice@acme.example", CaseState.ALL)
        several = await uow.cases.open_for_accounts(["acme", "globex"])
        limited = await uow.cases.for_account("acme", CaseState.ALL, limit=1)
    assert [c.number for c in open_acme] == [a2.number]
    assert [c.number for c in closed_acme] == [a1.number]
    assert [c.number for c in all_acme] == [a1.number, a2.number]
    assert [c.number for c in alices] == [a1.number, g1.number]
    assert [c.number for c in several] == [g1.number, a2.number]
    assert [c.number for c in limited] == [a1.number]
    assert all(c.events == () for c in all_acme)


async def test_report_counts_and_closed_cases_of_a_period(store: SqlStore) -> None:
    await seed_accounts(store, "acme")
    a1 = await add_case(store, minutes=0)
    await add_case(store, minutes=60 * 24 * 40)  # opened after the period
    close_at = T0 + timedelta(days=2)
    async with store.unit_of_work() as uow:
        await uow.cases.get_for_change(a1.number)
        await uow.cases.update(
            dataclasses.replace(
                a1,
                status=Status.CLOSED,
                sub_status=SubStatus.RESOLVED,
                updated_at=close_at,
                closed_at=close_at,
            )
        )
        await uow.commit()
    start, end = T0 - timedelta(days=3), T0 + timedelta(days=27)
    async with store.unit_of_work() as uow:
        counts = await uow.cases.counts("acme", start, end)
        closed = await uow.cases.closed_between("acme", start, end)
    assert (counts.opened, counts.closed, counts.open_at_end) == (1, 1, 0)
    assert [c.number for c in closed] == [a1.number]
    assert closed[0].events == a1.events


async def test_timers_are_set_moved_found_by_due_time_and_removed(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        await uow.timers.set(
            "sla_warning", "1001", T0 + timedelta(minutes=30), {"target": "response"}
        )
        await uow.timers.set("follow_up", "1001", T0 + timedelta(days=2))
        await uow.timers.set("sla_warning", "1002", T0 + timedelta(minutes=10))
        await uow.timers.set(
            "sla_warning", "1001", T0 + timedelta(minutes=5), {"target": "resolution"}
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        due = await uow.timers.due(T0 + timedelta(minutes=15))
        due_follow_ups = await uow.timers.due(T0 + timedelta(days=3), kind="follow_up")
        one = await uow.timers.get("sla_warning", "1001")
        of_case = await uow.timers.for_subject("1001")
        await uow.timers.set("sla_warning", "1001", None)
        await uow.commit()
    assert [(t.kind, t.subject) for t in due] == [("sla_warning", "1001"), ("sla_warning", "1002")]
    assert [t.subject for t in due_follow_ups] == ["1001"]
    assert one is not None and one.payload == {"target": "resolution"}
    assert [t.kind for t in of_case] == ["sla_warning", "follow_up"]
    async with store.unit_of_work() as uow:
        assert await uow.timers.get("sla_warning", "1001") is None


async def test_case_5_200_concurrent_allocations_give_200_distinct_numbers(store: SqlStore) -> None:
    async def allocate() -> int:
        async with store.unit_of_work() as uow:
            number = await uow.cases.next_number()
            await uow.commit()
            return number

    numbers = await asyncio.gather(*(allocate() for _ in range(200)))
    assert sorted(numbers) == list(range(1001, 1201))


async def test_r9_a_second_change_waits_for_the_first_and_reads_its_result(store: SqlStore) -> None:
    if store.dialect != "postgresql":
        pytest.skip("on SQLite a writing unit of work holds the whole database (BEGIN IMMEDIATE)")
    await seed_accounts(store, "acme")
    made = await add_case(store)
    async with store.unit_of_work() as first:
        mine = await first.cases.get_for_change(made.number)
        assert mine is not None

        async def second_change() -> str | None:
            async with store.unit_of_work() as second:
                theirs = await second.cases.get_for_change(made.number)
                assert theirs is not None
                return theirs.owner

        waiting = asyncio.create_task(second_change())
        await asyncio.sleep(0.2)  # let it reach the lock; it cannot pass it until we commit
        assert not waiting.done()
        await first.cases.update(dataclasses.replace(mine, owner="sam@vendor.example"))
        # Rows that only refer to the case (here the SLA-5 memory) are not held up by the lock.
        async with store.unit_of_work() as sweep:
            remembered = await asyncio.wait_for(
                sweep.sent_notices.remember(
                    {f"sla:{made.number}:c0:response:1.0": made.number}, T0
                ),
                timeout=10,
            )
            await sweep.commit()
        assert remembered == {f"sla:{made.number}:c0:response:1.0"}
        await first.commit()
    assert await waiting == "sam@vendor.example"  # not the stale copy from before the commit
