"""`SqlTimerRepository`: indexed due times for the scheduler (P3, R4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import RowMapping, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.interface.json_values import JsonValue
from bot.store.interface.timers import Timer
from bot.store.sql.statements import upsert_row, upsert_rows
from bot.store.sql.tables import timers
from bot.store.sql.write_batch import WriteBatch

IN_CHUNK = 500  # subjects per `IN (...)`: well under the bound-parameter limits


def _timer(row: RowMapping) -> Timer:
    return Timer(row["kind"], row["subject"], row["due_at"], dict(row["payload"]))


class SqlTimerRepository:
    """Timers on an indexed table, unique per (kind, subject)."""

    def __init__(self, conn: AsyncConnection, batch: WriteBatch | None = None) -> None:
        self._conn = conn
        self._batch = batch  # a writing unit of work's: sent before its next statement

    async def set(
        self,
        kind: str,
        subject: str,
        due_at: datetime | None,
        payload: Mapping[str, JsonValue] | None = None,
    ) -> None:
        values = None
        if due_at is not None:
            values = {
                "kind": kind,
                "subject": subject,
                "due_at": due_at,
                "payload": dict(payload or {}),
            }
        if self._batch is not None:
            self._batch.set_timer(kind, subject, values)
        elif values is None:
            await self._conn.execute(
                delete(timers).where(timers.c.kind == kind, timers.c.subject == subject)
            )
        else:
            await upsert_row(self._conn, timers, values, ["kind", "subject"])

    async def set_many(self, due: Sequence[Timer]) -> None:
        """Create or move every timer in one execution; for a repeated key the last one wins."""
        latest = {(t.kind, t.subject): t for t in due}
        rows = [
            {"kind": t.kind, "subject": t.subject, "due_at": t.due_at, "payload": dict(t.payload)}
            for t in latest.values()
        ]
        await upsert_rows(self._conn, timers, rows, ["kind", "subject"])

    async def remove_many(self, kind: str, subjects: Sequence[str]) -> None:
        """Remove the `kind` timers of `subjects` (absent ones are no error)."""
        wanted = sorted(set(subjects))
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            await self._conn.execute(
                delete(timers).where(timers.c.kind == kind, timers.c.subject.in_(chunk))
            )

    async def get(self, kind: str, subject: str) -> Timer | None:
        row = (
            await self._conn.execute(
                select(timers).where(timers.c.kind == kind, timers.c.subject == subject)
            )
        ).first()
        return None if row is None else _timer(row._mapping)

    async def for_subject(self, subject: str) -> list[Timer]:
        rows = await self._conn.execute(
            select(timers)
            .where(timers.c.subject == subject)
            .order_by(timers.c.due_at, timers.c.kind)
        )
        return [_timer(r) for r in rows.mappings()]

    async def due(self, until: datetime, kind: str | None = None, limit: int = 100) -> list[Timer]:
        stmt = select(timers).where(timers.c.due_at <= until)
        if kind is not None:
            stmt = stmt.where(timers.c.kind == kind)
        stmt = stmt.order_by(timers.c.due_at, timers.c.id).limit(limit)
        if self._conn.dialect.name == "postgresql":
            # R4: another replica's pass skips the rows this transaction is working on.
            stmt = stmt.with_for_update(skip_locked=True)
        return [_timer(r) for r in (await self._conn.execute(stmt)).mappings()]
