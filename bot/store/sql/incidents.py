"""`SqlIncidentRepository`: incidents, statuses and the INC-3 slot posts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Platform
from bot.store.interface.errors import IncidentNotFound
from bot.store.interface.incidents import ChannelRef, Incident, IncidentStatus
from bot.store.sql.statements import insert_or_ignore
from bot.store.sql.tables import incident_accounts, incident_posts, incident_statuses, incidents


def _incident(
    row: RowMapping, account_ids: tuple[str, ...], statuses: tuple[IncidentStatus, ...]
) -> Incident:
    return Incident(
        id=row["id"],
        severity=row["severity"],
        summary=row["summary"],
        account_ids=account_ids,
        services=row["services"],
        bridges=tuple(ChannelRef(Platform(p), c) for p, c in row["bridges"]),
        case_number=row["case_number"],
        commander=row["commander"],
        declared_at=row["declared_at"],
        restored_at=row["restored_at"],
        restoration_text=row["restoration_text"],
        agents_affected=row["agents_affected"],
        all_clear_at=row["all_clear_at"],
        all_clear_text=row["all_clear_text"],
        rca_at=row["rca_at"],
        rca_text=row["rca_text"],
        statuses=statuses,
    )


class SqlIncidentRepository:
    """Incidents on SQL tables."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def declare(
        self,
        severity: str,
        summary: str,
        account_ids: Sequence[str],
        services: str | None,
        bridges: Sequence[ChannelRef],
        case_number: int | None,
        commander: str,
        at: datetime,
    ) -> Incident:
        result = await self._conn.execute(
            incidents.insert()
            .values(
                severity=severity,
                summary=summary,
                services=services,
                bridges=[[b.platform.value, b.channel_id] for b in bridges],
                case_number=case_number,
                commander=commander,
                declared_at=at,
            )
            .returning(incidents.c.id)
        )
        incident_id: int = result.scalar_one()
        unique_accounts = list(dict.fromkeys(account_ids))
        if unique_accounts:
            await self._conn.execute(
                incident_accounts.insert(),
                [
                    {"incident_id": incident_id, "account_id": a, "position": i}
                    for i, a in enumerate(unique_accounts)
                ],
            )
        return await self._require(incident_id)

    async def _load(self, rows: Sequence[RowMapping]) -> list[Incident]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        accounts: dict[int, list[str]] = {i: [] for i in ids}
        for a in (
            await self._conn.execute(
                select(incident_accounts)
                .where(incident_accounts.c.incident_id.in_(ids))
                .order_by(incident_accounts.c.incident_id, incident_accounts.c.position)
            )
        ).mappings():
            accounts[a["incident_id"]].append(a["account_id"])
        statuses: dict[int, list[IncidentStatus]] = {i: [] for i in ids}
        for s in (
            await self._conn.execute(
                select(incident_statuses)
                .where(incident_statuses.c.incident_id.in_(ids))
                .order_by(incident_statuses.c.incident_id, incident_statuses.c.id)
            )
        ).mappings():
            statuses[s["incident_id"]].append(
                IncidentStatus(s["text"], s["next_steps"], s["by"], s["at"])
            )
        return [_incident(r, tuple(accounts[r["id"]]), tuple(statuses[r["id"]])) for r in rows]

    async def get(self, incident_id: int) -> Incident | None:
        rows = (
            (await self._conn.execute(select(incidents).where(incidents.c.id == incident_id)))
            .mappings()
            .all()
        )
        found = await self._load(rows)
        return found[0] if found else None

    async def _require(self, incident_id: int) -> Incident:
        found = await self.get(incident_id)
        if found is None:
            raise IncidentNotFound(incident_id)
        return found

    async def _set(self, incident_id: int, **values: Any) -> Incident:
        result = await self._conn.execute(
            update(incidents).where(incidents.c.id == incident_id).values(**values)
        )
        if result.rowcount == 0:
            raise IncidentNotFound(incident_id)
        return await self._require(incident_id)

    async def add_status(
        self, incident_id: int, text: str, next_steps: str | None, by: str, at: datetime
    ) -> None:
        await self._require(incident_id)
        await self._conn.execute(
            incident_statuses.insert().values(
                incident_id=incident_id, text=text, next_steps=next_steps, by=by, at=at
            )
        )

    async def restore(
        self, incident_id: int, text: str | None, agents_affected: int | None, at: datetime
    ) -> Incident:
        return await self._set(
            incident_id, restored_at=at, restoration_text=text, agents_affected=agents_affected
        )

    async def all_clear(self, incident_id: int, instructions: str, at: datetime) -> Incident:
        return await self._set(incident_id, all_clear_at=at, all_clear_text=instructions)

    async def rca(self, incident_id: int, text: str, at: datetime) -> Incident:
        return await self._set(incident_id, rca_at=at, rca_text=text)

    async def open_incidents(self) -> list[Incident]:
        rows = (
            (
                await self._conn.execute(
                    select(incidents)
                    .where(incidents.c.all_clear_at.is_(None))
                    .order_by(incidents.c.id)
                )
            )
            .mappings()
            .all()
        )
        return await self._load(rows)

    async def for_account(self, account_id: str, start: datetime, end: datetime) -> list[Incident]:
        affected = select(incident_accounts.c.incident_id).where(
            incident_accounts.c.account_id == account_id
        )
        rows = (
            (
                await self._conn.execute(
                    select(incidents)
                    .where(incidents.c.id.in_(affected), incidents.c.declared_at < end)
                    .where(incidents.c.restored_at.is_(None) | (incidents.c.restored_at >= start))
                    .order_by(incidents.c.declared_at, incidents.c.id)
                )
            )
            .mappings()
            .all()
        )
        return await self._load(rows)

    async def claim_slot(self, incident_id: int, slot: int, at: datetime) -> bool:
        values = {"incident_id": incident_id, "slot": slot, "posted_at": at}
        return await insert_or_ignore(self._conn, incident_posts, values, ["incident_id", "slot"])
