"""`SqlCaseRepository`: cases, their events and case numbers (CASE-5).

R9: a case is changed only through a copy read with `get_for_change` (or added) in the same
unit of work. On PostgreSQL that read is `SELECT ... FOR NO KEY UPDATE`, so a second change of
the case waits for the first to commit and then reads its result. (NO KEY: rows that merely
refer to the case, such as an SLA sweep remembering a notice, need not wait for the lock, which
would deadlock with a request waiting for that sweep's timer.) On SQLite every writing unit of work
already holds the database's write lock from its first statement (`BEGIN IMMEDIATE`), and
SQLAlchemy leaves FOR UPDATE out there. `update` and `add_event` refuse a case not read that way,
so no change can write a row back from a stale copy.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    RowMapping,
    Select,
    bindparam,
    cast,
    func,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import (
    Case,
    CaseEvent,
    EventKind,
    Platform,
    Priority,
    Stage,
    Status,
    SubStatus,
    Visibility,
)
from bot.store.interface.cases import CaseCounts, CaseState
from bot.store.interface.errors import CaseNotFound, StoreError
from bot.store.sql.tables import (
    CASE_NUMBER_COUNTER,
    CASE_NUMBER_SEQUENCE,
    case_events,
    cases,
    counters,
    timers,
)

_CLOSED = Status.CLOSED.value
IN_CHUNK = 500  # numbers per `IN (...)`: well under SQLite's and asyncpg's bound-parameter limits
PAGE_LIMIT = 1_000  # cases per view page at most: their events in one bounded `IN (...)`
_CASE_COLUMNS = [f.name for f in fields(Case) if f.name != "events"]
_ENUM_FIELDS = {"priority", "stage", "status", "sub_status"}


def _case_values(case: Case) -> dict[str, Any]:
    values = {name: getattr(case, name) for name in _CASE_COLUMNS}
    for name in _ENUM_FIELDS:
        values[name] = values[name].value
    return values


def _case(row: RowMapping, events: tuple[CaseEvent, ...] = ()) -> Case:
    values = {name: row[name] for name in _CASE_COLUMNS}
    values["priority"] = Priority(values["priority"])
    values["stage"] = Stage(values["stage"])
    values["status"] = Status(values["status"])
    values["sub_status"] = SubStatus(values["sub_status"])
    return Case(**values, events=events)


def _event_values(number: int, event: CaseEvent) -> dict[str, Any]:
    return {
        "case_number": number,
        "kind": event.kind.value,
        "at": event.at,
        "author": event.author,
        "platform": None if event.platform is None else event.platform.value,
        "visibility": event.visibility.value,
        "body": event.body,
        "status": None if event.status is None else event.status.value,
        "sub_status": None if event.sub_status is None else event.sub_status.value,
        "priority": None if event.priority is None else event.priority.value,
        "production_down": event.production_down,
    }


def _event(row: RowMapping) -> CaseEvent:
    return CaseEvent(
        kind=EventKind(row["kind"]),
        at=row["at"],
        author=row["author"],
        platform=None if row["platform"] is None else Platform(row["platform"]),
        visibility=Visibility(row["visibility"]),
        body=row["body"],
        status=None if row["status"] is None else Status(row["status"]),
        sub_status=None if row["sub_status"] is None else SubStatus(row["sub_status"]),
        priority=None if row["priority"] is None else Priority(row["priority"]),
        production_down=row["production_down"],
        id=row["id"],
    )


# "Not closed" spelled as the statuses it means, so the (account_id, status) and
# (opened_by, status) indexes can serve it: a `!=` would scan every case of the account.
_NOT_CLOSED = [s.value for s in Status if s is not Status.CLOSED]


def _state_filter(state: CaseState) -> list[ColumnElement[bool]]:
    if state is CaseState.OPEN:
        return [cases.c.status.in_(_NOT_CLOSED)]
    if state is CaseState.CLOSED:
        return [cases.c.status == _CLOSED]
    return []


# The statements of a case lookup, built once (#18): a statement built per call costs its
# construction and its cache key on every request, before SQLAlchemy finds the compiled form.
_CASE_BY_NUMBER = select(cases).where(cases.c.number == bindparam("number"))
_CASE_FOR_CHANGE = _CASE_BY_NUMBER.with_for_update(key_share=True)
_EVENTS_OF = (
    select(case_events)
    .where(case_events.c.case_number == bindparam("number"))
    .order_by(case_events.c.id)
)
_INSERT_CASE = cases.insert()
_INSERT_EVENT = case_events.insert()
_INSERT_EVENT_ID = case_events.insert().returning(case_events.c.id)
_NEXT_NUMBER = (
    update(counters)
    .where(counters.c.name == CASE_NUMBER_COUNTER)
    .values(value=counters.c.value + 1)
    .returning(counters.c.value)
)


class SqlCaseRepository:
    """Cases on SQL tables."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._locked: set[int] = set()  # cases this unit of work may change (R9)
        self.inserted: set[int] = set()  # cases this unit of work created (nothing sent yet)

    async def next_number(self) -> int:
        """CASE-5: a PostgreSQL SEQUENCE, or on SQLite a counter row under the write lock."""
        if self._conn.dialect.name == "postgresql":
            value = await self._conn.scalar(text(f"SELECT nextval('{CASE_NUMBER_SEQUENCE}')"))
        else:
            value = await self._conn.scalar(_NEXT_NUMBER)
        if value is None:
            raise RuntimeError("the case number counter is missing: run `supportbot db upgrade`")
        return int(value)

    async def add(self, case: Case) -> None:
        await self._conn.execute(_INSERT_CASE, _case_values(case))
        self._locked.add(case.number)  # a row this transaction inserted is invisible to others
        self.inserted.add(case.number)
        if case.events:
            await self._conn.execute(
                _INSERT_EVENT, [_event_values(case.number, e) for e in case.events]
            )

    async def get(self, number: int) -> Case | None:
        return await self._get(_CASE_BY_NUMBER, number)

    async def get_for_change(self, number: int) -> Case | None:
        """R9: the case, locked against every other change until this unit of work ends."""
        case = await self._get(_CASE_FOR_CHANGE, number)
        if case is not None:
            self._locked.add(number)
        return case

    async def _get(self, stmt: Select[Any], number: int) -> Case | None:
        row = (await self._conn.execute(stmt, {"number": number})).first()
        if row is None:
            return None
        events = await self._conn.execute(_EVENTS_OF, {"number": number})
        return _case(row._mapping, tuple(_event(e) for e in events.mappings()))

    async def get_many(self, numbers: Collection[int]) -> dict[int, Case]:
        """The cases found among `numbers` with their events: two queries per chunk (P3)."""
        return await self._many(numbers, lock=False)

    async def get_many_for_change(self, numbers: Collection[int]) -> dict[int, Case]:
        """R9 for a sweep: the cases among `numbers` it could lock without waiting.

        A case that a request is changing right now is left out (`SKIP LOCKED`): the sweep holds
        that case's timers, which the request will write next, so waiting here would deadlock.
        """
        found = await self._many(numbers, lock=True)
        self._locked.update(found)
        return found

    async def _many(self, numbers: Collection[int], lock: bool) -> dict[int, Case]:
        wanted = sorted(set(numbers))
        found: dict[int, Case] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            stmt = select(cases).where(cases.c.number.in_(chunk))
            if lock:
                stmt = stmt.order_by(cases.c.number).with_for_update(
                    skip_locked=True, key_share=True
                )
            rows = (await self._conn.execute(stmt)).mappings().all()
            if lock:
                chunk = [row["number"] for row in rows]
            events: dict[int, list[CaseEvent]] = {}
            for row in (
                await self._conn.execute(
                    select(case_events)
                    .where(case_events.c.case_number.in_(chunk))
                    .order_by(case_events.c.case_number, case_events.c.id)
                )
            ).mappings():
                events.setdefault(row["case_number"], []).append(_event(row))
            for row in rows:
                number = row["number"]
                found[number] = _case(row, tuple(events.get(number, ())))
        return found

    def _ensure_locked(self, number: int) -> None:
        if number not in self._locked:
            raise StoreError(
                f"case {number} was not read with get_for_change in this unit of work; writing "
                "it could overwrite a concurrent change (R9)"
            )

    async def update(self, case: Case) -> None:
        self._ensure_locked(case.number)
        values = _case_values(case)
        del values["number"]
        result = await self._conn.execute(
            update(cases).where(cases.c.number == case.number).values(values)
        )
        if result.rowcount == 0:
            raise CaseNotFound(case.number)

    async def add_event(self, number: int, event: CaseEvent) -> int:
        # A locked case exists until this unit of work ends: it was read with its lock or
        # inserted here (R9), so no second statement checks it.
        self._ensure_locked(number)
        event_id = await self._conn.scalar(_INSERT_EVENT_ID, _event_values(number, event))
        if event_id is None:
            raise StoreError(f"the event of case {number} was not written")
        return int(event_id)

    async def _list(
        self, conditions: Sequence[ColumnElement[bool]], limit: int | None
    ) -> list[Case]:
        stmt = (
            select(cases)
            .where(*conditions)
            .order_by(cases.c.updated_at.desc(), cases.c.number.desc())
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_case(r) for r in (await self._conn.execute(stmt)).mappings()]

    async def for_account(
        self, account_id: str, state: CaseState = CaseState.OPEN, limit: int | None = None
    ) -> list[Case]:
        return await self._list([cases.c.account_id == account_id, *_state_filter(state)], limit)

    async def opened_by(
        self,
        email: str,
        state: CaseState = CaseState.OPEN,
        limit: int | None = None,
        account_id: str | None = None,
    ) -> list[Case]:
        conditions = [cases.c.opened_by == email, *_state_filter(state)]
        if account_id is not None:
            conditions.append(cases.c.account_id == account_id)
        return await self._list(conditions, limit)

    async def count(
        self, account_id: str, state: CaseState = CaseState.OPEN, opened_by: str | None = None
    ) -> int:
        conditions = [cases.c.account_id == account_id, *_state_filter(state)]
        if opened_by is not None:
            conditions.append(cases.c.opened_by == opened_by)
        found = await self._conn.scalar(select(func.count()).select_from(cases).where(*conditions))
        return int(found or 0)

    async def open_for_accounts(self, account_ids: Sequence[str]) -> list[Case]:
        if not account_ids:
            return []
        return await self._list(
            [cases.c.account_id.in_(list(account_ids)), *_state_filter(CaseState.OPEN)], None
        )

    async def closed_between(self, account_id: str, start: datetime, end: datetime) -> list[Case]:
        numbers = await self._conn.scalars(
            select(cases.c.number)
            .where(cases.c.account_id == account_id, cases.c.status == _CLOSED)
            .where(cases.c.closed_at >= start, cases.c.closed_at < end)
            .order_by(cases.c.closed_at, cases.c.number)
        )
        ordered = numbers.all()
        found = await self.get_many(ordered)
        return [found[n] for n in ordered if n in found]

    async def counts(self, account_id: str, start: datetime, end: datetime) -> CaseCounts:
        mine = cases.c.account_id == account_id
        opened = await self._conn.scalar(
            select(func.count())
            .select_from(cases)
            .where(mine, cases.c.opened_at >= start, cases.c.opened_at < end)
        )
        closed = await self._conn.scalar(
            select(func.count())
            .select_from(cases)
            .where(
                mine, cases.c.status == _CLOSED, cases.c.closed_at >= start, cases.c.closed_at < end
            )
        )
        # Open at `end`: opened before it and not closed before it (closed_at is the last close).
        open_at_end = await self._conn.scalar(
            select(func.count())
            .select_from(cases)
            .where(
                mine,
                cases.c.opened_at < end,
                (cases.c.closed_at.is_(None)) | (cases.c.closed_at >= end),
            )
        )
        return CaseCounts(opened=opened or 0, closed=closed or 0, open_at_end=open_at_end or 0)

    # Views (`list`, `queue`): a constant number of statements whatever the number of cases,
    # served by the (account_id|opened_by, status, updated_at, number) and (kind, due_at, id)
    # indexes, and no row lock (#18).

    async def page(
        self,
        account_id: str,
        state: CaseState = CaseState.OPEN,
        opened_by: str | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> tuple[list[Case], int]:
        conditions = [cases.c.account_id == account_id, *_state_filter(state)]
        if opened_by is not None:
            conditions.append(cases.c.opened_by == opened_by)
        stmt = (
            select(cases, func.count().over().label("total_rows"))  # the total, same statement
            .where(*conditions)
            .order_by(cases.c.updated_at.desc(), cases.c.number.desc())
            .limit(max(1, min(limit, PAGE_LIMIT)))
            .offset(max(0, offset))
        )
        rows = (await self._conn.execute(stmt)).mappings().all()
        if not rows:  # past the last page: count to say how many there are
            return [], 0 if offset <= 0 else await self._count(conditions)
        return await self._with_events(rows), int(rows[0]["total_rows"])

    async def with_due_timer(self, kind: str, until: datetime, limit: int) -> list[Case]:
        # The subquery's LIMIT keeps it from being flattened: the cast only meets rows of `kind`.
        due = (
            select(cast(timers.c.subject, BigInteger))
            .where(timers.c.kind == kind, timers.c.due_at <= until)
            .order_by(timers.c.due_at, timers.c.id)
            .limit(max(1, min(limit, PAGE_LIMIT)))
        )
        stmt = select(cases).where(cases.c.number.in_(due), *_state_filter(CaseState.OPEN))
        return await self._with_events((await self._conn.execute(stmt)).mappings().all())

    async def _with_events(self, rows: Sequence[RowMapping]) -> list[Case]:
        """The cases of `rows` (at most PAGE_LIMIT) with their events, in one statement."""
        events: dict[int, list[CaseEvent]] = {}
        numbers = [r["number"] for r in rows]
        if numbers:
            found = await self._conn.execute(
                select(case_events)
                .where(case_events.c.case_number.in_(numbers))
                .order_by(case_events.c.case_number, case_events.c.id)
            )
            for row in found.mappings():
                events.setdefault(row["case_number"], []).append(_event(row))
        return [_case(r, tuple(events.get(r["number"], ()))) for r in rows]

    async def _count(self, conditions: Sequence[ColumnElement[bool]]) -> int:
        found = await self._conn.scalar(select(func.count()).select_from(cases).where(*conditions))
        return int(found or 0)
