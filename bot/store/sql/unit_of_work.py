"""`SqlUnitOfWork`: one connection and transaction shared by every repository."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.interface import StoreError
from bot.store.sql.audit import SqlAuditRepository
from bot.store.sql.cases import SqlCaseRepository
from bot.store.sql.conversations import SqlConversationRepository
from bot.store.sql.directory import SqlDirectoryRepository
from bot.store.sql.directory_cache import CachedDirectoryRepository, DirectoryCache
from bot.store.sql.escalations import SqlEscalationRepository
from bot.store.sql.inbound import SqlInboundRepository
from bot.store.sql.incidents import SqlIncidentRepository
from bot.store.sql.notices import SqlNoticeRepository
from bot.store.sql.outbox import SqlOutboxRepository
from bot.store.sql.surveys import SqlSurveyRepository
from bot.store.sql.timers import SqlTimerRepository

READ_ONLY_OPTION = "supportbot_read_only"


class SqlUnitOfWork:
    """A transaction: `commit()` makes it durable; leaving without it rolls everything back."""

    def __init__(self, engine: AsyncEngine, cache: DirectoryCache, read_only: bool = False) -> None:
        self._engine = engine
        self._cache = cache
        self._read_only = read_only
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._conn is not None:
            raise StoreError("a unit of work cannot be entered twice")
        conn = await self._engine.connect()
        try:
            if self._read_only:
                await conn.execution_options(**{READ_ONLY_OPTION: True})
            await conn.begin()
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        self.directory = CachedDirectoryRepository(SqlDirectoryRepository(conn), self._cache)
        self.cases = SqlCaseRepository(conn)
        self.timers = SqlTimerRepository(conn)
        self.escalations = SqlEscalationRepository(conn)
        self.incidents = SqlIncidentRepository(conn)
        self.notices = SqlNoticeRepository(conn)
        self.surveys = SqlSurveyRepository(conn)
        self.outbox = SqlOutboxRepository(conn)
        self.inbound = SqlInboundRepository(conn)
        self.audit = SqlAuditRepository(conn)
        self.conversations = SqlConversationRepository(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._require()
        try:
            if conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()
            if self.directory.written:
                self._cache.invalidate()

    async def commit(self) -> None:
        """Make everything done so far durable; later work starts a new transaction."""
        await self._require().commit()
        if self.directory.written:
            self._cache.invalidate()  # this process sees the new directory at once

    async def rollback(self) -> None:
        """Discard everything done since the last commit."""
        await self._require().rollback()

    def _require(self) -> AsyncConnection:
        if self._conn is None:
            raise StoreError("use the unit of work as `async with store.unit_of_work() as uow`")
        return self._conn
