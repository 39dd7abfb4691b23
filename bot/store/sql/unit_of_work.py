"""`SqlUnitOfWork`: one connection and transaction shared by every repository."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.interface import ConnectionLost, StoreError
from bot.store.sql.attachments import SqlAttachmentRepository
from bot.store.sql.audit import SqlAuditRepository
from bot.store.sql.captures import SqlCaptureRepository
from bot.store.sql.cases import SqlCaseRepository
from bot.store.sql.conversations import SqlConversationRepository
from bot.store.sql.directory import SqlDirectoryRepository
from bot.store.sql.directory_cache import CachedDirectoryRepository, DirectoryCache
from bot.store.sql.escalations import SqlEscalationRepository
from bot.store.sql.inbound import SqlInboundRepository
from bot.store.sql.incidents import SqlIncidentRepository
from bot.store.sql.notices import SqlNoticeRepository
from bot.store.sql.outbox import SqlOutboxRepository
from bot.store.sql.sent_notices import SqlSentNoticeRepository
from bot.store.sql.statements import READ_ONLY_OPTION
from bot.store.sql.surveys import SqlSurveyRepository
from bot.store.sql.threads import SqlThreadRepository
from bot.store.sql.timers import SqlTimerRepository
from bot.store.sql.write_batch import BATCH_KEY, WriteBatch, send_and_commit

WRITER_WAIT_SECONDS = 30.0  # as long as SQLite's own busy timeout


class SqlUnitOfWork:
    """A transaction: `commit()` makes it durable; leaving without it rolls everything back."""

    def __init__(
        self,
        engine: AsyncEngine,
        cache: DirectoryCache,
        read_only: bool = False,
        writers: asyncio.Lock | None = None,
    ) -> None:
        self._engine = engine
        self._cache = cache
        self._read_only = read_only
        self._writers = writers  # SQLite: this process's writers take turns here
        self._holds_writers = False
        self._committing = False
        self._conn: AsyncConnection | None = None
        self._batch: WriteBatch | None = None
        self._info: dict[Any, Any] = {}

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._conn is not None:
            raise StoreError("a unit of work cannot be entered twice")
        if self._writers is not None:
            try:
                await asyncio.wait_for(self._writers.acquire(), WRITER_WAIT_SECONDS)
            except TimeoutError:
                raise StoreError(
                    f"no turn to write within {WRITER_WAIT_SECONDS:.0f} s (another unit of work "
                    "of this process holds it: one opened inside another?)"
                ) from None
            self._holds_writers = True
        try:
            conn = await self._engine.connect()
        except BaseException:
            self._release_writers()
            raise
        try:
            if self._read_only:
                await conn.execution_options(**{READ_ONLY_OPTION: True})
            await conn.begin()
        except BaseException:
            await conn.close()
            self._release_writers()
            raise
        self._conn = conn
        batch = None
        if not self._read_only:
            batch = self._batch = WriteBatch()
            # Kept: an invalidated connection (server gone) refuses to hand out its `info`.
            self._info = conn.sync_connection.info  # type: ignore[union-attr]
            self._info[BATCH_KEY] = batch
        self.directory = CachedDirectoryRepository(SqlDirectoryRepository(conn), self._cache)
        self.cases = SqlCaseRepository(conn)
        self.timers = SqlTimerRepository(conn, batch)
        self.sent_notices = SqlSentNoticeRepository(conn, self.cases.inserted)
        self.escalations = SqlEscalationRepository(conn)
        self.incidents = SqlIncidentRepository(conn)
        self.notices = SqlNoticeRepository(conn)
        self.surveys = SqlSurveyRepository(conn)
        self.outbox = SqlOutboxRepository(conn, self.cases.inserted)
        self.inbound = SqlInboundRepository(conn)
        self.audit = SqlAuditRepository(conn, batch)
        self.conversations = SqlConversationRepository(conn)
        self.threads = SqlThreadRepository(conn)
        self.captures = SqlCaptureRepository(conn)
        self.attachments = SqlAttachmentRepository(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._require()
        try:
            if self._batch is not None:
                self._info.pop(BATCH_KEY, None)
                self._batch = None  # unsent writes go with the rollback
            if conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()
            self._release_writers()
            if self.directory.written:
                self._cache.invalidate()
        if _lost(exc) and not self._committing:
            # PostgreSQL connections are not pinged at checkout (a round trip per unit of
            # work); a pooled one the server dropped fails its first statement instead, with
            # nothing written, and the caller may run the unit again (the pool replaces it).
            raise ConnectionLost("the database connection was lost; nothing was written") from exc

    async def commit(self) -> None:
        """Make everything done so far durable; later work starts a new transaction."""
        self._committing = True  # a connection lost from here on may have committed
        batch = self._batch
        if batch is None or batch.empty:
            await self._require().commit()
        else:
            # The noted writes and the COMMIT in one step (one greenlet switch, not two).
            await self._require().run_sync(send_and_commit, batch)
        if self.directory.written:
            self._cache.invalidate()  # this process sees the new directory at once

    async def rollback(self) -> None:
        """Discard everything done since the last commit."""
        if self._batch is not None:
            self._batch.discard()  # noted writes are part of what is discarded
        await self._require().rollback()

    def _release_writers(self) -> None:
        if self._holds_writers and self._writers is not None:
            self._holds_writers = False
            self._writers.release()

    def _require(self) -> AsyncConnection:
        if self._conn is None:
            raise StoreError("use the unit of work as `async with store.unit_of_work() as uow`")
        return self._conn


def _lost(exc: BaseException | None) -> bool:
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
