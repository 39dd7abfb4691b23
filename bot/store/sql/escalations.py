"""`SqlEscalationRepository`: escalation requests and decisions (ESC-9, ESC-10)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import RowMapping, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.interface.cases import Escalation, EscalationState
from bot.store.interface.errors import EscalationWaiting, StoreError
from bot.store.sql.statements import dialect_insert
from bot.store.sql.tables import WAITING_ONLY, escalations


def _escalation(row: RowMapping) -> Escalation:
    return Escalation(
        id=row["id"],
        case_number=row["case_number"],
        requested_by=row["requested_by"],
        reason=row["reason"],
        impact=row["impact"],
        rca=row["rca"],
        requested_at=row["requested_at"],
        state=EscalationState(row["state"]),
        decided_by=row["decided_by"],
        decision_text=row["decision_text"],
        decided_at=row["decided_at"],
    )


class SqlEscalationRepository:
    """Escalations on a SQL table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def _get(self, escalation_id: int) -> Escalation | None:
        row = (
            await self._conn.execute(select(escalations).where(escalations.c.id == escalation_id))
        ).first()
        return None if row is None else _escalation(row._mapping)

    async def open_for(self, case_number: int) -> Escalation | None:
        row = (
            await self._conn.execute(
                select(escalations)
                .where(escalations.c.case_number == case_number)
                .where(escalations.c.state == EscalationState.WAITING.value)
                .order_by(escalations.c.id)
                .limit(1)
            )
        ).first()
        return None if row is None else _escalation(row._mapping)

    async def add(
        self,
        case_number: int,
        requested_by: str,
        reason: str,
        impact: str | None,
        rca: bool,
        at: datetime,
    ) -> Escalation:
        # ON CONFLICT against the partial unique index: a concurrent second request loses
        # without an IntegrityError, so the transaction stays usable (ESC-9).
        stmt = (
            dialect_insert(self._conn, escalations)
            .values(
                case_number=case_number,
                requested_by=requested_by,
                reason=reason,
                impact=impact,
                rca=rca,
                requested_at=at,
                state=EscalationState.WAITING.value,
            )
            .on_conflict_do_nothing(index_elements=["case_number"], index_where=text(WAITING_ONLY))
            .returning(escalations.c.id)
        )
        new_id = (await self._conn.execute(stmt)).scalar_one_or_none()
        if new_id is None:
            raise EscalationWaiting(case_number)
        return Escalation(int(new_id), case_number, requested_by, reason, impact, rca, at)

    async def decide(
        self, escalation_id: int, state: EscalationState, by: str, text: str, at: datetime
    ) -> Escalation:
        if state is EscalationState.WAITING:
            raise ValueError("a decision is accepted or rejected")
        await self._conn.execute(
            update(escalations)
            .where(escalations.c.id == escalation_id)
            .values(state=state.value, decided_by=by, decision_text=text, decided_at=at)
        )
        decided = await self._get(escalation_id)
        if decided is None:
            raise StoreError(f"no escalation {escalation_id}")
        return decided

    async def waiting(self) -> list[Escalation]:
        rows = await self._conn.execute(
            select(escalations)
            .where(escalations.c.state == EscalationState.WAITING.value)
            .order_by(escalations.c.requested_at, escalations.c.id)
        )
        return [_escalation(r) for r in rows.mappings()]

    async def for_case(self, case_number: int) -> list[Escalation]:
        rows = await self._conn.execute(
            select(escalations)
            .where(escalations.c.case_number == case_number)
            .order_by(escalations.c.id)
        )
        return [_escalation(r) for r in rows.mappings()]
