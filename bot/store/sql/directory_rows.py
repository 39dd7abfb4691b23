"""The directory's rows: model <-> row, the version counter, and the bulk reads of the snapshot.

Bulk reads stream in partitions so that reading 50,000 contacts never holds the event loop for
long, and select by `loaded_version` (rows a newer `directory load` changed) or everything; no
statement carries a list of keys as parameters (#18: PostgreSQL stops at 32,767).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping, Select, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import (
    AccessLevel,
    Account,
    CareLevel,
    ChannelBinding,
    ChannelPurpose,
    ChatIdentity,
    Contact,
    Deployment,
    Grant,
    Platform,
    Priority,
    Staff,
    StaffRole,
)
from bot.store.sql.statements import dialect_insert
from bot.store.sql.tables import (
    CONTACT,
    DIRECTORY_VERSION_COUNTER,
    STAFF,
    accounts,
    channels,
    chat_identities,
    contacts,
    counters,
    grants,
    staff,
)

PARTITION_ROWS = 1000  # rows handled between two returns to the event loop
EVERYTHING = -1  # `since` for a full read: every row has loaded_version >= 0


def account_of(row: RowMapping) -> Account:
    return Account(
        id=row["id"],
        sold_to=row["sold_to"],
        end_user=row["end_user"],
        partner=row["partner"],
        deployment=Deployment(row["deployment"]),
        care_level=CareLevel(row["care_level"]),
        region=row["region"],
        contract_start=row["contract_start"],
        contract_end=row["contract_end"],
        sold_to_id=row["sold_to_id"],
        end_user_id=row["end_user_id"],
        end_user_subsidiary=bool(row["end_user_subsidiary"]),
        timezone=row["timezone"],
        agents=row["agents"],
        homes=frozenset(
            (platform, space)
            for platform, ids in (row["chat_homes"] or {}).items()
            for space in ids
        ),
    )


def chat_of(row: RowMapping) -> ChatIdentity:
    return ChatIdentity(row["platform"], row["space"], row["user_id"])


def grant_of(row: RowMapping) -> Grant:
    return Grant(
        row["account_id"], AccessLevel(row["level"]), row["approved_by"], row["approved_at"]
    )


def contact_of(
    row: RowMapping, granted: tuple[Grant, ...], chats: tuple[ChatIdentity, ...] = ()
) -> Contact:
    return Contact(
        email=row["email"],
        name=row["name"],
        company=row["company"],
        grants=granted,
        chats=chats,
        company_id=row["company_id"],
    )


def staff_of(row: RowMapping, chats: tuple[ChatIdentity, ...] = ()) -> Staff:
    roles = frozenset(StaffRole(r) for r in row["roles"].split(",") if r)
    return Staff(row["email"], row["name"], roles, chats)


def channel_of(row: RowMapping) -> ChannelBinding:
    return ChannelBinding(
        platform=Platform(row["platform"]),
        channel_id=row["channel_id"],
        purpose=ChannelPurpose(row["purpose"]),
        account_id=row["account_id"],
        regions=frozenset(row["regions"]),
        priorities=frozenset(Priority(p) for p in row["priorities"]),
        route=tuple(sorted((row["route"] or {}).items())),
    )


def chat_rows(person: Contact | Staff) -> list[dict[str, Any]]:
    kind = STAFF if isinstance(person, Staff) else CONTACT
    return [
        {
            "platform": chat.platform,
            "space": chat.space,
            "user_id": chat.user,
            "person_kind": kind,
            "email": person.email,
        }
        for chat in person.chats
    ]


def account_row(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "sold_to": account.sold_to,
        "end_user": account.end_user,
        "partner": account.partner,
        "deployment": account.deployment.value,
        "care_level": account.care_level.value,
        "region": account.region,
        "contract_start": account.contract_start,
        "contract_end": account.contract_end,
        "sold_to_id": account.sold_to_id,
        "end_user_id": account.end_user_id,
        "end_user_subsidiary": account.end_user_subsidiary,
        "timezone": account.timezone,
        "agents": account.agents,
        "chat_homes": _homes_column(account),
    }


def _homes_column(account: Account) -> dict[str, list[str]]:
    homes: dict[str, list[str]] = {}
    for platform, space in sorted(account.homes):
        homes.setdefault(platform, []).append(space)
    return homes


def contact_row(contact: Contact) -> dict[str, Any]:
    values = {
        "email": contact.email,
        "name": contact.name,
        "company": contact.company,
        "company_id": contact.company_id,
    }
    return values


def grant_rows(contact: Contact) -> list[dict[str, Any]]:
    return [
        {
            "contact_email": contact.email,
            "account_id": grant.account_id,
            "level": grant.level.value,
            "approved_by": grant.approved_by,
            "approved_at": grant.approved_at,
        }
        for grant in contact.grants
    ]


def staff_row(member: Staff) -> dict[str, Any]:
    roles = ",".join(sorted(r.value for r in member.roles))
    return {"email": member.email, "name": member.name, "roles": roles}


def channel_row(binding: ChannelBinding) -> dict[str, Any]:
    return {
        "platform": binding.platform.value,
        "channel_id": binding.channel_id,
        "purpose": binding.purpose.value,
        "account_id": binding.account_id,
        "regions": sorted(binding.regions),
        "priorities": sorted(p.value for p in binding.priorities),
        "route": dict(binding.route),
    }


async def read_version(conn: AsyncConnection) -> int:
    """The directory's version: how many loads changed it (0 before the first)."""
    found = await conn.scalar(
        select(counters.c.value).where(counters.c.name == DIRECTORY_VERSION_COUNTER)
    )
    return int(found or 0)


