"""SQLite's thread hops (#18): aiosqlite runs each call on its connection's thread (~90 us a
hop, and up to 5 ms waiting for the GIL while the loop is busy), so a write makes one hop, BEGIN
rides with the first statement, a unit of work's batched writes go out with its COMMIT in one
more, and reads make none: in WAL mode they never wait for a lock, so they run on the loop's
thread. Writes, which may wait for another process's writer lock, never hold the loop."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.messages import CaseView, Outcome
from bot.store.sql import SqlStore
from bot.store.sql.tables import audit, outbox, timers
from tests.builders import T0, add_case, seed_accounts
from tests.integration.sql_counter import statements
from tests.integration.test_views_scale import ALICE, opened_case, say


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call aiosqlite hands to a connection's thread."""
    made: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return made


async def test_show_and_open_hop_once_per_statement_and_once_for_the_batch_and_commit(
    store: SqlStore, hops: list[str]
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("thread hops are aiosqlite's")
    router, number = await opened_case(store)
    await say(router, ALICE, f"show {number}")  # the pool holds a connection from here on
    hops.clear()
    with statements(store) as sent:
        shown = await say(router, ALICE, f"show {number}")
    assert isinstance(shown.body, CaseView) and shown.body.case.number == number
    assert hops == [], hops  # reads run on the loop's thread: not one hop (nor its rollback)
    assert len(sent) == 2
    async with store.engine.connect() as conn:
        before = {
            t.name: await conn.scalar(select(func.count()).select_from(t))
            for t in (audit, outbox, timers)
        }
    hops.clear()
    with statements(store) as sent:
        opened = await say(router, ALICE, "open low How do I schedule the export?")
    assert opened.outcome is Outcome.OK, opened
    # counter, case, event, outbox row: one hop each; timers and audit: one; COMMIT: one
    assert len(sent) == 7 and len(hops) == 6, (sent, hops)
    async with store.engine.connect() as conn:
        after = {
            t.name: await conn.scalar(select(func.count()).select_from(t))
            for t in (audit, outbox, timers)
        }
    assert after["audit"] == before["audit"] + 1  # R7: the open is on record
    assert after["outbox"] > before["outbox"]  # the queue's new-case alert
    assert after["timers"] == before["timers"] + 2  # its SLA-5 timer and the queue's watch


async def test_a_read_does_not_wait_for_another_process_that_holds_the_writer_lock(
    store: SqlStore, hops: list[str]
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite's writer lock")
    router, number = await opened_case(store)
    other = sqlite3.connect(store.engine.url.database or "", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process is in the middle of a write
        other.execute("UPDATE counters SET value = value")
        hops.clear()
        # A hang guard only: a read that waited would meet the 30 s busy timeout.
        shown = await asyncio.wait_for(say(router, ALICE, f"show {number}"), 20)
        assert isinstance(shown.body, CaseView) and shown.body.case.number == number
        assert hops == []
    finally:
        other.rollback()
        other.close()


async def test_a_write_waiting_for_another_process_leaves_the_event_loop_free(
    store: SqlStore,
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite's writer lock")
    router, _ = await opened_case(store)
    other = sqlite3.connect(store.engine.url.database or "", isolation_level=None)
    turns = 0
    try:
        other.execute("BEGIN IMMEDIATE")
        opening = asyncio.ensure_future(say(router, ALICE, "open low Waits for the other writer"))
        while turns < 50:  # the loop keeps turning while the open waits on its thread
            await asyncio.sleep(0.001)
            turns += 1
        assert not opening.done()  # it really waits for the lock ...
    finally:
        other.rollback()  # ... and goes on once the other writer is done
        other.close()
    opened = await asyncio.wait_for(opening, 20)  # a hang guard only
    assert opened.outcome is Outcome.OK, opened
    assert isinstance(opened.body, CaseView)
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.cases.get(opened.body.case.number) is not None


async def test_r5_a_statement_that_fails_leaves_nothing_of_its_unit_of_work(
    store: SqlStore,
) -> None:
    # Both databases: the batch noted before the failure and the rows written before it are
    # rolled back with it (on SQLite the BEGIN rode with the first statement).
    await seed_accounts(store, "acme")
    made = await add_case(store)
    copy = dataclasses.replace(made, number=made.number + 1000)
    async with store.unit_of_work(read_only=True) as uow:
        entries = len(await uow.audit.entries())

    async def copy_twice() -> None:
        async with store.unit_of_work() as uow:
            await uow.audit.add("ana@vendor.example", None, "case.copy", copy.number, {}, T0)
            await uow.timers.set("sla_watch", str(copy.number), T0)
            await uow.cases.add(copy)
            await uow.cases.add(copy)  # the same number again

    with pytest.raises(IntegrityError):
        await copy_twice()
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.cases.get(copy.number) is None
        assert await uow.timers.get("sla_watch", str(copy.number)) is None
        assert len(await uow.audit.entries()) == entries
    async with store.unit_of_work() as uow:  # and the connection serves the next one
        await uow.cases.add(copy)
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        assert await uow.cases.get(copy.number) == copy


async def test_r5_writes_noted_before_a_rollback_are_not_sent_after_it(store: SqlStore) -> None:
    # The timers and audit rows wait in the unit of work's batch; a rollback discards them
    # with everything else, so a later commit of the same unit of work does not write them.
    await seed_accounts(store, "acme")
    made = await add_case(store)
    async with store.unit_of_work() as uow:
        await uow.timers.set("sla_watch", str(made.number), None)
        await uow.audit.add("ana@vendor.example", None, "case.look", made.number, {}, T0)
        await uow.rollback()
        await uow.timers.set("follow_up", str(made.number), T0)
        await uow.commit()
    async with store.unit_of_work(read_only=True) as uow:
        assert [t.kind for t in await uow.timers.for_subject(str(made.number))] == ["follow_up"]
        assert [e.action for e in await uow.audit.entries(made.number)] == []
