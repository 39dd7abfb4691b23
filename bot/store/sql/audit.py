"""`SqlAuditRepository`: the R7 audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Platform
from bot.store.interface.audit import AuditEntry
from bot.store.interface.json_values import JsonValue
from bot.store.sql.tables import audit
from bot.store.sql.write_batch import WriteBatch


class SqlAuditRepository:
    """Audit entries on an append-only SQL table."""

    def __init__(self, conn: AsyncConnection, batch: WriteBatch | None = None) -> None:
        self._conn = conn
        self._batch = batch  # a writing unit of work's: sent before its next statement

    async def add(
        self,
        actor: str,
        platform: Platform | None,
        action: str,
        case_number: int | None,
        detail: Mapping[str, JsonValue],
        at: datetime,
    ) -> None:
        row = {
            "actor": actor,
            "platform": None if platform is None else platform.value,
            "action": action,
            "case_number": case_number,
            "detail": dict(detail),
            "at": at,
        }
        if self._batch is not None:
            self._batch.add_audit(row)
        else:
            await self._conn.execute(audit.insert(), row)

    async def entries(
        self, case_number: int | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        # Newest first so that `limit` keeps the latest entries; reversed below.
        stmt = select(audit).order_by(audit.c.id.desc())
        if case_number is not None:
            stmt = stmt.where(audit.c.case_number == case_number)
        if limit is not None:
            stmt = stmt.limit(limit)
        found = [
            AuditEntry(
                id=r["id"],
                actor=r["actor"],
                platform=None if r["platform"] is None else Platform(r["platform"]),
                action=r["action"],
                case_number=r["case_number"],
                detail=dict(r["detail"]),
                at=r["at"],
            )
            for r in (await self._conn.execute(stmt)).mappings()
        ]
        return found[::-1]
