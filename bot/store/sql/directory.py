"""`SqlDirectoryRepository`: accounts, contacts, grants, staff and channel bindings.

Upsert semantics (`directory load`): every entry of the file is inserted or updated by its
natural key (account id, e-mail, (platform, channel id)); a contact's grants and a staff
member's roles become exactly the file's. Entries missing from the file are left alone, since
cases and the audit trail still name them: to revoke a contact's access, list it with no grants.
Loading the same file twice therefore leaves the same rows.

Scale (#18): a load compares the file with what is stored and writes only the entries that
changed, in bounded batches (PostgreSQL refuses more than 32,767 parameters in one statement),
stamping each changed row with the new `directory_version`; `directory_rows` reads them back.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.interface.directory import Directory, UpsertSummary
from bot.store.sql.directory_write import write_changes


class SqlDirectoryRepository:
    """The directory's writer on SQL tables.

    Every unit of work reads the directory from the in-memory snapshot
    (`directory_cache.CachedDirectoryRepository` wraps this writer), never from these tables.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    @property
    def connection(self) -> AsyncConnection:
        return self._conn

    async def upsert(self, directory: Directory) -> UpsertSummary:
        """Insert or update every entry by natural key; see the module docstring."""
        return await write_changes(self._conn, directory)
