"""`SqlInboundRepository`: R2 de-duplication keys, claimed inside the work's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sql.statements import insert_or_ignore
from bot.store.sql.tables import inbound


class SqlInboundRepository:
    """Seen request keys on a SQL table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(self, key: str, now: datetime) -> bool:
        # A rolled-back attempt releases the key with everything else, so a retry can do the work.
        return await insert_or_ignore(
            self._conn, inbound, {"key": key, "received_at": now}, ["key"]
        )

    async def prune(self, before: datetime, limit: int) -> int:
        # Oldest first through the received_at index, a bounded batch per call.
        oldest = (
            select(inbound.c.key)
            .where(inbound.c.received_at < before)
            .order_by(inbound.c.received_at)
            .limit(limit)
        )
        result = await self._conn.execute(delete(inbound).where(inbound.c.key.in_(oldest)))
        return int(result.rowcount or 0)
