"""Migrations: an empty database upgrades to exactly the schema the code expects, on both."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from bot.store.interface import SchemaOutdated
from bot.store.sql import open_store, upgrade
from bot.store.sql.engine import create_engine
from bot.store.sql.schema import current_revision, head_revision
from bot.store.sql.tables import metadata
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
