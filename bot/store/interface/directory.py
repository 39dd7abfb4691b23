"""The directory as the store reads and writes it: accounts, contacts with their grants, staff
and channel bindings (ACC-1..ACC-8).

`DirectoryReader` is all that identity and access lookups need, so `Store.directory()` can
serve it from a committed copy in memory without a connection; `DirectoryRepository` adds the
write (`upsert`) inside a unit of work. `Directory` and `UpsertSummary` are what it takes and
returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.model import (
    Account,
    ChannelBinding,
    ChatIdentity,
    Contact,
    Platform,
    Priority,
    Staff,
    StaffRole,
)


@dataclass(frozen=True, slots=True)
class Directory:
    """A parsed, validated directory file: what `DirectoryRepository.upsert` writes."""

    accounts: tuple[Account, ...] = ()
    contacts: tuple[Contact, ...] = ()
    staff: tuple[Staff, ...] = ()
    channels: tuple[ChannelBinding, ...] = ()


@dataclass(frozen=True, slots=True)
class UpsertSummary:
    """How many entries of each kind a directory load wrote (inserted or updated)."""

    accounts: int
    contacts: int
    grants: int
    staff: int
    channels: int


class DirectoryReader(Protocol):
    """Accounts, contacts with their grants, staff and channel bindings (ACC-1..ACC-8), read."""

    async def account(self, account_id: str) -> Account | None: ...
    async def accounts(self) -> list[Account]: ...
    async def contact_by_email(self, email: str) -> Contact | None: ...
    async def contacts(self) -> list[Contact]: ...
    async def contacts_of(self, account_id: str) -> list[Contact]:
        """Contacts holding any grant on the account."""
        ...

    async def designated_contacts(self, account_id: str) -> list[Contact]:
        """Contacts granted `designated` on the account (ACC-6; entitlement is policy's job)."""
        ...

    async def staff_by_email(self, email: str) -> Staff | None: ...
    async def person_by_chat(self, chat: ChatIdentity) -> Contact | Staff | None:
        """ACC-7: the one contact or staff member the directory lists with this chat identity."""
        ...

    async def staff_members(self, role: StaffRole | None = None) -> list[Staff]: ...
    async def channel(self, platform: Platform, channel_id: str) -> ChannelBinding | None: ...
    async def queue_channels(self, region: str, priority: Priority) -> list[ChannelBinding]:
        """Queue bindings whose region and priority filters match (an empty filter matches all)."""
        ...

    async def account_channels(self, account_id: str) -> list[ChannelBinding]: ...
    async def bridge_channels(self) -> list[ChannelBinding]: ...


class DirectoryRepository(DirectoryReader, Protocol):
    """The directory inside a unit of work: its reads see the unit's own uncommitted load."""

    async def upsert(self, directory: Directory) -> UpsertSummary:
        """Write a directory by natural keys; see `bot.store.sql.directory` for the semantics."""
        ...
