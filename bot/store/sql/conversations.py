"""`SqlConversationRepository`: Teams conversation references for proactive posts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.interface.json_values import JsonObject, JsonValue
from bot.store.sql.statements import insert_or_ignore, upsert_row
from bot.store.sql.tables import conversations


class SqlConversationRepository:
    """Conversation references by key on a SQL table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def save(self, key: str, reference: Mapping[str, JsonValue], at: datetime) -> None:
        values = {"key": key, "reference": dict(reference), "updated_at": at}
        await upsert_row(self._conn, conversations, values, ["key"])

    async def add(self, key: str, reference: Mapping[str, JsonValue], at: datetime) -> bool:
        values = {"key": key, "reference": dict(reference), "updated_at": at}
        return await insert_or_ignore(self._conn, conversations, values, ["key"])

    async def get(self, key: str) -> JsonObject | None:
        found = await self._conn.scalar(
            select(conversations.c.reference).where(conversations.c.key == key)
        )
        return None if found is None else dict(found)