async def bump_version(conn: AsyncConnection) -> int:
    """The next version, taken under the counter's row lock: concurrent loads run in turn."""
    stmt = dialect_insert(conn, counters).values(name=DIRECTORY_VERSION_COUNTER, value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"value": counters.c.value + 1}
    ).returning(counters.c.value)
    return int((await conn.execute(stmt)).scalar_one())


@dataclass(slots=True)
class DirectoryRows:
    """The entries changed since a version (or all of them), as models."""

    version: int
    accounts: list[Account]
    contacts: list[Contact]
    staff: list[Staff]
    channels: list[ChannelBinding]


async def _partitions(conn: AsyncConnection, stmt: Select[Any]) -> AsyncIterator[list[RowMapping]]:
    result = await conn.stream(stmt)
    async for partition in result.mappings().partitions(PARTITION_ROWS):
        yield list(partition)


def _newer(table: Table, since: int) -> Select[Any]:
    return select(table).where(table.c.loaded_version > since)


async def _chats(
    conn: AsyncConnection, people: Table, kind: str, since: int
) -> dict[str, list[ChatIdentity]]:
    """The chat identities of the people a load stamped after `since`, by e-mail."""
    stmt = (
        select(chat_identities)
        .join(people, people.c.email == chat_identities.c.email)
        .where(chat_identities.c.person_kind == kind, people.c.loaded_version > since)
    )
    found: dict[str, list[ChatIdentity]] = {}
    async for part in _partitions(conn, stmt):
        for row in part:
            found.setdefault(row["email"], []).append(chat_of(row))
    return found


async def read_rows(conn: AsyncConnection, since: int = EVERYTHING) -> DirectoryRows:
    """Every entry a load stamped after `since`, read inside the caller's transaction."""
    version = await read_version(conn)
    found = DirectoryRows(version, [], [], [], [])
    async for part in _partitions(conn, _newer(accounts, since)):
        found.accounts.extend(account_of(r) for r in part)
    granted: dict[str, list[Grant]] = {}
    grant_stmt = (
        select(grants)
        .join(contacts, contacts.c.email == grants.c.contact_email)
        .where(contacts.c.loaded_version > since)
    )
    async for part in _partitions(conn, grant_stmt):
        for g in part:
            granted.setdefault(g["contact_email"], []).append(grant_of(g))
    chats = await _chats(conn, contacts, CONTACT, since)
    async for part in _partitions(conn, _newer(contacts, since)):
        found.contacts.extend(
            contact_of(
                r,
                sorted_grants(granted.get(r["email"], ())),
                tuple(sorted(chats.get(r["email"], ()))),
            )
            for r in part
        )
    chats = await _chats(conn, staff, STAFF, since)
    async for part in _partitions(conn, _newer(staff, since)):
        found.staff.extend(staff_of(r, tuple(sorted(chats.get(r["email"], ())))) for r in part)
    async for part in _partitions(conn, _newer(channels, since)):
        found.channels.extend(channel_of(r) for r in part)
    return found


def sorted_grants(granted: Iterable[Grant]) -> tuple[Grant, ...]:
    """A contact's grants in one order (by account), so equal grants compare equal."""
    return tuple(sorted(granted, key=_by_account))


def _by_account(grant: Grant) -> str:
    return grant.account_id
