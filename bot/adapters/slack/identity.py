"""ACC-7 and CONV-6 on Slack: who sent a request, through the shared resolver.

Only the Slack part is here: the profile `users.info` returns, with the user's home: their own
workspace (`team_id`) and, on Enterprise Grid, their organisation (`enterprise_user.
enterprise_id`). In a Slack Connect channel that is the customer's workspace, not the one the
request came through, so the e-mail is trusted only as far as that home is (see
`bot.commands.identity`). Without a home nothing maps by e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.identity import ChatIdentities, Profile
from bot.messages import Actor
from bot.model import ChatIdentity, Platform
from bot.store.interface import Store

log = logging.getLogger(__name__)

EMAIL_TTL = timedelta(minutes=10)
EMAIL_CACHE_SIZE = 10_000


class SlackUsers:
    """Who a Slack user is: the shared resolver, with `users.info` as the profile lookup."""

    def __init__(
        self,
        store: Store,
        client: AsyncWebClient,
        clock: Callable[[], datetime],
        staff_workspaces: frozenset[str] = frozenset(),
        ttl: timedelta = EMAIL_TTL,
        size: int = EMAIL_CACHE_SIZE,
    ) -> None:
        self.store = store
        self.client = client
        self.identities = ChatIdentities(clock, staff_workspaces, ttl, size)

    async def actor(self, team: str, user: str) -> Actor:
        """The contact or staff member behind (team, user); unmapped means no grants (ACC-7)."""
        chat = ChatIdentity(Platform.SLACK.value, team, user)
        return await self.identities.actor(
            await self.store.directory(), chat, lambda: self._lookup(user)
        )

    async def _lookup(self, user: str) -> Profile | None:
        """The profile e-mail (scope users:read.email) and home from `users.info`."""
        try:
            found = await self.client.users_info(user=user)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as err:
            log.warning("users.info failed for a Slack user: %s", type(err).__name__)
            return None
        return _profile(found.get("user") or {})


def _profile(user: Mapping[str, Any]) -> Profile:
    raw = (user.get("profile") or {}).get("email")
    email = raw.strip().lower() if isinstance(raw, str) and raw.strip() else None
    grid = user.get("enterprise_user") or {}
    ids = (user.get("team_id"), grid.get("enterprise_id") if isinstance(grid, dict) else None)
    return Profile(email, frozenset(i for i in ids if isinstance(i, str) and i))
