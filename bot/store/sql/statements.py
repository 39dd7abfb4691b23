"""Dialect-specific statements shared by the repositories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

READ_ONLY_OPTION = (
    "supportbot_read_only"  # execution option: SQLite begins DEFERRED, no writer lock
)


def dialect_insert(conn: AsyncConnection | Connection, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (PostgreSQL and SQLite alike)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"unsupported database dialect {dialect!r}")


async def insert_or_ignore(
    conn: AsyncConnection, table: Table, values: Mapping[str, Any], conflict: list[str]
) -> bool:
    """Insert a row unless one with the same `conflict` key exists; True when inserted.

    ON CONFLICT DO NOTHING raises nothing, so the surrounding transaction stays usable on
    PostgreSQL (an IntegrityError there would abort it).
    """
    pk = next(iter(table.primary_key.columns))
    stmt = dialect_insert(conn, table).on_conflict_do_nothing(index_elements=conflict).returning(pk)
    # Values as parameters, not in the statement: SQLAlchemy then compiles it once (P3).
    result = await conn.execute(stmt, dict(values))
    return result.first() is not None


async def insert_or_ignore_many(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], conflict: list[str]
) -> int:
    """`insert_or_ignore` for many rows (same columns), in order; how many were inserted.

    One cached statement executed with many parameter sets: SQLAlchemy sends it as multi-row
    INSERTs ("insertmanyvalues"), a handful of round trips however many rows (P3).
    """
    if not rows:
        return 0
    pk = next(iter(table.primary_key.columns))
    stmt = dialect_insert(conn, table).on_conflict_do_nothing(index_elements=conflict).returning(pk)
    result = await conn.execute(stmt, [dict(r) for r in rows])
    return len(result.all())


async def upsert_row(
    conn: AsyncConnection, table: Table, values: Mapping[str, Any], key: Sequence[str]
) -> None:
    """INSERT .. ON CONFLICT (key) DO UPDATE SET every other column."""
    await upsert_rows(conn, table, [values], key)


async def upsert_rows(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]
) -> None:
    """`upsert_row` for many rows with the same columns and distinct keys, in one execution."""
    if not rows:
        return
    params = [dict(r) for r in rows]
    await conn.execute(
        _upsert(conn, table, rows[0], key), params[0] if len(params) == 1 else params
    )


def sync_upsert_rows(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]
) -> None:
    """`upsert_rows` on a sync connection (inside SQLAlchemy's greenlet, e.g. a write batch)."""
    if rows:
        params = [dict(r) for r in rows]
        conn.execute(_upsert(conn, table, rows[0], key), params[0] if len(params) == 1 else params)


def _upsert(
    conn: AsyncConnection | Connection, table: Table, first: Mapping[str, Any], key: Sequence[str]
) -> Any:
    stmt = dialect_insert(conn, table)
    changes = {name: stmt.excluded[name] for name in first if name not in key}
    if changes:
        return stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
    return stmt.on_conflict_do_nothing(index_elements=list(key))
