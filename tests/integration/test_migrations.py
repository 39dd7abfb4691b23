"""Migrations: an empty database upgrades to exactly the schema the code expects, on both."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from bot.model import CaseEvent, EventKind, Platform
from bot.store.interface import OutboxItem, SchemaOutdated, TargetKind
from bot.store.sql import SqlStore, open_store, upgrade
from bot.store.sql.engine import create_engine
from bot.store.sql.schema import alembic_config, current_revision, head_revision
from bot.store.sql.tables import metadata
from tests.builders import T0, add_case, seed_accounts
from tests.integration.conftest import create_database, drop_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_server(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(kind, server URL) of a database kind; the database itself is made by `empty_url`."""
    if request.param == "sqlite":
        return "sqlite", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    server: str = request.getfixturevalue("pg_server")
    return "postgres", server


@pytest.fixture
async def empty_url(empty_database_server: tuple[str, str]) -> AsyncIterator[str]:
    kind, server = empty_database_server
    if kind == "sqlite":
        yield server
        return
    name = f"supportbot_empty_{secrets.token_hex(4)}"
    url = await create_database(server, name)
    try:
        yield url
    finally:
        await drop_database(server, name)


def _schema_differences(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_upgrade_brings_an_empty_database_to_exactly_the_tables_of_the_code(
    empty_url: str,
) -> None:
    await upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_schema_differences) == []
            names = await conn.run_sync(_table_names)
    finally:
        await engine.dispose()
    assert names == {t.name for t in metadata.sorted_tables} | {"alembic_version"}


async def test_upgrade_twice_is_harmless(empty_url: str) -> None:
    await upgrade(empty_url)
    await upgrade(empty_url)
    store = await open_store(empty_url)
    try:
        async with store.unit_of_work() as uow:
            assert await uow.cases.next_number() == 1001
    finally:
        await store.close()


async def test_sqlite_is_upgraded_automatically_on_first_use(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    store = await open_store(url)
    try:
        assert await current_revision(store.engine) == head_revision()
        async with store.unit_of_work() as uow:
            assert await uow.directory.accounts() == []
    finally:
        await store.close()


@pytest.mark.postgres
async def test_postgresql_behind_the_code_is_refused_with_the_upgrade_command(
    pg_server: str,
) -> None:
    name = f"supportbot_empty_{secrets.token_hex(4)}"
    url = await create_database(pg_server, name)
    try:
        with pytest.raises(SchemaOutdated, match="supportbot db upgrade"):
            await open_store(url)
        store = await open_store(url, auto_upgrade=True)
        await store.close()
        store = await open_store(url)
        await store.close()
    finally:
        await drop_database(pg_server, name)


async def test_an_in_memory_sqlite_database_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="in-memory SQLite"):
        await open_store("sqlite+aiosqlite:///:memory:")


async def _upgrade_to(url: str, revision: str) -> None:
    engine = create_engine(url)
    config = alembic_config(url)

    def run(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def test_sla_5_upgrade_remembers_the_sla_notices_still_in_the_outbox_by_cycle(
    empty_url: str,
) -> None:
    """Notices queued before the memory existed are not sent again after the upgrade."""
    script = ScriptDirectory.from_config(alembic_config(empty_url)).get_revision("sent_notices")
    assert script is not None and isinstance(script.down_revision, str)
    await _upgrade_to(empty_url, script.down_revision)
    old = SqlStore(create_engine(empty_url))
    try:
        await seed_accounts(old, "acme")
        made = await add_case(old)
        n = made.number
        async with old.unit_of_work() as uow:
            await uow.cases.get_for_change(n)
            reopened = CaseEvent(EventKind.REOPENED, T0 + timedelta(days=2), "a@acme.example")
            await uow.cases.add_event(n, reopened)
            for key, hours in (
                (f"sla:{n}:response:0.75:slack:CQUEUE", 1),
                (f"sla:{n}:response:0.75:teams:19:queue@thread.tacv2", 1),
                (f"sla5b:{n}:response:slack:CACME", 2),
                (f"sla:{n}:response:1.0:slack:CQUEUE", 72),  # after the reopen: cycle 1
                (f"update:{n}:7:slack:CQUEUE", 3),  # not an SLA notice
                ("sla:9999:response:1.0:slack:CQUEUE", 3),  # no such case
            ):
                at = T0 + timedelta(hours=hours)
                item = OutboxItem(key, Platform.SLACK, "C", TargetKind.CHANNEL, {}, at)
                await uow.outbox.add(item)
            await uow.commit()
    finally:
        await old.close()
    await upgrade(empty_url)
    store = await open_store(empty_url)
    try:
        async with store.unit_of_work(read_only=True) as uow:
            remembered = await uow.sent_notices.for_cases([n, 9999])
    finally:
        await store.close()
    assert remembered == {
        n: {f"sla:{n}:c0:response:0.75", f"sla5b:{n}:c0:response", f"sla:{n}:c1:response:1.0"}
    }
