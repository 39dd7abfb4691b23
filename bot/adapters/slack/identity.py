"""ACC-7 and CONV-6 on Slack: the directory's Slack ids first, else `users.info`'s e-mail.

`users.info` also tells the user's home: their own workspace (`team_id`) and, on Enterprise
Grid, their organisation (`enterprise_user.enterprise_id`). In a Slack Connect channel that is
the customer's workspace, not the one the request came through, so the e-mail is trusted only
as far as that home is (see `bot.commands.identity`). Without a home nothing maps by e-mail.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import identity
from bot.messages import Actor
from bot.model import Platform
from bot.store.interface import Store

log = logging.getLogger(__name__)

EMAIL_TTL = timedelta(minutes=10)
EMAIL_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Profile:
    """What Slack vouches for about a user: the profile e-mail and the user's home ids."""

    email: str | None
    home: frozenset[str]


UNKNOWN = Profile(None, frozenset())


class SlackUsers:
    """Who a Slack user is; e-mails from `users.info` are cached with an expiry."""

    def __init__(
        self,
        store: Store,
        client: AsyncWebClient,
        clock: Callable[[], datetime],
        staff_workspaces: frozenset[str] = frozenset(),
        ttl: timedelta = EMAIL_TTL,
        size: int = EMAIL_CACHE_SIZE,
    ) -> None:
        if size < 1:
            raise ValueError("the e-mail cache needs room for at least one user")
        self.store = store
        self.client = client
        self.clock = clock
        self.staff_workspaces = staff_workspaces
        self.ttl = ttl
        self.size = size
        self._profiles: OrderedDict[tuple[str, str], tuple[datetime, Profile]] = OrderedDict()

    async def actor(self, team: str, user: str) -> Actor:
        """The contact or staff member behind (team, user); unmapped means no grants (ACC-7)."""
        listed = await identity.by_slack(await self.store.directory(), team, user)
        if listed is not None:
            return listed
        profile = await self.profile(team, user)
        return await identity.by_profile_email(
            await self.store.directory(),
            Platform.SLACK,
            user,
            profile.email,
            profile.home,
            self.staff_workspaces,
        )

    async def email(self, team: str, user: str) -> str | None:
        """The verified profile e-mail Slack holds for the user (scope users:read.email)."""
        return (await self.profile(team, user)).email

    async def profile(self, team: str, user: str) -> Profile:
        """The user's profile e-mail and home, from `users.info`, cached for `ttl`."""
        key = (team, user)
        now = self.clock()
        cached = self._profiles.get(key)
        if cached is not None and cached[0] > now:
            self._profiles.move_to_end(key)
            return cached[1]
        try:
            found = await self.client.users_info(user=user)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as err:
            # A failed lookup must not become an identity: the user acts unmapped this time and
            # nothing is cached, so the next request asks again.
            log.warning("users.info failed for a Slack user: %s", type(err).__name__)
            return UNKNOWN
        profile = _profile(found.get("user") or {})
        self._profiles[key] = (now + self.ttl, profile)
        self._profiles.move_to_end(key)
        while len(self._profiles) > self.size:
            self._profiles.popitem(last=False)
        return profile


def _profile(user: Mapping[str, Any]) -> Profile:
    raw = (user.get("profile") or {}).get("email")
    email = raw.strip().lower() if isinstance(raw, str) and raw.strip() else None
    grid = user.get("enterprise_user") or {}
    ids = (user.get("team_id"), grid.get("enterprise_id") if isinstance(grid, dict) else None)
    return Profile(email, frozenset(i for i in ids if isinstance(i, str) and i))
