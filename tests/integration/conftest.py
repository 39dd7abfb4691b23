"""Store fixtures: every store test runs on SQLite (a private copy of a migrated template file)
and on PostgreSQL when reachable.

PostgreSQL: `SUPPORTBOT_TEST_DATABASE_URL` names the server (default: postgres on 127.0.0.1:5432
when it answers). Each test session creates its own database `supportbot_test_<random>` there,
migrates it, empties it between tests, and drops it at the end.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store.sql import SqlStore, open_store, upgrade
from bot.store.sql.tables import CASE_NUMBER_COUNTER, FIRST_CASE_NUMBER, metadata
from tests.sqlite_templates import SqliteTemplates

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
EXAMPLE_DIRECTORY = Path(__file__).resolve().parents[2] / "examples" / "directory.yaml"


def _server_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_server_url() -> str | None:
    """The configured PostgreSQL URL, the local default when it answers, else None."""
    url = os.environ.get("SUPPORTBOT_TEST_DATABASE_URL", "").strip()
    if url:
        return url
    if _server_answers("127.0.0.1", 5432):
        return DEFAULT_PG_URL
    return None


def _asyncpg_dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def create_database(server_url: str, name: str) -> str:
    """Create an empty database `name` on the server of `server_url`; returns its SQLAlchemy URL."""
    conn = await asyncpg.connect(
        _asyncpg_dsn(server_url, make_url(server_url).database or "postgres")
    )
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(
        _asyncpg_dsn(server_url, make_url(server_url).database or "postgres")
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server URL, or skip."""
    url = postgres_server_url()
    if url is None:
        pytest.skip(
            "PostgreSQL not reachable: set SUPPORTBOT_TEST_DATABASE_URL or start it on 127.0.0.1:5432"
        )
    return url


@pytest.fixture(scope="session")
def pg_url(pg_server: str) -> Iterator[str]:
    """A migrated database private to this test session."""
    name = f"supportbot_test_{secrets.token_hex(4)}"
    url = asyncio.run(create_database(pg_server, name))
    try:
        asyncio.run(upgrade(url))
        yield url
    finally:
        asyncio.run(drop_database(pg_server, name))


async def _empty_postgres(store: SqlStore) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    async with store.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await conn.execute(text(f"ALTER SEQUENCE case_number_seq RESTART WITH {FIRST_CASE_NUMBER}"))
        await conn.execute(
            text("INSERT INTO counters (name, value) VALUES (:n, :v)"),
            {"n": CASE_NUMBER_COUNTER, "v": FIRST_CASE_NUMBER - 1},
        )
    # The process-wide directory snapshot of this database would outlive the truncation by up
    # to its TTL and show the next test a directory it never loaded.
    store.directory_cache.invalidate()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_templates: SqliteTemplates
) -> str:
    """A URL of each database, already migrated; resolved outside the event loop (pg_url and
    the SQLite template run their own). SQLite: a private copy of the session's template."""
    if request.param == "sqlite":
        return sqlite_templates.copy(tmp_path / "store.db")
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    """A migrated, empty store on each database."""
    opened = await open_store(database_url, auto_upgrade=True)
    try:
        yield opened
    finally:
        if opened.dialect == "postgresql":
            await _empty_postgres(opened)
        await opened.close()
