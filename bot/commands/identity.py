"""ACC-7: who a chat user is, from verified identifiers only (never display names).

The directory comes from `Store.directory()`, in memory: naming the caller costs no database
connection (#18).
"""

from __future__ import annotations

from bot.messages import Actor
from bot.model import Platform
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
