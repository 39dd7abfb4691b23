"""The directory file (PRODUCT.md "Directory file"): parse and validate it, load it, check it.

`parse_directory` is pure and collects every problem before refusing, naming the file and the
entry; `load_directory` writes a valid file in one unit of work, so a bad file changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path

from bot.directory.entries import DirectoryError
from bot.directory.parser import parse_directory
from bot.model import AccessLevel, Account, Platform, Staff
from bot.policy.access import effective_level, local_date
from bot.policy.config import PolicyConfig
from bot.policy.identity import corporate_email_problem
from bot.store.interface import Store
from bot.store.interface.directory import UpsertSummary

LoadSummary = UpsertSummary

__all__ = ["DirectoryError", "LoadSummary", "check_directory", "load_directory", "parse_directory"]


async def load_directory(
    store: Store, path: Path | str, config: PolicyConfig | None = None
) -> LoadSummary:
    """`directory load FILE`: validate, then upsert in one unit of work (all or nothing)."""
    path = Path(path)
    text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    directory = parse_directory(text, str(path), config or PolicyConfig())
    async with store.unit_of_work() as uow:
        summary = await uow.directory.upsert(directory)
        await uow.commit()
    return summary


async def check_directory(
    store: Store,
    today: date | None,
    config: PolicyConfig,
    now: datetime | None = None,
    staff_homes: Mapping[Platform, frozenset[str]] | None = None,
) -> list[str]:
    """`directory check`: ACC-6 shortfalls, inert grants (ACC-3, ACC-4, ACC-5), partner accounts
    without company ids (ACC-4), staff listed by a chat id outside the vendor's own workspaces
    or tenants (`staff_homes`, where configured), one per line.

    Contracts are judged on `today`, or, without it, on each account's own day at `now`, as
    chat judges them (`bot.policy.access.access_today`).
    """
    day_of = _judging_day(today, now, config)
    async with store.unit_of_work(read_only=True) as uow:
        accounts = {a.id: a for a in await uow.directory.accounts()}
        contacts = await uow.directory.contacts()
        staff = await uow.directory.staff_members()
    lines: list[str] = _foreign_staff(staff, staff_homes or {})
    lines += [
        f"account {a.id}: a partner account without sold_to_id and end_user_id: its contacts "
        "cannot be told apart, so each acts as an end-user contact (ACC-4)"
        for a in accounts.values()
        if a.partner and a.sold_to_id is None
    ]
    designated: dict[str, list[str]] = {a: [] for a in accounts}
    for contact in contacts:
        for grant in contact.grants:
            account = accounts.get(grant.account_id)
            if account is None:
                continue
            level, why = effective_level(contact, account, day_of(account))
            if level is AccessLevel.DESIGNATED:
                problem = corporate_email_problem(contact.email, config)
                if problem is not None:
                    lines.append(f"account {account.id}: contact {contact.email}: {problem}")
                    continue
                designated[account.id].append(contact.email)
            elif why is not None:
                lines.append(
                    f"account {account.id}: contact {contact.email}: inert {grant.level.value} "
                    f"grant, acts as {level.value if level else 'no access'}: {why}"
                )
    for account_id, emails in designated.items():
        if len(emails) < 2:
            who = ", ".join(emails) if emails else "none"
            lines.append(
                f"account {account_id}: {len(emails)} designated contact(s) acting as designated "
                f"on {day_of(accounts[account_id]).isoformat()} ({who}); "
                "every account should have at least two (ACC-6)"
            )
    return lines


def _foreign_staff(staff: list[Staff], homes: Mapping[Platform, frozenset[str]]) -> list[str]:
    """Staff listed by a chat id in a space that is not the vendor's own (ACC-7, ACC-8).

    A listing by chat id names the person whatever the space, so a staff id in a customer's
    workspace (a typo, a copied line) makes whoever holds that id there staff. Checked only for
    the platforms whose own spaces are configured.
    """
    lines = []
    for person in staff:
        for chat in person.chats:
            own = homes.get(Platform(chat.platform))
            if own and chat.space.casefold() not in {h.casefold() for h in own}:
                lines.append(
                    f"staff {person.email}: listed on {chat.platform} in {chat.space}, which is "
                    f"not one of the vendor's own ({', '.join(sorted(own))}): whoever has that "
                    "id there acts as staff (ACC-8)"
                )
    return lines


def _judging_day(
    today: date | None, now: datetime | None, config: PolicyConfig
) -> Callable[[Account], date]:
    """The day each account's contract is judged on: `today` for all, else its own at `now`."""
    if today is not None:
        day = today
        return lambda _account: day
    if now is None:
        raise ValueError("check_directory needs a day or an instant")
    at = now
    return lambda account: local_date(account, at, config)
