"""The store as command handlers and jobs see it: a unit of work over role-named repositories.

Nothing in this package imports SQLAlchemy (import-linter keeps it so). `bot.store.sql`
implements these protocols; handlers, jobs and `bot.directory` depend only on this package.

This module holds the two protocols everything starts from, `Store` and `UnitOfWork`. Each
repository protocol lives with the plain values it takes and returns, one module per group:
`directory`, `cases` (with escalations and surveys), `incidents` (with service notices),
`outbox` (with pacing and sent notices), `conversations` (threads, captures, attachments, Teams
conversation references), `timers`, `audit` and `inbound`; `errors` and `json_values` serve
them all. Import a name from its own module; nothing is re-exported here.

Usage: ``async with store.unit_of_work() as uow: ...; await uow.commit()``. Leaving the block
without `commit()` rolls back, so a change, its audit entry and its outbox rows are written
together or not at all (R3, R7).
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from bot.store.interface.audit import AuditRepository
from bot.store.interface.cases import CaseRepository, EscalationRepository, SurveyRepository
from bot.store.interface.conversations import (
    AttachmentRepository,
    CaptureRepository,
    ConversationRepository,
    ThreadRepository,
)
from bot.store.interface.directory import DirectoryReader, DirectoryRepository
from bot.store.interface.inbound import InboundRepository
from bot.store.interface.incidents import IncidentRepository, NoticeRepository
from bot.store.interface.outbox import OutboxRepository, SentNoticeRepository
from bot.store.interface.timers import TimerRepository


class UnitOfWork(Protocol):
    """One transaction over every repository; leaving it without `commit()` rolls back."""

    @property
    def directory(self) -> DirectoryRepository: ...
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def timers(self) -> TimerRepository: ...
    @property
    def sent_notices(self) -> SentNoticeRepository: ...
    @property
    def escalations(self) -> EscalationRepository: ...
    @property
    def incidents(self) -> IncidentRepository: ...
    @property
    def notices(self) -> NoticeRepository: ...
    @property
    def surveys(self) -> SurveyRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def inbound(self) -> InboundRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def threads(self) -> ThreadRepository: ...
    @property
    def captures(self) -> CaptureRepository: ...
    @property
    def attachments(self) -> AttachmentRepository: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Store(Protocol):
    """Hands out units of work; `close()` releases connections."""

    def unit_of_work(self, read_only: bool = False) -> UnitOfWork:
        """A new transaction; `read_only=True` promises no writes (SQLite then never waits)."""
        ...

    async def directory(self) -> DirectoryReader:
        """The committed directory from memory, without a database connection (identity)."""
        ...

    async def warm(self) -> None:
        """Open pooled connections before the first request (`serve` does, at start)."""
        ...

    async def close(self) -> None: ...
