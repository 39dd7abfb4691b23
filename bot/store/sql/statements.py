"""Dialect-specific statements shared by the repositories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

READ_ONLY_OPTION = (
    "supportbot_read_only"  # execution option: SQLite begins DEFERRED, no writer lock
)


def dialect_insert(conn: AsyncConnection | Connection, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (PostgreSQL and SQLite alike)."""
    return _dialect_insert(conn.dialect.name, table)


def _dialect_insert(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"unsupported database dialect {dialect!r}")


@cache
def _insert_ignoring(dialect: str, table: Table, conflict: tuple[str, ...]) -> Any:
    """INSERT .. ON CONFLICT (conflict) DO NOTHING RETURNING the key, built once per shape (#18):
    building a statement and its cache key on every call cost more than running it."""
    pk = next(iter(table.primary_key.columns))
    return (
        _dialect_insert(dialect, table)
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(pk)
    )


@cache
def _upserting(dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...]) -> Any:
    """INSERT .. ON CONFLICT (key) DO UPDATE SET the other `columns`, built once per shape."""
    stmt = _dialect_insert(dialect, table)
    changes = {name: stmt.excluded[name] for name in columns if name not in key}
    if changes:
        return stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
    return stmt.on_conflict_do_nothing(index_elements=list(key))


async def insert_or_ignore(
    conn: AsyncConnection, table: Table, values: Mapping[str, Any], conflict: list[str]
) -> bool:
    """Insert a row unless one with the same `conflict` key exists; True when inserted.

    ON CONFLICT DO NOTHING raises nothing, so the surrounding transaction stays usable on
    PostgreSQL (an IntegrityError there would abort it).
    """
    stmt = _insert_ignoring(conn.dialect.name, table, tuple(conflict))
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
    stmt = _insert_ignoring(conn.dialect.name, table, tuple(conflict))
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
    return _upserting(conn.dialect.name, table, tuple(first), tuple(key))
