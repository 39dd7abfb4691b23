"""`SqlOutboxRepository`: posts written with their cause, leased out for delivery (R3, R4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Platform
from bot.store.interface import (
    OutboxBacklog,
    OutboxItem,
    OutboxMessage,
    OutboxState,
    StoreError,
    TargetKind,
)
from bot.store.sql.statements import insert_or_ignore, insert_or_ignore_many
from bot.store.sql.tables import outbox

_PENDING = OutboxState.PENDING.value


def _message(row: RowMapping) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        dedup_key=row["dedup_key"],
        platform=Platform(row["platform"]),
        target=row["target"],
        target_kind=TargetKind(row["target_kind"]),
        payload=dict(row["payload"]),
        state=OutboxState(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        service_url=row["service_url"],
        tenant=row["tenant"],
        leased_until=row["leased_until"],
        lease_owner=row["lease_owner"],
        last_error=row["last_error"],
        platform_message_id=row["platform_message_id"],
        sent_at=row["sent_at"],
    )


def _values(item: OutboxItem) -> dict[str, Any]:
    return {
        "dedup_key": item.dedup_key,
        "platform": item.platform.value,
        "target": item.target,
        "target_kind": item.target_kind.value,
        "service_url": item.service_url,
        "tenant": item.tenant,
        "payload": dict(item.payload),
        "status": _PENDING,
        "attempts": 0,
        "next_attempt_at": item.available_at,
        "created_at": item.available_at,
    }


class SqlOutboxRepository:
    """The outbox on a SQL table indexed by (status, next_attempt_at)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, item: OutboxItem) -> bool:
        return await insert_or_ignore(self._conn, outbox, _values(item), ["dedup_key"])

    async def add_many(self, items: Sequence[OutboxItem]) -> int:
        """Queue posts in order with few statements; how many were new (R4 as in `add`)."""
        rows = [_values(item) for item in items]
        return await insert_or_ignore_many(self._conn, outbox, rows, ["dedup_key"])

    async def claim(
        self, batch: int, lease_owner: str, lease_seconds: int, now: datetime
    ) -> list[OutboxMessage]:
        due = (
            select(outbox.c.id)
            .where(outbox.c.status == _PENDING, outbox.c.next_attempt_at <= now)
            .where(outbox.c.leased_until.is_(None) | (outbox.c.leased_until <= now))
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(batch)
        )
        if self._conn.dialect.name == "postgresql":
            # R4: concurrent claimers skip each other's rows instead of waiting or doubling up.
            due = due.with_for_update(skip_locked=True)
        # SQLite needs no lock here: the unit of work already holds the write lock (IMMEDIATE).
        ids = list((await self._conn.scalars(due)).all())
        if not ids:
            return []
        await self._conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(
                leased_until=now + timedelta(seconds=lease_seconds),
                lease_owner=lease_owner,
                attempts=outbox.c.attempts + 1,
            )
        )
        rows = await self._conn.execute(
            select(outbox)
            .where(outbox.c.id.in_(ids))
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
        )
        return [_message(r) for r in rows.mappings()]

    async def get(self, message_id: int) -> OutboxMessage | None:
        row = (await self._conn.execute(select(outbox).where(outbox.c.id == message_id))).first()
        return None if row is None else _message(row._mapping)

    async def _set(self, message_id: int, **values: Any) -> None:
        result = await self._conn.execute(
            update(outbox).where(outbox.c.id == message_id).values(**values)
        )
        if result.rowcount == 0:
            raise StoreError(f"no outbox message {message_id}")

    async def mark_sent(
        self, message_id: int, platform_message_id: str | None, at: datetime
    ) -> None:
        await self._set(
            message_id,
            status=OutboxState.SENT.value,
            platform_message_id=platform_message_id,
            sent_at=at,
            leased_until=None,
            lease_owner=None,
        )

    async def mark_retry(self, message_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._set(
            message_id,
            last_error=error,
            next_attempt_at=next_attempt_at,
            leased_until=None,
            lease_owner=None,
        )

    async def mark_dead(self, message_id: int, error: str) -> None:
        await self._set(
            message_id,
            status=OutboxState.DEAD.value,
            last_error=error,
            leased_until=None,
            lease_owner=None,
        )

    async def backlog(self) -> OutboxBacklog:
        pending_count, oldest = (
            await self._conn.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(
                    outbox.c.status == _PENDING
                )
            )
        ).one()
        dead = await self._conn.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.status == OutboxState.DEAD.value)
        )
        return OutboxBacklog(pending=pending_count, dead=dead or 0, oldest_pending_at=oldest)

    async def prune_sent(self, before: datetime, limit: int) -> int:
        # Through the (status, sent_at) index: sent rows only, oldest first, a bounded batch.
        oldest = (
            select(outbox.c.id)
            .where(outbox.c.status == OutboxState.SENT.value, outbox.c.sent_at < before)
            .order_by(outbox.c.sent_at)
            .limit(limit)
        )
        result = await self._conn.execute(delete(outbox).where(outbox.c.id.in_(oldest)))
        return int(result.rowcount or 0)
