"""`directory load` as a diff: write only what the file changes, in bounded batches (#18).

The load takes the next `directory_version` first (its row lock makes concurrent loads run one
after the other), reads what is stored, and writes the entries that differ, each stamped with
that version so that every process holding the directory in memory re-reads just those rows.
Every statement carries at most `BATCH_ROWS` rows: PostgreSQL refuses a statement with more
than 32,767 parameters, and 50,000 contacts in one statement would be far beyond it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import ChatIdentity, Contact, Staff
from bot.store.interface.directory import Directory, UpsertSummary
from bot.store.sql.directory_rows import (
    account_row,
    bump_version,
    channel_row,
    chat_rows,
    contact_row,
    grant_rows,
    read_rows,
    sorted_grants,
    staff_row,
)
from bot.store.sql.statements import upsert_rows
from bot.store.sql.tables import (
    CONTACT,
    STAFF,
    accounts,
    channels,
    chat_identities,
    contacts,
    grants,
    staff,
)

BATCH_ROWS = 500  # rows per statement: at most ~5,000 parameters, whatever the file's size

T = TypeVar("T")


def batches(items: Sequence[T], size: int = BATCH_ROWS) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _normal_contact(contact: Contact) -> Contact:
    """The contact as it reads back: e-mail lower-case, grants by account."""
    grants = sorted_grants(contact.grants)
    chats = _sorted(contact.chats)
    if contact.email.islower() and grants == contact.grants and chats == contact.chats:
        return contact  # the usual case; `replace` would cost more than the whole comparison
    return replace(contact, email=contact.email.lower(), grants=grants, chats=chats)


def _normal_staff(member: Staff) -> Staff:
    chats = _sorted(member.chats)
    if member.email.islower() and chats == member.chats:
        return member
    return replace(member, email=member.email.lower(), chats=chats)


def _sorted(chats: tuple[ChatIdentity, ...]) -> tuple[ChatIdentity, ...]:
    """A person's chat identities in one order, as they read back (and without repeats)."""
    ordered = tuple(sorted(set(chats)))
    return chats if ordered == chats else ordered


async def write_changes(conn: AsyncConnection, directory: Directory) -> UpsertSummary:
    """Upsert `directory` (see `bot.store.sql.directory`), writing only the changed entries."""
    version = await bump_version(conn)
    stored = await read_rows(conn)
    known_accounts = {a.id: a for a in stored.accounts}
    new_accounts = [a for a in directory.accounts if known_accounts.get(a.id) != a]
    await _upsert(conn, accounts, [account_row(a) for a in new_accounts], ["id"], version)

    known_contacts = {c.email: c for c in stored.contacts}
    wanted_contacts = [_normal_contact(c) for c in directory.contacts]
    new_contacts = [c for c in wanted_contacts if known_contacts.get(c.email) != c]
    await _upsert(conn, contacts, [contact_row(c) for c in new_contacts], ["email"], version)
    for batch in batches([c.email for c in new_contacts]):
        await conn.execute(delete(grants).where(grants.c.contact_email.in_(batch)))
    granted = [row for c in new_contacts for row in grant_rows(c)]
    for rows in batches(granted):
        await conn.execute(grants.insert(), list(rows))

    known_staff = {s.email: s for s in stored.staff}
    new_staff = [
        s for s in (_normal_staff(m) for m in directory.staff) if known_staff.get(s.email) != s
    ]
    await _upsert(conn, staff, [staff_row(s) for s in new_staff], ["email"], version)
    await _write_identities(conn, stored.contacts, stored.staff, new_contacts, new_staff, version)

    known_channels = {(c.platform, c.channel_id): c for c in stored.channels}
    new_channels = [
        c for c in directory.channels if known_channels.get((c.platform, c.channel_id)) != c
    ]
    await _upsert(
        conn, channels, [channel_row(c) for c in new_channels], ["platform", "channel_id"], version
    )
    return UpsertSummary(
        accounts=len(directory.accounts),
        contacts=len(directory.contacts),
        grants=sum(len(c.grants) for c in directory.contacts),
        staff=len(directory.staff),
        channels=len(directory.channels),
    )


async def _upsert(
    conn: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: list[str],
    version: int,
) -> None:
    stamped = [dict(r, loaded_version=version) for r in rows]
    for batch in batches(stamped):
        await upsert_rows(conn, table, batch, key)


async def _write_identities(
    conn: AsyncConnection,
    stored_contacts: Sequence[Contact],
    stored_staff: Sequence[Staff],
    new_contacts: Sequence[Contact],
    new_staff: Sequence[Staff],
    version: int,
) -> None:
    """The changed people's chat identities become exactly the file's (ACC-7).

    An id the file gives to someone else is taken off its old holder, whose row is stamped
    with `version` so that every in-memory directory re-reads them without it. The holders are
    found in memory; no statement carries more than `BATCH_ROWS` rows.
    """
    holder: dict[ChatIdentity, tuple[str, str]] = {}
    for kind, people in ((CONTACT, stored_contacts), (STAFF, stored_staff)):
        holder.update((chat, (kind, p.email)) for p in people for chat in p.chats)
    changed = {(CONTACT, c.email) for c in new_contacts} | {(STAFF, s.email) for s in new_staff}
    released: set[tuple[str, str]] = set()
    for kind, people in ((CONTACT, new_contacts), (STAFF, new_staff)):
        for person in people:
            for chat in person.chats:
                held = holder.get(chat)
                if held is not None and held != (kind, person.email) and held not in changed:
                    released.add(held)
    for kind, table in ((CONTACT, contacts), (STAFF, staff)):
        emails = sorted({e for k, e in changed | released if k == kind})
        for batch in batches(emails):
            await conn.execute(
                delete(chat_identities).where(
                    chat_identities.c.person_kind == kind, chat_identities.c.email.in_(batch)
                )
            )
        kept = sorted(e for k, e in released if k == kind)
        for batch in batches(kept):
            await conn.execute(
                update(table)
                .where(table.c.email == bindparam("holder"))
                .values(loaded_version=version),
                [{"holder": e} for e in batch],
            )
    # The released holders keep their other ids: written back without the ones taken.
    writers: list[Contact | Staff] = [*new_contacts, *new_staff]
    taken = {chat for person in writers for chat in person.chats}
    rows = [row for person in writers for row in chat_rows(person)]
    stored_by: dict[tuple[str, str], Contact | Staff] = {
        (CONTACT, c.email): c for c in stored_contacts
    }
    stored_by.update({(STAFF, s.email): s for s in stored_staff})
    for held in sorted(released):
        rows += [r for r in chat_rows(stored_by[held]) if _chat(r) not in taken]
    for rows_batch in batches(rows):
        await conn.execute(chat_identities.insert(), list(rows_batch))


def _chat(row: Mapping[str, Any]) -> ChatIdentity:
    return ChatIdentity(row["platform"], row["space"], row["user_id"])
