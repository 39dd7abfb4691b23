"""Read-only units of work on PostgreSQL send no BEGIN or ROLLBACK (#18); writes stay atomic."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.store.sql import SqlStore

# Inside a transaction block now() is the transaction's start, so a statement after a 50 ms
# sleep starts 50 ms after it; a statement on its own is its own transaction (microseconds).
OWN_TRANSACTION = text("SELECT statement_timestamp() - now() < interval '25 milliseconds'")


async def _second_statement_alone(store: SqlStore, read_only: bool) -> bool:
    async with store.unit_of_work(read_only=read_only) as uow:
        conn = uow.cases._conn  # the unit's connection, as every repository uses it
        await conn.execute(text("SELECT pg_sleep(0.05)"))
        return bool(await conn.scalar(OWN_TRANSACTION))


async def test_a_read_only_unit_runs_each_statement_on_its_own(store: SqlStore) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite reads keep their BEGIN DEFERRED (in the first statement's hop)")
    assert await _second_statement_alone(store, read_only=True)


async def test_a_writing_unit_is_still_one_transaction(store: SqlStore) -> None:
    if store.dialect != "postgresql":
        pytest.skip("PostgreSQL's now() tells a transaction block apart")
    assert not await _second_statement_alone(store, read_only=False)
    # The read-only unit's setting went back with its connection: the pool's next writer
    # still gets a transaction, whichever connection it is handed.
    for _ in range(3):
        assert await _second_statement_alone(store, read_only=True)
        assert not await _second_statement_alone(store, read_only=False)
