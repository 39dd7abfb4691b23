"""The directory in memory: one immutable snapshot per version, indexed for every lookup.

A new version is built from the previous one plus the rows a load changed (`updated`), so a
load that touches ten contacts costs ten contacts, not fifty thousand. The build returns to the
event loop every `PARTITION_ROWS` entries: requests keep being answered from the previous
snapshot while the next one is assembled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from bot.model import (
    AccessLevel,
    Account,
    ChannelBinding,
    ChannelPurpose,
    ChatIdentity,
    Contact,
    Platform,
    Priority,
    Staff,
    StaffRole,
)
from bot.store.sql.directory_rows import PARTITION_ROWS, DirectoryRows

Person = TypeVar("Person", Contact, Staff)
Key = tuple[str, ...]


def person_keys(person: Contact | Staff) -> list[Key]:
    """Every key a person is found by: e-mail and each chat identity."""
    keys: list[Key] = [("email", person.email.lower())]
    keys.extend(chat_key(chat) for chat in person.chats)
    return keys


def chat_key(chat: ChatIdentity) -> Key:
    return ("chat", chat.platform, chat.space, chat.user)


@dataclass(frozen=True, slots=True)
class DirectorySnapshot:
    """Every account, contact, staff member and channel binding of one directory version."""

    version: int = -1  # -1: nothing read yet
    accounts: Mapping[str, Account] = field(default_factory=dict)
    contacts: Mapping[str, Contact] = field(default_factory=dict)  # by lower-case e-mail
    staff: Mapping[str, Staff] = field(default_factory=dict)
    channels: Mapping[tuple[Platform, str], ChannelBinding] = field(default_factory=dict)
    contact_by: Mapping[Key, Contact] = field(default_factory=dict)
    staff_by: Mapping[Key, Staff] = field(default_factory=dict)
    contacts_on: Mapping[str, Mapping[str, Contact]] = field(default_factory=dict)  # account
    purposes: Mapping[ChannelPurpose, tuple[ChannelBinding, ...]] = field(default_factory=dict)

    async def updated(self, rows: DirectoryRows, full: bool) -> DirectorySnapshot:
        """This snapshot with `rows` applied; only `rows` when `full`."""
        base = DirectorySnapshot() if full else self
        accounts = dict(base.accounts)
        accounts.update((a.id, a) for a in rows.accounts)
        contacts = dict(base.contacts)
        contact_by = dict(base.contact_by)
        contacts_on = dict(base.contacts_on)
        copied: set[str] = set()  # inner maps already copied for this version
        for done, contact in enumerate(rows.contacts, 1):
            old = contacts.get(contact.email)
            if old is not None:
                _forget(contact_by, old)
                for grant in old.grants:
                    _own(contacts_on, copied, grant.account_id).pop(old.email, None)
            contacts[contact.email] = contact
            contact_by.update((key, contact) for key in person_keys(contact))
            for grant in contact.grants:
                _own(contacts_on, copied, grant.account_id)[contact.email] = contact
            if done % PARTITION_ROWS == 0:
                await asyncio.sleep(0)  # let waiting requests run between slices
        staff = dict(base.staff)
        staff.update((s.email, s) for s in rows.staff)
        channels = dict(base.channels)
        channels.update(((c.platform, c.channel_id), c) for c in rows.channels)
        return DirectorySnapshot(
            rows.version,
            accounts,
            contacts,
            staff,
            channels,
            contact_by,
            _index(staff.values()),
            contacts_on,
            _by_purpose(channels.values()),
        )


def _forget(index: dict[Key, Person], old: Person) -> None:
    for key in person_keys(old):
        if index.get(key) is old:  # a newer holder of a released chat id keeps it (ACC-7)
            del index[key]


def _own(
    contacts_on: dict[str, Mapping[str, Contact]], copied: set[str], account_id: str
) -> dict[str, Contact]:
    """The account's contact map, copied once per build so older snapshots stay unchanged."""
    if account_id in copied:
        return cast(dict[str, Contact], contacts_on[account_id])
    inner = dict(contacts_on.get(account_id, {}))
    contacts_on[account_id] = inner
    copied.add(account_id)
    return inner


def _index(people: Iterable[Person]) -> dict[Key, Person]:
    return {key: p for p in people for key in person_keys(p)}


def _by_purpose(
    bindings: Iterable[ChannelBinding],
) -> dict[ChannelPurpose, tuple[ChannelBinding, ...]]:
    grouped: dict[ChannelPurpose, list[ChannelBinding]] = {}
    for binding in sorted(bindings, key=lambda c: (c.platform.value, c.channel_id)):
        grouped.setdefault(binding.purpose, []).append(binding)
    return {purpose: tuple(found) for purpose, found in grouped.items()}


class SnapshotDirectory:
    """`DirectoryReader` over the snapshot `current()` returns (no database connection)."""

    def __init__(self, current: Callable[[], DirectorySnapshot]) -> None:
        self._current = current

    async def _snap(self) -> DirectorySnapshot:
        return self._current()

    async def account(self, account_id: str) -> Account | None:
        return (await self._snap()).accounts.get(account_id)

    async def accounts(self) -> list[Account]:
        return sorted((await self._snap()).accounts.values(), key=lambda a: a.id)

    async def contact_by_email(self, email: str) -> Contact | None:
        return (await self._snap()).contact_by.get(("email", email.lower()))

    async def contacts(self) -> list[Contact]:
        return sorted((await self._snap()).contacts.values(), key=lambda c: c.email)

    async def contacts_of(self, account_id: str) -> list[Contact]:
        found = (await self._snap()).contacts_on.get(account_id, {})
        return sorted(found.values(), key=lambda c: c.email)

    async def designated_contacts(self, account_id: str) -> list[Contact]:
        return [
            c
            for c in await self.contacts_of(account_id)
            if any(
                g.account_id == account_id and g.level is AccessLevel.DESIGNATED for g in c.grants
            )
        ]

    async def staff_by_email(self, email: str) -> Staff | None:
        return (await self._snap()).staff_by.get(("email", email.lower()))

    async def person_by_chat(self, chat: ChatIdentity) -> Contact | Staff | None:
        snap, key = await self._snap(), chat_key(chat)
        return snap.staff_by.get(key) or snap.contact_by.get(key)

    async def staff_members(self, role: StaffRole | None = None) -> list[Staff]:
        members = sorted((await self._snap()).staff.values(), key=lambda s: s.email)
        return [s for s in members if role is None or role in s.roles]

    async def channel(self, platform: Platform, channel_id: str) -> ChannelBinding | None:
        return (await self._snap()).channels.get((platform, channel_id))

    async def queue_channels(self, region: str, priority: Priority) -> list[ChannelBinding]:
        return [
            q
            for q in (await self._snap()).purposes.get(ChannelPurpose.QUEUE, ())
            if (not q.regions or region in q.regions)
            and (not q.priorities or priority in q.priorities)
        ]

    async def account_channels(self, account_id: str) -> list[ChannelBinding]:
        return [
            c
            for c in (await self._snap()).purposes.get(ChannelPurpose.ACCOUNT, ())
            if c.account_id == account_id
        ]

    async def bridge_channels(self) -> list[ChannelBinding]:
        return list((await self._snap()).purposes.get(ChannelPurpose.BRIDGE, ()))
