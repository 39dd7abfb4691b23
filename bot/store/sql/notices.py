"""`SqlNoticeRepository`: NOT-1 notices with never-reused reference numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.interface.incidents import ServiceNotice
from bot.store.sql.tables import notices


def _notice(row: RowMapping) -> ServiceNotice:
    return ServiceNotice(
        reference=row["reference"],
        kind=row["kind"],
        account_ids=tuple(row["account_ids"]),
        text=row["text"],
        posted_by=row["posted_by"],
        posted_at=row["posted_at"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        impact=row["impact"],
    )


class SqlNoticeRepository:
    """Notices on a SQL table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(
        self,
        kind: str,
        account_ids: Sequence[str],
        text: str,
        posted_by: str,
        posted_at: datetime,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        impact: str | None = None,
    ) -> ServiceNotice:
        result = await self._conn.execute(
            notices.insert()
            .values(
                kind=kind,
                account_ids=list(account_ids),
                text=text,
                impact=impact,
                posted_by=posted_by,
                posted_at=posted_at,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            .returning(notices.c.reference)
        )
        reference: int = result.scalar_one()
        return ServiceNotice(
            reference,
            kind,
            tuple(account_ids),
            text,
            posted_by,
            posted_at,
            starts_at,
            ends_at,
            impact,
        )

    async def get(self, reference: int) -> ServiceNotice | None:
        row = (
            await self._conn.execute(select(notices).where(notices.c.reference == reference))
        ).first()
        return None if row is None else _notice(row._mapping)

    async def for_account(self, account_id: str, since: datetime) -> list[ServiceNotice]:
        rows = await self._conn.execute(
            select(notices)
            .where(notices.c.posted_at >= since)
            .order_by(notices.c.posted_at.desc(), notices.c.reference.desc())
        )
        # The account filter is a JSON list; notices are few, so it is applied here.
        found = [_notice(r) for r in rows.mappings()]
        return [n for n in found if not n.account_ids or account_id in n.account_ids]
