"""ACC-7 and CONV-6: who a chat user is, from verified identifiers only (never display names).

One resolver for every platform. A chat user the directory lists by chat identity (platform,
space, user id) is that person. Otherwise the e-mail on their platform profile decides, but only
within the organisation that vouches for it (CONV-6): the profile lives in a space (a Slack
workspace or enterprise, a Teams tenant: the user's *home*) whose administrators can write any
address into it. So:

- staff only from the vendor's own homes (`SUPPORTBOT_SLACK_STAFF_WORKSPACES`,
  `SUPPORTBOT_TEAMS_STAFF_TENANTS`); with none configured, nobody becomes staff by e-mail;
- a contact from the vendor's homes as well (guests the vendor invited), or from a customer's
  home, carrying only the grants on accounts that list that home as their own (`Account.homes`,
  from the directory's `slack_workspaces` and `teams_tenants`); a contact left with no grant
  maps to nobody.

Only the profile lookup is the platform's (its adapter's `identity` module); the profiles are
cached here, with an expiry. The directory comes from `Store.directory()`, in memory: naming
the caller costs no database connection (#18).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.messages import Actor
from bot.model import ChatIdentity, Contact, Platform, Staff
from bot.store.interface.directory import DirectoryReader

DEFAULT_TTL = timedelta(minutes=10)
DEFAULT_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Profile:
    """What a platform vouches for about a user: the profile e-mail and the user's home ids."""

    email: str | None
    home: frozenset[str]


UNKNOWN = Profile(None, frozenset())
# The platform's profile lookup for one user; None when it failed (then nothing is cached).
ProfileLookup = Callable[[], Awaitable[Profile | None]]


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


async def by_chat(directory: DirectoryReader, chat: ChatIdentity) -> Actor | None:
    """The person the directory lists with this chat identity; None when unlisted."""
    person = await directory.person_by_chat(chat)
    if person is None:
        return None
    if isinstance(person, Staff):
        return Actor(Platform(chat.platform), chat.user, staff=person)
    return Actor(Platform(chat.platform), chat.user, contact=person)


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
        if not account.homes_on(platform).isdisjoint(home):
            kept.append(grant)
    return replace(contact, grants=tuple(kept)) if kept else None


class ChatIdentities:
    """Who a chat user is, on any platform (ACC-7, CONV-6); profile lookups cached for `ttl`."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        staff_homes: frozenset[str] = frozenset(),
        ttl: timedelta = DEFAULT_TTL,
        size: int = DEFAULT_SIZE,
    ) -> None:
        if size < 1:
            raise ValueError("the profile cache needs room for at least one user")
        self.clock = clock
        self.staff_homes = staff_homes
        self.ttl = ttl
        self.size = size
        self._profiles: OrderedDict[ChatIdentity, tuple[datetime, Profile]] = OrderedDict()

    async def actor(
        self, directory: DirectoryReader, chat: ChatIdentity, lookup: ProfileLookup
    ) -> Actor:
        """The contact or staff member behind `chat`; unmapped means no grants (ACC-7)."""
        if chat.space and chat.user:
            listed = await by_chat(directory, chat)
            if listed is not None:
                return listed
        # The lookup runs outside any transaction: no connection is held during the HTTP call.
        profile = await self.profile(chat, lookup)
        # In a shared channel the request names the host's space, not the user's own; the
        # directory lists them under the home their platform vouches for (CONV-6). That home's
        # listing wins over the e-mail, which a foreign host may not even show.
        for home in sorted(profile.home - {chat.space}):
            listed = await by_chat(directory, replace(chat, space=home))
            if listed is not None:
                return listed
        return await by_profile_email(
            directory,
            Platform(chat.platform),
            chat.user,
            profile.email,
            profile.home,
            self.staff_homes,
        )

    async def profile(self, chat: ChatIdentity, lookup: ProfileLookup) -> Profile:
        """The user's profile, from `lookup` unless a fresh one is cached."""
        now = self.clock()
        cached = self._profiles.get(chat)
        if cached is not None and cached[0] > now:
            self._profiles.move_to_end(chat)
            return cached[1]
        found = await lookup()
        if found is None:
            # A failed lookup must not become an identity: the user acts unmapped this time
            # and nothing is cached, so the next request asks again.
            return UNKNOWN
        self._profiles[chat] = (now + self.ttl, found)
        self._profiles.move_to_end(chat)
        while len(self._profiles) > self.size:
            self._profiles.popitem(last=False)
        return found
