"""`SqlAttachmentRepository`: CONV-5 attachment metadata (the content is in the storage)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import RowMapping, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Platform, Status
from bot.store.interface.conversations import Attachment
from bot.store.sql.statements import dialect_insert
from bot.store.sql.tables import attachments, cases


def _attachment(row: RowMapping) -> Attachment:
    return Attachment(
        id=row["id"],
        case_number=row["case_number"],
        name=row["name"],
        content_type=row["content_type"],
        size=row["size"],
        uploaded_by=row["uploaded_by"],
        platform=Platform(row["platform"]),
        file_id=row["file_id"],
        storage_key=row["storage_key"],
        uploaded_at=row["uploaded_at"],
        purged_at=row["purged_at"],
    )


class SqlAttachmentRepository:
    """Attachment rows, one per (case, platform, file id)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, attachment: Attachment) -> Attachment | None:
        a = attachments.c
        stmt = dialect_insert(self._conn, attachments).values(
            case_number=attachment.case_number,
            name=attachment.name,
            content_type=attachment.content_type,
            size=attachment.size,
            uploaded_by=attachment.uploaded_by,
            platform=attachment.platform.value,
            file_id=attachment.file_id,
            storage_key=attachment.storage_key,
            uploaded_at=attachment.uploaded_at,
        )
        # The same file again: nothing while the case still holds it; after the purge (CONV-5:
        # the case asks for the files again) the new copy takes the purged row over.
        again = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=["case_number", "platform", "file_id"],
            set_={
                "name": again.name,
                "content_type": again.content_type,
                "size": again.size,
                "uploaded_by": again.uploaded_by,
                "storage_key": again.storage_key,
                "uploaded_at": again.uploaded_at,
                "purged_at": None,
            },
            where=a.purged_at.is_not(None),
        ).returning(a.id)
        found = (await self._conn.execute(stmt)).first()
        return None if found is None else replace(attachment, id=found[0])

    async def for_case(self, case_number: int, include_purged: bool = False) -> list[Attachment]:
        a = attachments.c
        query = select(attachments).where(a.case_number == case_number)
        if not include_purged:
            query = query.where(a.purged_at.is_(None))
        rows = await self._conn.execute(query.order_by(a.uploaded_at, a.id))
        return [_attachment(r._mapping) for r in rows]

    async def get(self, attachment_id: int) -> Attachment | None:
        row = (
            await self._conn.execute(select(attachments).where(attachments.c.id == attachment_id))
        ).first()
        return None if row is None else _attachment(row._mapping)

    async def purgeable(self, closed_before: datetime, limit: int) -> list[Attachment]:
        a, c = attachments.c, cases.c
        rows = await self._conn.execute(
            select(attachments)
            .join(cases, c.number == a.case_number)
            .where(
                a.purged_at.is_(None), c.status == Status.CLOSED.value, c.closed_at < closed_before
            )
            .order_by(c.closed_at, a.id)
            .limit(limit)
        )
        return [_attachment(r._mapping) for r in rows]

    async def mark_purged(self, ids: Sequence[int], at: datetime) -> None:
        if ids:
            await self._conn.execute(
                update(attachments).where(attachments.c.id.in_(list(ids))).values(purged_at=at)
            )
