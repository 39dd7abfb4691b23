"""Opening the store: the async engine per database, schema checks and first-use upgrades."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.interface.directory import DirectoryReader
from bot.store.interface.errors import SchemaOutdated
from bot.store.sql.directory_cache import DirectoryCache
from bot.store.sql.directory_snapshot import SnapshotDirectory
from bot.store.sql.schema import current_revision, head_revision, upgrade_engine
from bot.store.sql.sqlite_driver import READ_BEGIN, OneHopDBAPI, begin_with_next_statement, set_up
from bot.store.sql.statements import READ_ONLY_OPTION
from bot.store.sql.unit_of_work import SqlUnitOfWork
from bot.store.sql.write_batch import send_before_statements

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Connections `warm()` opens before the first request: fewer than either pool keeps idle
# (SQLite 5, PostgreSQL 10), so none is closed again on its return.
WARM_CONNECTIONS = 4

# One in-memory directory per engine: every store of this process on that engine shares it.
_CACHES: dict[AsyncEngine, DirectoryCache] = {}


class SqlStore:
    """The `Store` on SQLAlchemy: hands out units of work over one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # SQLite has one writer at a time. Queuing this process's writers here, in order,
        # beats letting them poll the database's busy handler (which sleeps in growing steps
        # and makes the tail latency). Other processes still meet the busy timeout.
        self._writers = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        self.directory_cache = _CACHES.setdefault(engine, DirectoryCache(engine))
        send_before_statements(engine.sync_engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, read_only: bool = False) -> SqlUnitOfWork:
        """A new transaction; use it as `async with`."""
        writers = None if read_only else self._writers
        return SqlUnitOfWork(self.engine, self.directory_cache, read_only, writers)

    async def directory(self) -> DirectoryReader:
        """The committed directory from memory (no connection unless nothing was read yet)."""
        snapshot = await self.directory_cache.snapshot()
        return SnapshotDirectory(lambda: snapshot)

    async def warm(self, connections: int = WARM_CONNECTIONS) -> None:
        """Open pooled connections now, so that the first requests do not each make one.

        Making a connection costs several round trips (on SQLite, hops to a new thread, each of
        which waits for the GIL while the loop is busy, up to 5 ms), and a `show` that needs a
        new one while a `queue` computes pays them all (#18)."""
        opened: list[AsyncConnection] = []
        try:
            for _ in range(connections):
                opened.append(await self.engine.connect())
        finally:
            for conn in opened:
                await conn.close()

    async def close(self) -> None:
        """Release every pooled connection."""
        if _CACHES.get(self.engine) is self.directory_cache:
            del _CACHES[self.engine]
        await self.directory_cache.close()
        await self.engine.dispose()


_SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",  # safe with WAL; a crash loses no committed transaction
)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN would be DEFERRED; `_on_sqlite_begin` issues our own.
    dbapi_connection.isolation_level = None
    if set_up(dbapi_connection, _SQLITE_PRAGMAS):  # one hop for all four
        return
    cursor = dbapi_connection.cursor()
    for pragma in _SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _on_sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: a DEFERRED read-then-write transaction in WAL mode
    # fails with SQLITE_BUSY_SNAPSHOT instead of waiting when another writer got in between.
    # Read-only units of work stay DEFERRED so that they never wait for a writer (WAL).
    read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
    begin = READ_BEGIN if read_only else "BEGIN IMMEDIATE"
    # In the same thread hop as the transaction's first statement (#18); the lock is taken
    # then, before anything is read, so IMMEDIATE still means what it says.
    if not begin_with_next_statement(conn.connection.dbapi_connection, begin):
        conn.exec_driver_sql(begin)


def create_engine(url: str) -> AsyncEngine:
    """An async engine for a SQLite (aiosqlite) or PostgreSQL (asyncpg) URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError(
                "an in-memory SQLite database is private to one connection; use a file, "
                "e.g. sqlite+aiosqlite:///./supportbot.db"
            )
        engine = create_async_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            module=OneHopDBAPI(),  # one thread hop per statement or batch, not four (#18)
            hide_parameters=True,  # R8: a database error's text never carries customer text
        )
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
        return engine
    if backend == "postgresql":
        # No pre-ping: it costs a round trip per unit of work; a dropped connection surfaces
        # as `ConnectionLost` instead, and the router runs the request once more (#18).
        # Parameters stay out of error messages, which reach the logs (R8).
        return create_async_engine(
            parsed, pool_size=10, max_overflow=20, pool_pre_ping=False, hide_parameters=True
        )
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string()!r}: use sqlite or postgresql"
    )


async def open_store(url: str, auto_upgrade: bool | None = None) -> SqlStore:
    """Open the store; upgrade SQLite on first use, refuse an outdated PostgreSQL schema.

    `auto_upgrade` defaults to True for SQLite (zero configuration) and False for PostgreSQL,
    where several replicas share the schema and an operator runs `supportbot db upgrade`.
    """
    engine = create_engine(url)
    if auto_upgrade is None:
        auto_upgrade = engine.dialect.name == "sqlite"
    try:
        current = await current_revision(engine)
        head = head_revision()
        if current != head:
            if not auto_upgrade:
                raise SchemaOutdated(
                    f"the database schema is at {current or 'nothing (empty database)'}, this "
                    f"release needs {head}: run `supportbot db upgrade` first"
                )
            await upgrade_engine(engine)
    except BaseException:
        await engine.dispose()
        raise
    return SqlStore(engine)


async def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema (`supportbot db upgrade`)."""
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
    finally:
        await engine.dispose()
