"""Slack installs and removals: the first App Home visit is welcomed; uninstalls stop posts.

`app_uninstalled` and `tokens_revoked` (of the bot token) mean the bot's token no longer works:
every later outbox post would fail against Slack, so they are not attempted. The bot leaving a
channel (`member_left_channel` of the bot user, `channel_left`) does the same for that channel;
the bot joining it again (`member_joined_channel`) resumes it. Markers live in the store's
conversation references, shared by every replica; each removal is logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.store.interface import Store
from bot.store.interface.outbox import OutboxMessage, TargetKind

log = logging.getLogger(__name__)

APP = "slack:retired:app"
RETIRED = "retired"


Spawn = Callable[[Coroutine[Any, Any, None]], None]


def _channel(event: Mapping[str, Any]) -> str | None:
    channel = event.get("channel")
    return channel if isinstance(channel, str) and channel else None


def channel_key(channel: str) -> str:
    return f"slack:retired:channel:{channel}"


class SlackInstalls:
    """Removal markers and the once-per-user welcome, in the store."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    def register(self, app: AsyncApp, spawn: Spawn) -> None:
        """The removal and re-join events (before the adapter's catch-all).

        The work goes through the adapter's `spawn`, like every other piece of work after an
        acknowledgement, so shutdown (and the tests) can wait for it.
        """

        async def uninstalled() -> None:
            spawn(self.retire(APP, "the app was uninstalled"))

        async def tokens_revoked(event: dict[str, Any]) -> None:
            tokens = event.get("tokens") or {}
            if isinstance(tokens, Mapping) and tokens.get("bot"):
                spawn(self.retire(APP, "the bot token was revoked"))

        async def member_left(event: dict[str, Any], context: Any) -> None:
            channel = _channel(event)
            if channel and event.get("user") == context.bot_user_id:
                spawn(self.retire(channel_key(channel), f"the bot left channel {channel}"))

        async def channel_left(event: dict[str, Any]) -> None:
            channel = _channel(event)
            if channel:
                spawn(self.retire(channel_key(channel), f"the bot left channel {channel}"))

        async def member_joined(event: dict[str, Any], context: Any) -> None:
            channel = _channel(event)
            if channel and event.get("user") == context.bot_user_id:
                spawn(self.resume(channel_key(channel)))

        app.event("app_uninstalled")(uninstalled)
        app.event("tokens_revoked")(tokens_revoked)
        app.event("member_left_channel")(member_left)
        app.event("channel_left")(channel_left)
        app.event("group_left")(channel_left)  # the same, for a private channel
        app.event("member_joined_channel")(member_joined)

    async def retire(self, key: str, what: str) -> None:
        """Stop posting to `what` (logged once: Slack may announce a removal twice)."""
        if await self._is(key, RETIRED):
            return
        await self._save(key, {RETIRED: self._clock().isoformat()})
        log.info("Slack: %s; no more posts there", what)

    async def resume(self, key: str) -> None:
        """The bot is back (re-installed, re-invited): post again."""
        if await self._is(key, RETIRED):
            await self._save(key, {"resumed": self._clock().isoformat()})

    async def refusal(self, message: OutboxMessage) -> str | None:
        """Why an outbox post must not be attempted, or None."""
        if await self._is(APP, RETIRED):
            return "the Slack app was uninstalled (or its bot token revoked)"
        if message.target_kind is TargetKind.CHANNEL and await self._is(
            channel_key(message.target), RETIRED
        ):
            return f"the bot was removed from Slack channel {message.target}"
        return None

    async def first_visit(self, team: str, user: str) -> bool:
        """True the first time `user` opens the app (the welcome is sent once)."""
        key = f"slack:welcomed:{team}:{user}"
        if await self._is(key, "welcomed"):
            return False  # the common case, answered without the writer's turn
        # Two first visits at once (two tabs, a retry) both got here: one insert wins.
        async with self._store.unit_of_work() as uow:
            first = await uow.conversations.add(
                key, {"welcomed": self._clock().isoformat()}, self._clock()
            )
            await uow.commit()
        return first

    async def _is(self, key: str, mark: str) -> bool:
        async with self._store.unit_of_work(read_only=True) as uow:
            found = await uow.conversations.get(key)
        return found is not None and mark in found

    async def _save(self, key: str, value: dict[str, str]) -> None:
        async with self._store.unit_of_work() as uow:
            await uow.conversations.save(key, value, self._clock())
            await uow.commit()
