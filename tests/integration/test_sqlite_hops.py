"""SQLite's thread hops (#18): aiosqlite runs each call on its connection's thread (~90 us a
hop), so a statement makes one hop, BEGIN rides with the first statement, and a unit of work's
batched writes go out with its COMMIT in one more; the writes themselves are all there."""

from __future__ import annotations

import dataclasses
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
    assert len(hops) == len(sent) + 1  # each statement, then the read's rollback
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
