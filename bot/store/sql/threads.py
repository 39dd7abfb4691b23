"""`SqlThreadRepository`: where each case's threads start (CONV-1), and thread routes on posts.

A root is remembered once per (case, platform, kind, route): the first post there wins, so a
later card never moves a thread. Posts about a case waiting in the outbox get the root as soon
as it is known, so a post queued before its thread's first post was delivered still goes in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, and_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.conversation import ThreadKind, ThreadRoot, ThreadRoute
from bot.model import Platform
from bot.store.interface.outbox import OutboxItem, OutboxState
from bot.store.sql.statements import insert_or_ignore
from bot.store.sql.tables import case_threads, outbox

RootKey = tuple[int, str, str, str]  # case number, platform, kind, route


def root_of(row: RowMapping) -> ThreadRoot:
    return ThreadRoot(
        case_number=row["case_number"],
        platform=Platform(row["platform"]),
        kind=ThreadKind(row["kind"]),
        route=row["route"],
        message_id=row["message_id"],
        recorded_at=row["recorded_at"],
    )


def route_of(row: RowMapping) -> ThreadRoute | None:
    """The thread route an outbox row carries, if any."""
    if row["thread_case"] is None or row["thread_kind"] is None:
        return None
    return ThreadRoute(
        case_number=row["thread_case"],
        kind=ThreadKind(row["thread_kind"]),
        root=row["thread_root"],
        also_in_channel=bool(row["thread_broadcast"]),
        starts=bool(row["thread_starts"]),
    )


def thread_values(item: OutboxItem, root: str | None, always: bool = False) -> dict[str, Any]:
    """The thread columns of `item`'s row; none for a post without a thread unless `always`
    (rows inserted together need the same columns)."""
    thread = item.thread
    if thread is None and not always:
        return {}
    return {
        "thread_case": None if thread is None else thread.case_number,
        "thread_kind": None if thread is None else thread.kind.value,
        "thread_root": root,
        "thread_broadcast": thread is not None and thread.also_in_channel,
        "thread_starts": thread is not None and thread.starts,
    }


def _key(item: OutboxItem) -> RootKey | None:
    if item.thread is None:
        return None
    return (item.thread.case_number, item.platform.value, item.thread.kind.value, item.target)


async def known_roots(conn: AsyncConnection, items: Sequence[OutboxItem]) -> dict[RootKey, str]:
    """The known roots of the threads `items` go to, in one statement (P3)."""
    keys = {key for item in items if (key := _key(item)) is not None}
    if not keys:
        return {}
    t = case_threads.c
    rows = await conn.execute(
        select(t.case_number, t.platform, t.kind, t.route, t.message_id).where(
            tuple_(t.case_number, t.platform, t.kind, t.route).in_(sorted(keys))
        )
    )
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


def root_for(item: OutboxItem, roots: dict[RootKey, str]) -> str | None:
    """The root `item` goes under: its own if given, else the known one."""
    if item.thread is None:
        return None
    key = _key(item)
    return item.thread.root or (roots.get(key) if key is not None else None)


async def record_root(conn: AsyncConnection, root: ThreadRoot) -> bool:
    """Remember `root` unless its thread has one; hand it to posts still waiting for it."""
    values = {
        "case_number": root.case_number,
        "platform": root.platform.value,
        "kind": root.kind.value,
        "route": root.route,
        "message_id": root.message_id,
        "recorded_at": root.recorded_at,
    }
    new = await insert_or_ignore(
        conn, case_threads, values, ["case_number", "platform", "kind", "route"]
    )
    if new:
        o = outbox.c
        await conn.execute(
            update(outbox)
            .where(
                and_(
                    o.thread_case == root.case_number,
                    o.platform == root.platform.value,
                    o.thread_kind == root.kind.value,
                    o.target == root.route,
                    o.thread_root.is_(None),
                    o.status == OutboxState.PENDING.value,
                )
            )
            .values(thread_root=root.message_id)
        )
    return new


class SqlThreadRepository:
    """Case thread roots on a SQL table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, root: ThreadRoot) -> bool:
        return await record_root(self._conn, root)

    async def roots(self, case_number: int) -> list[ThreadRoot]:
        t = case_threads.c
        rows = await self._conn.execute(
            select(case_threads)
            .where(t.case_number == case_number)
            .order_by(t.recorded_at, t.platform, t.kind, t.route)
        )
        return [root_of(r._mapping) for r in rows]

    async def find(
        self, platform: Platform, message_id: str, route: str | None = None
    ) -> ThreadRoot | None:
        t = case_threads.c
        rows = await self._conn.execute(
            select(case_threads).where(t.platform == platform.value, t.message_id == message_id)
        )
        found = [root_of(r._mapping) for r in rows]
        # Slack ts values are unique per channel only: the place decides between equal ids.
        if route is not None and len(found) > 1:
            found = [r for r in found if r.route == route] or found
        return found[0] if len(found) == 1 else None
