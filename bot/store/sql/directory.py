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

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Contact, Grant, Staff
from bot.store.interface import Directory, UpsertSummary
from bot.store.sql.directory_rows import contact_of, grant_of, staff_of
from bot.store.sql.directory_write import write_changes
from bot.store.sql.tables import contacts, grants, staff


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

    async def _contacts_where(self, *conditions: Any) -> list[Contact]:
        rows = (
            (
                await self._conn.execute(
                    select(contacts).where(*conditions).order_by(contacts.c.email)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return []
        # The same conditions through a join, never a list of e-mails as parameters (#18).
        grant_rows = await self._conn.execute(
            select(grants)
            .join(contacts, contacts.c.email == grants.c.contact_email)
            .where(*conditions)
            .order_by(grants.c.contact_email, grants.c.account_id)
        )
        by_email: dict[str, list[Grant]] = {r["email"]: [] for r in rows}
        for g in grant_rows.mappings():
            by_email[g["contact_email"]].append(grant_of(g))
        return [contact_of(r, tuple(by_email[r["email"]])) for r in rows]

    async def _one_contact(self, *conditions: Any) -> Contact | None:
        found = await self._contacts_where(*conditions)
        return found[0] if found else None

    async def contact_by_slack(self, team: str, user: str) -> Contact | None:
        return await self._one_contact(contacts.c.slack_team == team, contacts.c.slack_user == user)

    async def contact_by_teams(self, tenant: str, aad_object_id: str) -> Contact | None:
        return await self._one_contact(
            contacts.c.teams_tenant == tenant, contacts.c.teams_aad_object_id == aad_object_id
        )

    async def _staff_where(self, *conditions: Any) -> list[Staff]:
        rows = await self._conn.execute(select(staff).where(*conditions).order_by(staff.c.email))
        return [staff_of(r) for r in rows.mappings()]

    async def staff_by_slack(self, team: str, user: str) -> Staff | None:
        found = await self._staff_where(staff.c.slack_team == team, staff.c.slack_user == user)
        return found[0] if found else None

    async def staff_by_teams(self, tenant: str, aad_object_id: str) -> Staff | None:
        found = await self._staff_where(
            staff.c.teams_tenant == tenant, staff.c.teams_aad_object_id == aad_object_id
        )
        return found[0] if found else None

    async def upsert(self, directory: Directory) -> UpsertSummary:
        """Insert or update every entry by natural key; see the module docstring."""
        return await write_changes(self._conn, directory)
