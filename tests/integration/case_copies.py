"""Many cases quickly: copies of a case opened through the router, with its events and timers.

The copies get fresh numbers after the highest one and the case-number counter moves past them
(a PostgreSQL SEQUENCE, a counter row on SQLite), so a later `open` still gets a new number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text, update

from bot.store.sql import SqlStore
from bot.store.sql.tables import (
    CASE_NUMBER_COUNTER,
    CASE_NUMBER_SEQUENCE,
    case_events,
    cases,
    counters,
    timers,
)

BATCH = 2_000


async def copy_case(store: SqlStore, number: int, copies: int) -> None:
    """Add `copies` copies of case `number` (its events and timers too), numbered after the last."""
    async with store.engine.begin() as conn:
        case = dict(
            (await conn.execute(select(cases).where(cases.c.number == number))).one()._mapping
        )
        events = [
            {k: v for k, v in r._mapping.items() if k != "id"}
            for r in await conn.execute(
                select(case_events).where(case_events.c.case_number == number)
            )
        ]
        watched = [
            {k: v for k, v in r._mapping.items() if k != "id"}
            for r in await conn.execute(select(timers).where(timers.c.subject == str(number)))
        ]
        first = int(await conn.scalar(select(func.max(cases.c.number))) or number) + 1
        for start in range(0, copies, BATCH):
            numbers = range(first + start, first + min(copies, start + BATCH))
            await conn.execute(cases.insert(), [case | {"number": n} for n in numbers])
            event_rows: list[dict[str, Any]] = [
                e | {"case_number": n} for n in numbers for e in events
            ]
            if event_rows:
                await conn.execute(case_events.insert(), event_rows)
            timer_rows = [t | {"subject": str(n)} for n in numbers for t in watched]
            if timer_rows:
                await conn.execute(timers.insert(), timer_rows)
        last = first + copies - 1
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"SELECT setval('{CASE_NUMBER_SEQUENCE}', {last})"))
        else:
            await conn.execute(
                update(counters).where(counters.c.name == CASE_NUMBER_COUNTER).values(value=last)
            )
