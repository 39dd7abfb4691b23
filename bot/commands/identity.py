"""ACC-7 and CONV-6: who a chat user is, from verified identifiers only (never display names).

A chat user the directory lists by platform identity is that person. Otherwise the e-mail on
their platform profile decides, but only within the organisation that vouches for it (CONV-6):
the profile lives in a Slack workspace or enterprise, or a Teams tenant (the user's *home*), and
that organisation's administrators can write any address into it. So:

- staff only from the vendor's own homes (`SUPPORTBOT_SLACK_STAFF_WORKSPACES`,
  `SUPPORTBOT_TEAMS_STAFF_TENANTS`); with none configured, nobody becomes staff by e-mail;
- a contact from the vendor's homes as well (guests the vendor invited), or from a customer's
  home, carrying only the grants on accounts that list that home as their own
  (`slack_workspaces`, `teams_tenants`); a contact left with no grant maps to nobody.

The directory comes from `Store.directory()`, in memory: naming the caller costs no database
connection (#18).
"""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Actor
from bot.model import Contact, Platform
from bot.store.interface import DirectoryReader


async def by_email(
    directory: DirectoryReader, platform: Platform, user_id: str, email: str | None
) -> Actor:
    """The staff member or contact with this verified corporate e-mail (unmapped when none)."""
    if not email:
        return Actor(platform, user_id)
    address = email.strip().lower()
    staff = await directory.staff_by_email(address)
    contact = await directory.contact_by_email(address)
    return Actor(platform, user_id, contact=contact, staff=staff)


async def by_slack(directory: DirectoryReader, team: str, user: str) -> Actor | None:
    """The person the directory lists with this Slack team and user id; None when unlisted."""
    staff = await directory.staff_by_slack(team, user)
    contact = await directory.contact_by_slack(team, user)
    if staff is None and contact is None:
        return None
    return Actor(Platform.SLACK, user, contact=contact, staff=staff)


async def by_teams(directory: DirectoryReader, tenant: str, aad_object_id: str) -> Actor | None:
    """The person the directory lists with this Teams tenant and AAD object id; None when unlisted."""
    staff = await directory.staff_by_teams(tenant, aad_object_id)
    contact = await directory.contact_by_teams(tenant, aad_object_id)
    if staff is None and contact is None:
        return None
    return Actor(Platform.TEAMS, aad_object_id, contact=contact, staff=staff)


async def by_profile_email(
    directory: DirectoryReader,
    platform: Platform,
    user_id: str,
    email: str | None,
    home: frozenset[str],
    staff_homes: frozenset[str],
) -> Actor:
    """CONV-6: the person behind a platform profile's e-mail, as far as its home vouches for it."""
    if not email or not home:
        return Actor(platform, user_id)
    address = email.strip().lower()
    ours = not home.isdisjoint(staff_homes)
    staff = await directory.staff_by_email(address) if ours else None
    contact = await directory.contact_by_email(address)
    if contact is not None and not ours:
        contact = await _within_home(directory, platform, contact, home)
    return Actor(platform, user_id, contact=contact, staff=staff)


async def _within_home(
    directory: DirectoryReader, platform: Platform, contact: Contact, home: frozenset[str]
) -> Contact | None:
    """The contact with only the grants on accounts that list `home` as the customer's own."""
    kept = []
    for grant in contact.grants:
        account = await directory.account(grant.account_id)
        if account is None:
            continue
        own = account.slack_workspaces if platform is Platform.SLACK else account.teams_tenants
        if not own.isdisjoint(home):
            kept.append(grant)
    return replace(contact, grants=tuple(kept)) if kept else None
