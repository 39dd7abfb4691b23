"""ACC-4 in the directory file: companies named by directory id, on accounts and contacts.

All fields are optional, so files written before them still load; what a partner account
without them means is decided in `bot.policy.entitlement` (it fails closed) and documented in
docs/policy.md#acc-4. Names (`sold_to`, `end_user`, `company`) are only ever shown, never compared.
"""

from __future__ import annotations

import re

from bot.directory.entries import Entry
from bot.model import Account

COMPANY_FIELDS = ("sold_to_id", "end_user_id", "end_user_subsidiary")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def company_id_of(entry: Entry, key: str) -> str | None:
    """An optional directory id: lower-case letters, digits, '.', '_' and '-' (1..100)."""
    raw = entry.data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str) or _ID.fullmatch(raw) is None:
        entry.error(
            f"{key} {raw!r} is not a directory id: 1 to 100 lower-case letters, digits, '.', "
            "'_' or '-', starting with a letter or digit (ACC-4)"
        )
        return None
    return raw


def account_companies(entry: Entry, partner: bool) -> tuple[str | None, str | None, bool] | None:
    """The account's (sold_to_id, end_user_id, end_user_subsidiary); None after an error."""
    bad = [k for k in ("sold_to_id", "end_user_id") if entry.data.get(k) is not None]
    sold_to, end_user = company_id_of(entry, "sold_to_id"), company_id_of(entry, "end_user_id")
    subsidiary = entry.data.get("end_user_subsidiary", False)
    ok = len(bad) == sum(x is not None for x in (sold_to, end_user))
    if not isinstance(subsidiary, bool):
        entry.error(f"end_user_subsidiary must be true or false, not {subsidiary!r} (ACC-4)")
        ok = False
    if not ok:
        return None
    if end_user is not None and sold_to is None:
        entry.error("end_user_id needs sold_to_id: name both companies by id (ACC-4)")
        return None
    if partner and sold_to is not None and end_user is None:
        entry.error(
            "a partner account with sold_to_id also needs end_user_id, the id of the company "
            "it resells to (ACC-4)"
        )
        return None
    if partner and sold_to is not None and end_user == sold_to:
        entry.error(
            "a partner resells to another company: end_user_id must differ from sold_to_id (ACC-4)"
        )
        return None
    if subsidiary and (end_user is None or end_user == sold_to):
        entry.error(
            "end_user_subsidiary marks an End User that is a division or subsidiary of the Sold "
            "To: it needs sold_to_id and a different end_user_id (ACC-4)"
        )
        return None
    return sold_to, end_user, subsidiary


def end_user_of_partner(account: Account, company_id: str | None) -> bool:
    """ACC-4: is this provably a contact of the End User of a partner-resold account?"""
    return (
        account.partner
        and not account.end_user_subsidiary
        and company_id is not None
        and account.end_user_id is not None
        and company_id == account.end_user_id
    )
