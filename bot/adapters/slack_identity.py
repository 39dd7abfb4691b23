"""ACC-7 on Slack: the directory's Slack ids first, else `users.info` to the corporate e-mail."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

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


class SlackUsers:
    """Who a Slack user is; e-mails from `users.info` are cached with an expiry."""

    def __init__(
        self,
        store: Store,
        client: AsyncWebClient,
        clock: Callable[[], datetime],
        ttl: timedelta = EMAIL_TTL,
        size: int = EMAIL_CACHE_SIZE,
    ) -> None:
        if size < 1:
            raise ValueError("the e-mail cache needs room for at least one user")
        self.store = store
        self.client = client
        self.clock = clock
        self.ttl = ttl
        self.size = size
        self._emails: OrderedDict[tuple[str, str], tuple[datetime, str | None]] = OrderedDict()

    async def actor(self, team: str, user: str) -> Actor:
        """The contact or staff member behind (team, user); unmapped means no grants (ACC-7)."""
        listed = await identity.by_slack(await self.store.directory(), team, user)
        if listed is not None:
            return listed
        email = await self.email(team, user)
        return await identity.by_email(await self.store.directory(), Platform.SLACK, user, email)

    async def email(self, team: str, user: str) -> str | None:
        """The verified profile e-mail Slack holds for the user (scope users:read.email)."""
        key = (team, user)
        now = self.clock()
        cached = self._emails.get(key)
        if cached is not None and cached[0] > now:
            self._emails.move_to_end(key)
            return cached[1]
        try:
            found = await self.client.users_info(user=user)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as err:
            # A failed lookup must not become an identity: the user acts unmapped this time and
            # nothing is cached, so the next request asks again.
            log.warning("users.info failed for a Slack user: %s", type(err).__name__)
            return None
        profile = (found.get("user") or {}).get("profile") or {}
        raw = profile.get("email")
        email = raw.strip().lower() if isinstance(raw, str) and raw.strip() else None
        self._emails[key] = (now + self.ttl, email)
        self._emails.move_to_end(key)
        while len(self._emails) > self.size:
            self._emails.popitem(last=False)
        return email
