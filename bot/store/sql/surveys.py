"""`SqlSurveyRepository`: CASE-8 survey answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.interface.cases import SurveyAnswer
from bot.store.sql.tables import surveys


class SqlSurveyRepository:
    """Survey answers on a SQL table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(
        self, case_number: int, rating: int, comment: str, by: str, at: datetime
    ) -> None:
        if not 1 <= rating <= 5:
            raise ValueError(f"a survey rating is 1 to 5, not {rating}")
        await self._conn.execute(
            surveys.insert().values(
                case_number=case_number, rating=rating, comment=comment, by=by, at=at
            )
        )

    async def for_case(self, case_number: int) -> list[SurveyAnswer]:
        rows = await self._conn.execute(
            select(surveys).where(surveys.c.case_number == case_number).order_by(surveys.c.id)
        )
        return [
            SurveyAnswer(r["case_number"], r["rating"], r["comment"], r["by"], r["at"])
            for r in rows.mappings()
        ]
