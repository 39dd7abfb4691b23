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

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import (
    AccessLevel,
    Account,
    ChannelBinding,
    ChannelPurpose,
    Contact,
    Grant,
    Platform,
    Priority,
    Staff,
    StaffRole,
)
from bot.store.interface import Directory, UpsertSummary
from bot.store.sql.directory_rows import account_of, channel_of, contact_of, grant_of, staff_of
from bot.store.sql.directory_write import write_changes
from bot.store.sql.tables import accounts, channels, contacts, grants, staff


class SqlDirectoryRepository:
    """The directory on SQL tables."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    @property
    def connection(self) -> AsyncConnection:
        return self._conn

    async def account(self, account_id: str) -> Account | None:
        row = (
            await self._conn.execute(select(accounts).where(accounts.c.id == account_id))
        ).first()
        return None if row is None else account_of(row._mapping)

    async def accounts(self) -> list[Account]:
        rows = await self._conn.execute(select(accounts).order_by(accounts.c.id))
        return [account_of(r) for r in rows.mappings()]

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

    async def contact_by_email(self, email: str) -> Contact | None:
        return await self._one_contact(contacts.c.email == email.lower())

    async def contacts(self) -> list[Contact]:
        return await self._contacts_where()

    async def contacts_of(self, account_id: str) -> list[Contact]:
        granted = select(grants.c.contact_email).where(grants.c.account_id == account_id)
        return await self._contacts_where(contacts.c.email.in_(granted))

    async def designated_contacts(self, account_id: str) -> list[Contact]:
        granted = select(grants.c.contact_email).where(
            and_(grants.c.account_id == account_id, grants.c.level == AccessLevel.DESIGNATED.value)
        )
        return await self._contacts_where(contacts.c.email.in_(granted))

    async def _staff_where(self, *conditions: Any) -> list[Staff]:
        rows = await self._conn.execute(select(staff).where(*conditions).order_by(staff.c.email))
        return [staff_of(r) for r in rows.mappings()]

    async def staff_by_email(self, email: str) -> Staff | None:
        found = await self._staff_where(staff.c.email == email.lower())
        return found[0] if found else None

    async def staff_members(self, role: StaffRole | None = None) -> list[Staff]:
        members = await self._staff_where()
        return [m for m in members if role is None or role in m.roles]

    async def _channels_where(self, *conditions: Any) -> list[ChannelBinding]:
        rows = await self._conn.execute(
            select(channels).where(*conditions).order_by(channels.c.platform, channels.c.channel_id)
        )
        return [channel_of(r) for r in rows.mappings()]

    async def channel(self, platform: Platform, channel_id: str) -> ChannelBinding | None:
        found = await self._channels_where(
            channels.c.platform == platform.value, channels.c.channel_id == channel_id
        )
        return found[0] if found else None

    async def queue_channels(self, region: str, priority: Priority) -> list[ChannelBinding]:
        # Queues are few; the filters are JSON lists, matched here rather than per dialect.
        queues = await self._channels_where(channels.c.purpose == ChannelPurpose.QUEUE.value)
        return [
            q
            for q in queues
            if (not q.regions or region in q.regions)
            and (not q.priorities or priority in q.priorities)
        ]

    async def account_channels(self, account_id: str) -> list[ChannelBinding]:
        return await self._channels_where(
            channels.c.purpose == ChannelPurpose.ACCOUNT.value, channels.c.account_id == account_id
        )

    async def bridge_channels(self) -> list[ChannelBinding]:
        return await self._channels_where(channels.c.purpose == ChannelPurpose.BRIDGE.value)

    async def upsert(self, directory: Directory) -> UpsertSummary:
        """Insert or update every entry by natural key; see the module docstring."""
        return await write_changes(self._conn, directory)
