"""The store on SQLAlchemy 2 (async): SQLite via aiosqlite, PostgreSQL via asyncpg."""

from __future__ import annotations

from bot.store.sql.directory_cache import freeze_snapshots
from bot.store.sql.engine import SqlStore, open_store, upgrade

__all__ = ["SqlStore", "freeze_snapshots", "open_store", "upgrade"]
