"""Due timers are read in index order (#18, P9): the scheduler's claim and `queue`'s candidates
ask for `kind = ? AND due_at <= ? ORDER BY due_at, id LIMIT n`, and an index must deliver that
order, so that the LIMIT stops the scan instead of every due timer being read and sorted.

At a test's size the planner rightly prefers reading the whole table, so on PostgreSQL the
plan is asked for with sorts and full scans priced out (`enable_* = off`): what is left is
whether a plan without a sort exists at all, which is what the index decides. SQLite's plan
says "USE TEMP B-TREE FOR ORDER BY" when it has to sort.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bot.casework.tracking import SLA_WATCH
from bot.store.interface import UnitOfWork
from bot.store.sql import SqlStore
from tests.builders import T0

# Without these PostgreSQL picks a sequential scan of a small table and sorts it.
_NO_SORT_NO_FULL_SCAN = (
    "enable_sort",
    "enable_incremental_sort",
    "enable_seqscan",
    "enable_bitmapscan",
)


async def _sent_by(
    store: SqlStore, read: Callable[[UnitOfWork], Awaitable[object]]
) -> tuple[str, Any]:
    """The (statement, parameters) `read` sends; it must send exactly one."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            sent.append((statement, parameters))

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with store.unit_of_work(read_only=True) as uow:
            await read(uow)
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)
    assert len(sent) == 1, sent
    return sent[0]


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


async def _plan(store: SqlStore, statement: str, parameters: Any) -> list[str]:
    """One line per plan node: its type and the index it reads, if any."""
    async with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            for setting in _NO_SORT_NO_FULL_SCAN:
                await conn.exec_driver_sql(f"SET LOCAL {setting} = off")
            found = await conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
            root = found.scalar_one()[0]["Plan"]
            return [f"{n['Node Type']} {n.get('Index Name', '')}".strip() for n in _nodes(root)]
        found = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [str(row[-1]) for row in found.all()]


def _sorts(plan: list[str]) -> list[str]:
    return [line for line in plan if "Sort" in line or "TEMP B-TREE" in line]


async def _with_due_timers(store: SqlStore) -> None:
    async with store.unit_of_work() as uow:
        for n in range(40):
            await uow.timers.set(SLA_WATCH, str(1001 + n), T0 + timedelta(minutes=n % 4))
            await uow.timers.set("sla", str(1001 + n), T0 + timedelta(minutes=n % 3))
        await uow.commit()


async def test_queue_candidates_come_from_the_timer_index_in_order_without_a_sort(
    store: SqlStore,
) -> None:
    await _with_due_timers(store)
    statement, parameters = await _sent_by(
        store, lambda uow: uow.cases.with_due_timer(SLA_WATCH, T0 + timedelta(hours=1), 1000)
    )
    plan = await _plan(store, statement, parameters)
    assert _sorts(plan) == [], plan
    assert any("ix_timers_kind_due_at_id" in line for line in plan), plan


async def test_the_schedulers_claim_of_due_timers_reads_the_index_in_order_without_a_sort(
    store: SqlStore,
) -> None:
    await _with_due_timers(store)
    statement, parameters = await _sent_by(
        store, lambda uow: uow.timers.due(T0 + timedelta(hours=1), kind=SLA_WATCH, limit=100)
    )
    plan = await _plan(store, statement, parameters)
    assert _sorts(plan) == [], plan
    assert any("ix_timers_kind_due_at_id" in line for line in plan), plan
