"""`SqlOutboxRepository`: posts written with their cause, leased out for delivery (R3, R4)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.conversation import ThreadKind, ThreadRoot
from bot.model import Platform
from bot.store.interface.errors import StoreError
from bot.store.interface.outbox import (
    ClaimedPost,
    OutboxBacklog,
    OutboxItem,
    OutboxMessage,
    OutboxState,
    PacingPlan,
)
from bot.store.sql.outbox_pacing import claim_paced, throttle
from bot.store.sql.outbox_rows import message_of
from bot.store.sql.statements import insert_or_ignore, insert_or_ignore_many
from bot.store.sql.tables import channel_pacing, outbox
from bot.store.sql.threads import known_roots, record_root, root_for, thread_values

_PENDING = OutboxState.PENDING.value


def _values(item: OutboxItem, root: str | None = None, threads: bool = False) -> dict[str, Any]:
    return {
        **thread_values(item, root, threads),
        "dedup_key": item.dedup_key,
        "platform": item.platform.value,
        "target": item.target,
        "target_kind": item.target_kind.value,
        "route": dict(item.route),
        "payload": dict(item.payload),
        "status": _PENDING,
        "attempts": 0,
        "next_attempt_at": item.available_at,
        "created_at": item.available_at,
    }


class SqlOutboxRepository:
    """The outbox on a SQL table indexed by (status, next_attempt_at)."""

    def __init__(self, conn: AsyncConnection, fresh: set[int] | None = None) -> None:
        self._conn = conn
        # Cases this unit of work created: their threads have no root yet (CONV-1), since a root
        # is recorded only once a post about the case was delivered.
        self._fresh = fresh if fresh is not None else set()

    async def add(self, item: OutboxItem) -> bool:
        fresh = item.thread is not None and item.thread.case_number in self._fresh
        roots = {} if fresh else await known_roots(self._conn, [item])
        values = _values(item, root_for(item, roots))
        return await insert_or_ignore(self._conn, outbox, values, ["dedup_key"])

    async def add_many(self, items: Sequence[OutboxItem]) -> int:
        """Queue posts in order with few statements; how many were new (R4 as in `add`)."""
        roots = await known_roots(
            self._conn,
            [i for i in items if i.thread is None or i.thread.case_number not in self._fresh],
        )
        threads = any(item.thread is not None for item in items)
        rows = [_values(item, root_for(item, roots), threads) for item in items]
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
        return [message_of(r) for r in rows.mappings()]

    async def claim_paced(
        self, lease_owner: str, now: datetime, due_by: datetime, pacing: PacingPlan
    ) -> list[ClaimedPost]:
        return await claim_paced(self._conn, lease_owner, now, due_by, pacing)

    async def throttle(self, platform: Platform, channel: str, until: datetime) -> None:
        await throttle(self._conn, platform, channel, until)

    async def extend_pacing(
        self, platform: Platform, channel: str, expected: datetime, until: datetime
    ) -> bool:
        result = await self._conn.execute(
            update(channel_pacing)
            .where(channel_pacing.c.platform == platform.value)
            .where(channel_pacing.c.channel == channel, channel_pacing.c.next_at == expected)
            .values(next_at=until)
        )
        return bool(result.rowcount)

    async def release(self, ids: Sequence[int], lease_owner: str, *, attempted: bool) -> int:
        if not ids:
            return 0
        result = await self._conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)), outbox.c.lease_owner == lease_owner)
            .where(outbox.c.status == _PENDING)
            .values(
                leased_until=None,
                lease_owner=None,
                attempts=outbox.c.attempts - (0 if attempted else 1),
            )
        )
        return int(result.rowcount or 0)

    async def renew(self, ids: Sequence[int], lease_owner: str, until: datetime) -> int:
        if not ids:
            return 0
        result = await self._conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)), outbox.c.lease_owner == lease_owner)
            .where(outbox.c.status == _PENDING)
            .values(leased_until=until)
        )
        return int(result.rowcount or 0)

    async def listing(self, state: OutboxState, limit: int) -> list[OutboxMessage]:
        rows = await self._conn.execute(
            select(outbox)
            .where(outbox.c.status == state.value)
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
        )
        return [message_of(r) for r in rows.mappings()]

    async def requeue(self, ids: Sequence[int] | None, now: datetime) -> list[int]:
        chosen = select(outbox.c.id).where(outbox.c.status == OutboxState.DEAD.value)
        if ids is not None:
            # Never a sent post, nor one a worker holds right now (that would post it twice).
            chosen = select(outbox.c.id).where(
                outbox.c.id.in_(list(ids)),
                outbox.c.status != OutboxState.SENT.value,
                outbox.c.leased_until.is_(None) | (outbox.c.leased_until <= now),
            )
        found = list((await self._conn.scalars(chosen.order_by(outbox.c.id))).all())
        if found:
            # A fresh retry budget and no lease: due now for whichever replica claims first.
            await self._conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(found))
                .values(
                    status=_PENDING,
                    next_attempt_at=now,
                    failing_since=None,
                    leased_until=None,
                    lease_owner=None,
                )
            )
        return found

    async def get(self, message_id: int) -> OutboxMessage | None:
        row = (await self._conn.execute(select(outbox).where(outbox.c.id == message_id))).first()
        return None if row is None else message_of(row._mapping)

    async def _set(self, message_id: int, **values: Any) -> None:
        result = await self._conn.execute(
            update(outbox).where(outbox.c.id == message_id).values(**values)
        )
        if result.rowcount == 0:
            raise StoreError(f"no outbox message {message_id}")

    async def mark_sent(
        self, message_id: int, platform_message_id: str | None, at: datetime
    ) -> None:
        o = outbox.c
        result = await self._conn.execute(
            update(outbox)
            .where(o.id == message_id)
            .values(
                status=OutboxState.SENT.value,
                platform_message_id=platform_message_id,
                sent_at=at,
                leased_until=None,
                lease_owner=None,
            )
            .returning(
                o.platform, o.target, o.thread_case, o.thread_kind, o.thread_root, o.thread_starts
            )
        )
        row = result.first()
        if row is None:
            raise StoreError(f"no outbox message {message_id}")
        platform, target, case_number, kind, root, starts = row
        if case_number is not None and kind is not None and root is None and starts:
            # CONV-1: a post about a case made outside any thread starts the case's thread there.
            if not platform_message_id:
                return  # the platform gave no id to reply to
            start = ThreadRoot(
                case_number, Platform(platform), ThreadKind(kind), target, platform_message_id, at
            )
            await record_root(self._conn, start)

    async def mark_retry(
        self,
        message_id: int,
        error: str,
        next_attempt_at: datetime,
        failing_since: datetime | None = None,
    ) -> None:
        await self._set(
            message_id,
            last_error=error,
            next_attempt_at=next_attempt_at,
            failing_since=failing_since,
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

    async def backlog(self, delivering: Collection[Platform] | None = None) -> OutboxBacklog:
        by_platform = await self._conn.execute(
            select(outbox.c.platform, func.count(), func.min(outbox.c.created_at))
            .where(outbox.c.status == _PENDING)
            .group_by(outbox.c.platform)
        )
        keys = None if delivering is None else {p.value for p in delivering}
        pending = waiting = 0
        oldest: datetime | None = None
        for platform, count, first in by_platform:
            if keys is not None and platform not in keys:
                waiting += count  # kept for when the platform is configured
                continue
            pending += count
            oldest = first if oldest is None or first < oldest else oldest
        dead = await self._conn.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.status == OutboxState.DEAD.value)
        )
        return OutboxBacklog(pending, dead or 0, oldest, waiting)

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
