"""`SqlSentNoticeRepository`: the SLA-5 notices each case has had, kept as long as the case."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sql.cases import IN_CHUNK
from bot.store.sql.statements import dialect_insert
from bot.store.sql.tables import sent_notices


class SqlSentNoticeRepository:
    """Notice keys on a SQL table; a key is the notice's cause, before platform and target."""

    def __init__(self, conn: AsyncConnection, fresh: set[int] | None = None) -> None:
        self._conn = conn
        # Cases created in this unit of work have had no notice: no statement asks (#18).
        self._fresh: set[int] = set() if fresh is None else fresh

    async def for_cases(self, numbers: Collection[int]) -> dict[int, set[str]]:
        wanted = sorted(set(numbers) - self._fresh)
        found: dict[int, set[str]] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            rows = await self._conn.execute(
                select(sent_notices.c.case_number, sent_notices.c.key).where(
                    sent_notices.c.case_number.in_(wanted[start : start + IN_CHUNK])
                )
            )
            for number, key in rows:
                found.setdefault(number, set()).add(key)
        return found

    async def remember(self, keys: Mapping[str, int], at: datetime) -> set[str]:
        if not keys:
            return set()
        self._fresh.difference_update(keys.values())
        stmt = (
            dialect_insert(self._conn, sent_notices)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(sent_notices.c.key)
        )
        result = await self._conn.execute(
            stmt, [{"key": key, "case_number": keys[key], "sent_at": at} for key in sorted(keys)]
        )
        return set(result.scalars().all())
