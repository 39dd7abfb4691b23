"""PostgreSQL without a pre-ping per checkout (#18): a pooled connection the server dropped
costs the request one more run, never an error and never a second write."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import func, select

from bot.messages import CaseView, Outcome
from bot.store.sql import SqlStore
from bot.store.sql.tables import cases
from tests.integration.test_views_scale import ALICE, opened_case, say


async def drop_the_pools_connections(store: SqlStore) -> int:
    """What a database restart or an idle timeout does to the pool: the server ends them."""
    url = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(url)  # outside the pool
    try:
        ended = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return int(ended or 0)


async def test_r6_requests_on_connections_the_server_dropped_run_once_more_and_write_once(
    store: SqlStore,
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("a SQLite file has no server to drop connections")
    router, number = await opened_case(store)
    assert await drop_the_pools_connections(store) >= 1
    shown = await say(router, ALICE, f"show {number}")
    assert shown.outcome is Outcome.OK, shown
    assert isinstance(shown.body, CaseView)
    await drop_the_pools_connections(store)
    opened = await say(router, ALICE, "open low Does the export run on Sundays?")
    assert opened.outcome is Outcome.OK, opened
    async with store.engine.connect() as conn:
        stored = await conn.scalar(select(func.count()).select_from(cases))
    assert stored == 2  # the first case and this one, once
