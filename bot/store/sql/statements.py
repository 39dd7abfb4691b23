"""Dialect-specific statements shared by the repositories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def _insert(conn: AsyncConnection, table: Table, values: Mapping[str, Any]) -> Any:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).values(dict(values))
    if dialect == "sqlite":
        return sqlite.insert(table).values(dict(values))
    raise ValueError(f"unsupported database dialect {dialect!r}")


async def insert_or_ignore(
    conn: AsyncConnection, table: Table, values: Mapping[str, Any], conflict: list[str]
) -> bool:
    """Insert a row unless one with the same `conflict` key exists; True when inserted.

    ON CONFLICT DO NOTHING raises nothing, so the surrounding transaction stays usable on
    PostgreSQL (an IntegrityError there would abort it).
    """
    stmt = _insert(conn, table, values)
    pk = next(iter(table.primary_key.columns))
    result = await conn.execute(stmt.on_conflict_do_nothing(index_elements=conflict).returning(pk))
    return result.first() is not None


async def upsert_row(
    conn: AsyncConnection, table: Table, values: Mapping[str, Any], key: Sequence[str]
) -> None:
    """INSERT .. ON CONFLICT (key) DO UPDATE SET every other column."""
    stmt = _insert(conn, table, values)
    changes = {name: stmt.excluded[name] for name in values if name not in key}
    if changes:
        stmt = stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    await conn.execute(stmt)
