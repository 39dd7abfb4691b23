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

from bot.model import Contact, Staff
from bot.store.interface import Directory, UpsertSummary
from bot.store.sql.directory_rows import (
    account_row,
    bump_version,
    channel_row,
    contact_row,
    grant_rows,
    read_rows,
    sorted_grants,
    staff_row,
)
from bot.store.sql.statements import upsert_rows
from bot.store.sql.tables import accounts, channels, contacts, grants, staff

BATCH_ROWS = 500  # rows per statement: at most ~5,000 parameters, whatever the file's size

T = TypeVar("T")


def batches(items: Sequence[T], size: int = BATCH_ROWS) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _normal_contact(contact: Contact) -> Contact:
    """The contact as it reads back: e-mail lower-case, grants by account."""
    grants = sorted_grants(contact.grants)
    if contact.email.islower() and grants == contact.grants:
        return contact  # the usual case; `replace` would cost more than the whole comparison
    return replace(contact, email=contact.email.lower(), grants=grants)


def _normal_staff(member: Staff) -> Staff:
    return member if member.email.islower() else replace(member, email=member.email.lower())


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
    await _release_identities(conn, contacts, stored.contacts, new_contacts, version)
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
    await _release_identities(conn, staff, stored.staff, new_staff, version)
    await _upsert(conn, staff, [staff_row(s) for s in new_staff], ["email"], version)

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


async def _release_identities(
    conn: AsyncConnection,
    table: Table,
    stored: Sequence[Contact | Staff],
    changed: Sequence[Contact | Staff],
    version: int,
) -> None:
    """A chat id given to someone else in the file is taken off its old holder (ACC-7).

    Only changed entries can take an id from someone; the holders are found in memory and
    released by e-mail before the new holders are written (the ids are unique).
    """
    slack_holder = {p.slack: p.email for p in stored if p.slack is not None}
    teams_holder = {p.teams: p.email for p in stored if p.teams is not None}
    slack_released: set[str] = set()
    teams_released: set[str] = set()
    for person in changed:
        held = slack_holder.get(person.slack) if person.slack is not None else None
        if held is not None and held != person.email:
            slack_released.add(held)
        held = teams_holder.get(person.teams) if person.teams is not None else None
        if held is not None and held != person.email:
            teams_released.add(held)
    by_email = table.c.email == bindparam("holder")
    for released, columns in (
        (slack_released, ("slack_team", "slack_user")),
        (teams_released, ("teams_tenant", "teams_aad_object_id")),
    ):
        cleared = dict.fromkeys(columns) | {"loaded_version": version}
        for batch in batches(sorted(released)):
            await conn.execute(
                update(table).where(by_email).values(cleared), [{"holder": e} for e in batch]
            )
