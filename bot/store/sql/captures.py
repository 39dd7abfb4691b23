"""`SqlCaptureRepository`: CONV-4 offers, and when each person was last offered one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Platform
from bot.store.interface.conversations import Capture
from bot.store.sql.statements import dialect_insert
from bot.store.sql.tables import capture_prompts, captures


class SqlCaptureRepository:
    """Capture offers and prompt times on SQL tables."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim_prompt(
        self, platform: Platform, user_id: str, now: datetime, every: timedelta
    ) -> bool:
        # One statement decides for every replica: a new row, or an old one moved to `now` only
        # when its last offer is at least `every` ago; RETURNING says whether either happened.
        p = capture_prompts.c
        stmt = dialect_insert(self._conn, capture_prompts).values(
            platform=platform.value, user_id=user_id, offered_at=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform", "user_id"],
            set_={"offered_at": stmt.excluded.offered_at},
            where=p.offered_at <= now - every,
        ).returning(p.user_id)
        return (await self._conn.execute(stmt)).first() is not None

    async def add(self, capture: Capture) -> None:
        await self._conn.execute(
            captures.insert().values(
                id=capture.id,
                platform=capture.platform.value,
                channel_id=capture.channel_id,
                message_id=capture.message_id,
                account_id=capture.account_id,
                author=capture.author,
                offered_to=capture.offered_to,
                text=capture.text,
                created_at=capture.created_at,
            )
        )

    async def get(self, capture_id: str) -> Capture | None:
        row = (
            await self._conn.execute(select(captures).where(captures.c.id == capture_id))
        ).first()
        if row is None:
            return None
        r = row._mapping
        return Capture(
            id=r["id"],
            platform=Platform(r["platform"]),
            channel_id=r["channel_id"],
            message_id=r["message_id"],
            account_id=r["account_id"],
            author=r["author"],
            offered_to=r["offered_to"],
            text=r["text"],
            created_at=r["created_at"],
        )
