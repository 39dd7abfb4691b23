"""The directory, read from memory: it is small and changes only when a directory file is loaded.

Every chat request reads the directory several times (who is asking, the channel's binding, the
accounts of their grants); served from a snapshot, those reads cost no database round trip.

Freshness: a unit of work that writes the directory reads its own uncommitted rows and, on
leaving, invalidates the snapshot of every store of this process on that database, so changes
made here are seen at once. A directory loaded by another process (`supportbot directory load`,
another replica) is seen within `TTL_SECONDS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.model import (
    AccessLevel,
    Account,
    ChannelBinding,
    ChannelPurpose,
    Contact,
    Platform,
    Priority,
    Staff,
    StaffRole,
)
from bot.store.interface import Directory, UpsertSummary
from bot.store.sql.directory import SqlDirectoryRepository

TTL_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class DirectorySnapshot:
    """Every account, contact, staff member and channel binding, indexed for lookups."""

    accounts: dict[str, Account]
    contacts: tuple[Contact, ...]
    staff: tuple[Staff, ...]
    channels: tuple[ChannelBinding, ...]
    _contact_by: dict[tuple[str, ...], Contact] = field(default_factory=dict)
    _staff_by: dict[tuple[str, ...], Staff] = field(default_factory=dict)
    _channel_by: dict[tuple[Platform, str], ChannelBinding] = field(default_factory=dict)

    @classmethod
    async def load(cls, source: SqlDirectoryRepository) -> DirectorySnapshot:
        accounts = await source.accounts()
        contacts = await source.contacts()
        staff = await source.staff_members()
        channels = await source.all_channels()
        return cls(
            {a.id: a for a in accounts},
            tuple(contacts),
            tuple(staff),
            tuple(channels),
            _people_index(contacts),
            _people_index(staff),
            {(c.platform, c.channel_id): c for c in channels},
        )

    def contact(self, *key: str) -> Contact | None:
        return self._contact_by.get(key)

    def staff_member(self, *key: str) -> Staff | None:
        return self._staff_by.get(key)

    def channel(self, platform: Platform, channel_id: str) -> ChannelBinding | None:
        return self._channel_by.get((platform, channel_id))


Person = TypeVar("Person", Contact, Staff)


def _people_index(people: Iterable[Person]) -> dict[tuple[str, ...], Person]:
    index: dict[tuple[str, ...], Person] = {}
    for person in people:
        index[("email", person.email.lower())] = person
        if person.slack is not None:
            index[("slack", person.slack.team, person.slack.user)] = person
        if person.teams is not None:
            index[("teams", person.teams.tenant, person.teams.aad_object_id)] = person
    return index


class DirectoryCache:
    """One snapshot per database and process, reloaded after `TTL_SECONDS` or when invalidated."""

    def __init__(
        self, ttl: float = TTL_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._monotonic = monotonic
        self._snapshot: DirectorySnapshot | None = None
        self._loaded_at = 0.0
        self._generation = 0

    async def snapshot(self, source: SqlDirectoryRepository) -> DirectorySnapshot:
        fresh = self._snapshot
        if fresh is not None and self._monotonic() - self._loaded_at < self._ttl:
            return fresh
        generation = self._generation
        loaded = await DirectorySnapshot.load(source)
        if generation == self._generation:  # not invalidated while it loaded
            self._snapshot, self._loaded_at = loaded, self._monotonic()
        return loaded

    def invalidate(self) -> None:
        self._generation += 1
        self._snapshot = None


_SHARED: dict[str, DirectoryCache] = {}


def shared_cache(database: str) -> DirectoryCache:
    """The cache of every store of this process on `database` (its URL)."""
    return _SHARED.setdefault(database, DirectoryCache())


class CachedDirectoryRepository:
    """`DirectoryRepository` answering reads from the snapshot; writes go to the database."""

    def __init__(self, source: SqlDirectoryRepository, cache: DirectoryCache) -> None:
        self._source = source
        self._cache = cache
        self.written = False  # this unit of work changed the directory

    async def _snap(self) -> DirectorySnapshot:
        if self.written:  # our own uncommitted rows, never shared
            return await DirectorySnapshot.load(self._source)
        return await self._cache.snapshot(self._source)

    async def account(self, account_id: str) -> Account | None:
        return (await self._snap()).accounts.get(account_id)

    async def accounts(self) -> list[Account]:
        return sorted((await self._snap()).accounts.values(), key=lambda a: a.id)

    async def contact_by_email(self, email: str) -> Contact | None:
        return (await self._snap()).contact("email", email.lower())

    async def contact_by_slack(self, team: str, user: str) -> Contact | None:
        return (await self._snap()).contact("slack", team, user)

    async def contact_by_teams(self, tenant: str, aad_object_id: str) -> Contact | None:
        return (await self._snap()).contact("teams", tenant, aad_object_id)

    async def contacts(self) -> list[Contact]:
        return list((await self._snap()).contacts)

    async def contacts_of(self, account_id: str) -> list[Contact]:
        return [
            c
            for c in (await self._snap()).contacts
            if any(g.account_id == account_id for g in c.grants)
        ]

    async def designated_contacts(self, account_id: str) -> list[Contact]:
        return [
            c
            for c in (await self._snap()).contacts
            if any(
                g.account_id == account_id and g.level is AccessLevel.DESIGNATED for g in c.grants
            )
        ]

    async def staff_by_email(self, email: str) -> Staff | None:
        return (await self._snap()).staff_member("email", email.lower())

    async def staff_by_slack(self, team: str, user: str) -> Staff | None:
        return (await self._snap()).staff_member("slack", team, user)

    async def staff_by_teams(self, tenant: str, aad_object_id: str) -> Staff | None:
        return (await self._snap()).staff_member("teams", tenant, aad_object_id)

    async def staff_members(self, role: StaffRole | None = None) -> list[Staff]:
        return [s for s in (await self._snap()).staff if role is None or role in s.roles]

    async def channel(self, platform: Platform, channel_id: str) -> ChannelBinding | None:
        return (await self._snap()).channel(platform, channel_id)

    async def queue_channels(self, region: str, priority: Priority) -> list[ChannelBinding]:
        return [
            q
            for q in (await self._snap()).channels
            if q.purpose is ChannelPurpose.QUEUE
            and (not q.regions or region in q.regions)
            and (not q.priorities or priority in q.priorities)
        ]

    async def account_channels(self, account_id: str) -> list[ChannelBinding]:
        return [
            c
            for c in (await self._snap()).channels
            if c.purpose is ChannelPurpose.ACCOUNT and c.account_id == account_id
        ]

    async def bridge_channels(self) -> list[ChannelBinding]:
        return [c for c in (await self._snap()).channels if c.purpose is ChannelPurpose.BRIDGE]

    async def upsert(self, directory: Directory) -> UpsertSummary:
        self.written = True
        return await self._source.upsert(directory)
